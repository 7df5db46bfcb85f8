"""A provider's invoice line names its agreement and the agreement's account by one foreign key
(agreement id, account id) to the agreement, in place of one key to each: PostgreSQL checks a
key for every row written, and an invoice writes hundreds of lines at once; the one key also
proves a line's account is its agreement's. The agreement's (id, account id) is made unique
for the key to refer to.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04
"""

from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("isf_agreements", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_isf_agreements_id_account_id", ["id", "account_id"])
    with op.batch_alter_table("isf_invoice_lines", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_isf_invoice_lines_agreement_id_isf_agreements", type_="foreignkey"
        )
        batch_op.drop_constraint("fk_isf_invoice_lines_account_id_accounts", type_="foreignkey")
        batch_op.create_foreign_key(
            "fk_isf_invoice_lines_agreement_account",
            "isf_agreements",
            ["agreement_id", "account_id"],
            ["id", "account_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("isf_invoice_lines", schema=None) as batch_op:
        batch_op.drop_constraint("fk_isf_invoice_lines_agreement_account", type_="foreignkey")
        batch_op.create_foreign_key(
            "fk_isf_invoice_lines_account_id_accounts", "accounts", ["account_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_isf_invoice_lines_agreement_id_isf_agreements",
            "isf_agreements",
            ["agreement_id"],
            ["id"],
        )
    with op.batch_alter_table("isf_agreements", schema=None) as batch_op:
        batch_op.drop_constraint("uq_isf_agreements_id_account_id", type_="unique")
