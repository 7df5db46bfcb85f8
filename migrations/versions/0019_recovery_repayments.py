"""Repayments of invoiced recoveries (all or part), append-only in the database as payments
are (the PostgreSQL function money_rows_append_only() is 0009's).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

TRIGGERS = {
    "sqlite": [
        """CREATE TRIGGER recovery_repayments_no_update BEFORE UPDATE ON recovery_repayments
           BEGIN SELECT RAISE(ABORT, 'recovery_repayments is append-only'); END""",
        """CREATE TRIGGER recovery_repayments_no_delete BEFORE DELETE ON recovery_repayments
           BEGIN SELECT RAISE(ABORT, 'recovery_repayments is append-only'); END""",
    ],
    "postgresql": [
        """CREATE TRIGGER recovery_repayments_no_change
           BEFORE UPDATE OR DELETE ON recovery_repayments
           FOR EACH ROW EXECUTE FUNCTION money_rows_append_only()""",
        """CREATE TRIGGER recovery_repayments_no_truncate BEFORE TRUNCATE ON recovery_repayments
           FOR EACH STATEMENT EXECUTE FUNCTION money_rows_append_only()""",
    ],
}
DROP_TRIGGERS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS recovery_repayments_no_update",
        "DROP TRIGGER IF EXISTS recovery_repayments_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS recovery_repayments_no_change ON recovery_repayments",
        "DROP TRIGGER IF EXISTS recovery_repayments_no_truncate ON recovery_repayments",
    ],
}


def upgrade():
    op.create_table(
        "recovery_repayments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recovery_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("note", sa.String(300), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_pence > 0", name=op.f("ck_recovery_repayments_positive")),
        sa.CheckConstraint(
            "method IN ('bank_transfer', 'card', 'cheque', 'cash', 'other')",
            name=op.f("ck_recovery_repayments_method"),
        ),
        sa.ForeignKeyConstraint(
            ["recovery_id"],
            ["recoveries.id"],
            name=op.f("fk_recovery_repayments_recovery_id_recoveries"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_recovery_repayments_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_recovery_repayments_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_repayments")),
    )
    op.create_index("ix_recovery_repayments_recovery_id", "recovery_repayments", ["recovery_id"])
    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_index("ix_recovery_repayments_recovery_id", table_name="recovery_repayments")
    op.drop_table("recovery_repayments")
