"""Four eyes on where money goes: bank details changes wait for a second officer; payment runs
snapshot each payee when built and record why a period was paid late; committed payments and
ledger entries are append-only in the database itself.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

APPEND_ONLY = ("payments", "ledger_entries")


def upgrade():
    op.create_table(
        "bank_details_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("payee_name", sa.String(length=18), nullable=False),
        sa.Column("sort_code", sa.String(length=6), nullable=False),
        sa.Column("account_number", sa.String(length=8), nullable=False),
        sa.Column("bank_check", sa.String(length=16), nullable=False),
        sa.Column("standardised_note", sa.String(length=300), nullable=True),
        sa.Column("previous_payee_name", sa.String(length=18), nullable=True),
        sa.Column("previous_sort_code", sa.String(length=6), nullable=True),
        sa.Column("previous_account_number", sa.String(length=8), nullable=True),
        sa.Column("correspondent_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'withdrawn')",
            name=op.f("ck_bank_details_changes_status"),
        ),
        sa.CheckConstraint(
            "decided_by_id IS NULL OR status = 'withdrawn' OR decided_by_id != requested_by_id",
            name=op.f("ck_bank_details_changes_second_officer"),
        ),
        sa.CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)",
            name=op.f("ck_bank_details_changes_decided_unless_pending"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_bank_details_changes_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_bank_details_changes_requested_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_bank_details_changes_decided_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_details_changes")),
    )
    op.create_index(
        "ix_bank_details_changes_account_id", "bank_details_changes", ["account_id"], unique=False
    )
    op.create_index(
        "uq_bank_details_changes_one_pending",
        "bank_details_changes",
        ["account_id"],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    with op.batch_alter_table("payment_runs") as batch_op:
        batch_op.add_column(sa.Column("late_reason", sa.String(length=500), nullable=True))
    with op.batch_alter_table("run_lines") as batch_op:
        batch_op.add_column(sa.Column("payee_name", sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column("sort_code", sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column("account_number", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("payee_reference", sa.String(length=18), nullable=True))
    # Runs built before this revision carry no snapshot: take it from the payments they made
    # (committed) or the account as it is (not yet committed: they will be stale anyway).
    op.execute(
        """UPDATE run_lines SET
             payee_name = (SELECT a.payee_name FROM accounts a WHERE a.id = run_lines.account_id),
             sort_code = (SELECT a.sort_code FROM accounts a WHERE a.id = run_lines.account_id),
             account_number = (SELECT a.account_number FROM accounts a
                               WHERE a.id = run_lines.account_id)"""
    )
    op.execute(
        """UPDATE run_lines SET outcome = 'withhold', reason = 'No bank details'
           WHERE outcome = 'pay' AND (sort_code IS NULL OR account_number IS NULL)
             AND run_id NOT IN (SELECT id FROM payment_runs WHERE status = 'committed')"""
    )
    with op.batch_alter_table("run_lines") as batch_op:
        batch_op.create_check_constraint(
            "pay_has_payee",
            "outcome = 'withhold' OR (sort_code IS NOT NULL AND account_number IS NOT NULL)",
        )
    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    with op.batch_alter_table("run_lines") as batch_op:
        batch_op.drop_constraint("pay_has_payee", type_="check")
        batch_op.drop_column("payee_reference")
        batch_op.drop_column("account_number")
        batch_op.drop_column("sort_code")
        batch_op.drop_column("payee_name")
    with op.batch_alter_table("payment_runs") as batch_op:
        batch_op.drop_column("late_reason")
    op.drop_index("uq_bank_details_changes_one_pending", table_name="bank_details_changes")
    op.drop_index("ix_bank_details_changes_account_id", table_name="bank_details_changes")
    op.drop_table("bank_details_changes")


# Copied here, not imported, so this revision never changes when the app code does.
TRIGGERS = {
    "sqlite": [
        statement
        for table in APPEND_ONLY
        for statement in (
            f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
            f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
        )
    ],
    "postgresql": [
        """CREATE FUNCTION money_rows_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION '% is append-only: record a correction instead',
           TG_TABLE_NAME; END; $$ LANGUAGE plpgsql""",
        *(
            statement
            for table in APPEND_ONLY
            for statement in (
                f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
                    FOR EACH ROW EXECUTE FUNCTION money_rows_append_only()""",
                f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                    FOR EACH STATEMENT EXECUTE FUNCTION money_rows_append_only()""",
            )
        ),
    ],
}
DROP_TRIGGERS = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {table}_{kind}"
        for table in APPEND_ONLY
        for kind in ("no_update", "no_delete")
    ],
    "postgresql": [
        *(
            f"DROP TRIGGER IF EXISTS {table}_{kind} ON {table}"
            for table in APPEND_ONLY
            for kind in ("no_change", "no_truncate")
        ),
        "DROP FUNCTION IF EXISTS money_rows_append_only()",
    ],
}
