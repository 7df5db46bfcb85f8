"""Open ISF periods by start (a partial index of the open ones): the periods job now opens
every agreement's period on its first day, so open periods are as many as the agreements paid
on invoice, and the finance page (the oldest open periods) and the year-end report (what was
planned in periods never sealed) would otherwise read every period the council ever had.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_isf_periods_open",
        "isf_periods",
        ["period_start", "id"],
        unique=False,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    op.drop_index("ix_isf_periods_open", table_name="isf_periods")
