"""Option 2 individual service funds, the last gaps (issue 14): an agreement ended by a
finance officer says on which day, who ended it and why; a provider's invoice lines are found
by the person's account (what is waiting to be paid for them is summed for every line of
every invoice, so it must not scan every line of the state it is in) and by the payment that
paid them (each of a person's providers counts only what it was paid); the index of every
line's state becomes one of the held lines only (the rest of an invoice is written without
it).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


ENDED = (
    "status != 'ended' OR "
    "(ends_on IS NOT NULL AND end_reason IS NOT NULL AND ended_by_id IS NOT NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table("isf_invoice_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_isf_invoice_lines_account_state", ["account_id", "state"], unique=False
        )
        batch_op.create_index(
            "ix_isf_invoice_lines_payment_id",
            ["payment_id"],
            unique=False,
            sqlite_where=sa.text("payment_id IS NOT NULL"),
            postgresql_where=sa.text("payment_id IS NOT NULL"),
        )
        batch_op.drop_index("ix_isf_invoice_lines_state")
        batch_op.create_index(
            "ix_isf_invoice_lines_held",
            ["invoice_id"],
            unique=False,
            sqlite_where=sa.text("state = 'held'"),
            postgresql_where=sa.text("state = 'held'"),
        )
    with op.batch_alter_table("isf_agreement_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("end_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("ended_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_isf_agreement_versions_ended_by_id_users"),
            "users",
            ["ended_by_id"],
            ["id"],
        )
        batch_op.create_check_constraint("ended", ENDED)


def downgrade() -> None:
    with op.batch_alter_table("isf_agreement_versions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_isf_agreement_versions_ended"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_isf_agreement_versions_ended_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("ended_by_id")
        batch_op.drop_column("end_reason")
    with op.batch_alter_table("isf_invoice_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_isf_invoice_lines_held")
        batch_op.create_index("ix_isf_invoice_lines_state", ["state"], unique=False)
        batch_op.drop_index("ix_isf_invoice_lines_payment_id")
        batch_op.drop_index("ix_isf_invoice_lines_account_state")
