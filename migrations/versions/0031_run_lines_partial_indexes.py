"""Page speed (issue 16, "Load"): a payment run's page and its approval read the run's lines
that pay an organisation (each checked against the organisation's pooled account) and its
withheld lines; with 100,000 lines a run, both read every line of the run. Two partial
indexes hold just those lines (a few in every hundred): the first carries the payee, so the
check reads the index alone on PostgreSQL.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

PAID_ORGANISATIONS = "outcome = 'pay' AND payee_type = 'organisation'"
WITHHELD = "outcome = 'withhold'"


def upgrade() -> None:
    with op.batch_alter_table("run_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_run_lines_paid_organisations",
            ["run_id", "account_id"],
            unique=False,
            postgresql_include=["payee_name", "sort_code", "account_number"],
            sqlite_where=sa.text(PAID_ORGANISATIONS),
            postgresql_where=sa.text(PAID_ORGANISATIONS),
        )
        batch_op.create_index(
            "ix_run_lines_withheld",
            ["run_id", "account_id"],
            unique=False,
            sqlite_where=sa.text(WITHHELD),
            postgresql_where=sa.text(WITHHELD),
        )


def downgrade() -> None:
    with op.batch_alter_table("run_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_run_lines_withheld")
        batch_op.drop_index("ix_run_lines_paid_organisations")
