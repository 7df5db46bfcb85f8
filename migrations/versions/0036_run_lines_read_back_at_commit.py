"""A payment run's commit reads the run's lines that carry arrears (each arrears item becomes
a payment of its earlier period), those that carry recovery offsets (each offset is recorded
against its recovery) and those whose contribution is invoiced (each is sent an invoice
letter). Each is a few in a hundred, and each read walked every line of the run: 20 to 31 ms
at 100,000 accounts on SQLite, against next to nothing with these partial indexes.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

READ_BACK = {
    "ix_run_lines_paid_arrears": "outcome = 'pay' AND arrears_pence <> 0",
    "ix_run_lines_paid_offsets": "outcome = 'pay' AND offset_pence > 0",
    "ix_run_lines_paid_invoices": "outcome = 'pay' AND invoice_pence > 0",
}


def upgrade() -> None:
    with op.batch_alter_table("run_lines", schema=None) as batch_op:
        for name, lines in READ_BACK.items():
            batch_op.create_index(
                name,
                ["run_id"],
                unique=False,
                sqlite_where=sa.text(lines),
                postgresql_where=sa.text(lines),
            )


def downgrade() -> None:
    with op.batch_alter_table("run_lines", schema=None) as batch_op:
        for name in reversed(READ_BACK):
            batch_op.drop_index(name)
