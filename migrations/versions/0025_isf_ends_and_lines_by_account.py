"""Option 2 individual service funds, the last gaps (issue 14): a provider's invoice lines
found by the person's account (what is waiting to be paid for them is summed for every line
of every invoice, so it must not scan every line of the state it is in).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("isf_invoice_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_isf_invoice_lines_account_state", ["account_id", "state"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("isf_invoice_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_isf_invoice_lines_account_state")
