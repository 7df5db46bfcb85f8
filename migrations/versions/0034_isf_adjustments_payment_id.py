"""Agreed corrections are found by the payment that paid them (a partial index of the paid
ones): the invoices' cap check asks, for every payment to an organisation of each person on
an invoice, whether it paid another provider's correction, and without an index each asking
read every correction the council ever agreed.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_isf_adjustments_payment_id",
        "isf_adjustments",
        ["payment_id"],
        unique=False,
        sqlite_where=sa.text("payment_id IS NOT NULL"),
        postgresql_where=sa.text("payment_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_isf_adjustments_payment_id", table_name="isf_adjustments")
