"""A provider's invoice line names its period, the period's agreement and the agreement's account
by one foreign key (period id, agreement id, account id) to the period, in place of one key to
the period and one to the agreement: PostgreSQL checks a key for every row written, and an
invoice writes hundreds of lines at once. The one key also proves what the two did not, that a
line's period is its own agreement's. For it the period carries its agreement's account (one
key, agreement id and account id, to the agreement, in place of its key to the agreement) and
(id, agreement id, account id) is made unique. Every line already has a period (invoices have
always written one), so the line's period is made required.

If a line's period belongs to another agreement, the upgrade stops at the new key: nothing is
changed, and docs/operations.md says how to find the lines.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("isf_periods", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE isf_periods SET account_id = (SELECT isf_agreements.account_id "
        "FROM isf_agreements WHERE isf_agreements.id = isf_periods.agreement_id)"
    )
    with op.batch_alter_table("isf_periods", schema=None) as batch_op:
        batch_op.alter_column("account_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("fk_isf_periods_agreement_id_isf_agreements", type_="foreignkey")
        batch_op.create_foreign_key(
            "fk_isf_periods_agreement_account",
            "isf_agreements",
            ["agreement_id", "account_id"],
            ["id", "account_id"],
        )
        batch_op.create_unique_constraint(
            "uq_isf_periods_key", ["id", "agreement_id", "account_id"]
        )
    with op.batch_alter_table("isf_invoice_lines", schema=None) as batch_op:
        batch_op.alter_column("period_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("fk_isf_invoice_lines_period_id_isf_periods", type_="foreignkey")
        batch_op.drop_constraint("fk_isf_invoice_lines_agreement_account", type_="foreignkey")
        batch_op.create_foreign_key(
            "fk_isf_invoice_lines_period_key",
            "isf_periods",
            ["period_id", "agreement_id", "account_id"],
            ["id", "agreement_id", "account_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("isf_invoice_lines", schema=None) as batch_op:
        batch_op.drop_constraint("fk_isf_invoice_lines_period_key", type_="foreignkey")
        batch_op.create_foreign_key(
            "fk_isf_invoice_lines_agreement_account",
            "isf_agreements",
            ["agreement_id", "account_id"],
            ["id", "account_id"],
        )
        batch_op.create_foreign_key(
            "fk_isf_invoice_lines_period_id_isf_periods", "isf_periods", ["period_id"], ["id"]
        )
        batch_op.alter_column("period_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("isf_periods", schema=None) as batch_op:
        batch_op.drop_constraint("uq_isf_periods_key", type_="unique")
        batch_op.drop_constraint("fk_isf_periods_agreement_account", type_="foreignkey")
        batch_op.create_foreign_key(
            "fk_isf_periods_agreement_id_isf_agreements", "isf_agreements", ["agreement_id"], ["id"]
        )
        batch_op.drop_column("account_id")
