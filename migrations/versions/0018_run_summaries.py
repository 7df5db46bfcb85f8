"""A payment run keeps its totals and its changes since the last committed run (worked out
once, at the build), and accounts index when their bank details last changed: the run's page
then reads a few rows instead of adding up and comparing 100,000 lines on every view.

Runs built before this migration have no summary: their page works it out as before.

The trigger stamps `bank_details_changed_at` whenever an account's bank details change without
it (an UPDATE made outside the app, say), so that a run's check for payees who moved since it
was built can read that column's index and still catch what skipped the audit log. SQLite's
batch mode rebuilds a table without its triggers: a later migration that alters `accounts` in
batch mode must create this trigger again (tests/payments/test_run_controls.py fails if not).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# Set only when the change did not set it itself (the approval sets its own decision time).
TRIGGER = {
    "sqlite": [
        # SQLite's 'now' is UTC; the '000' makes the six decimals SQLAlchemy writes and reads.
        """
        CREATE TRIGGER accounts_bank_details_stamped
        AFTER UPDATE OF payee_name, sort_code, account_number ON accounts
        FOR EACH ROW
        WHEN (NEW.payee_name IS NOT OLD.payee_name
              OR NEW.sort_code IS NOT OLD.sort_code
              OR NEW.account_number IS NOT OLD.account_number)
         AND NEW.bank_details_changed_at IS OLD.bank_details_changed_at
        BEGIN
            UPDATE accounts SET bank_details_changed_at = strftime('%Y-%m-%d %H:%M:%f000', 'now')
            WHERE id = NEW.id;
        END
        """
    ],
    "postgresql": [
        """
        CREATE FUNCTION accounts_bank_details_stamped() RETURNS trigger AS $$
        BEGIN
            IF (NEW.payee_name, NEW.sort_code, NEW.account_number)
                   IS DISTINCT FROM (OLD.payee_name, OLD.sort_code, OLD.account_number)
               AND NEW.bank_details_changed_at IS NOT DISTINCT FROM OLD.bank_details_changed_at
            THEN
                NEW.bank_details_changed_at := clock_timestamp();
            END IF;
            RETURN NEW;
        END
        $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER accounts_bank_details_stamped BEFORE UPDATE ON accounts
        FOR EACH ROW EXECUTE FUNCTION accounts_bank_details_stamped()
        """,
    ],
}
DROP_TRIGGER = {
    "sqlite": ["DROP TRIGGER accounts_bank_details_stamped"],
    "postgresql": [
        "DROP TRIGGER accounts_bank_details_stamped ON accounts",
        "DROP FUNCTION accounts_bank_details_stamped()",
    ],
}


def upgrade():
    with op.batch_alter_table("payment_runs") as batch:
        batch.add_column(sa.Column("summarised_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("compared_with_run_id", sa.Integer()))
        batch.create_foreign_key(
            "fk_payment_runs_compared_with_run_id_payment_runs",
            "payment_runs",
            ["compared_with_run_id"],
            ["id"],
        )
    op.create_table(
        "run_totals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("sds_option", sa.Integer()),
        sa.Column("payee_type", sa.String(16)),
        sa.Column("reason", sa.String(200)),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("total_pence", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("outcome IN ('pay', 'withhold')", name=op.f("ck_run_totals_outcome")),
        sa.CheckConstraint("lines > 0", name=op.f("ck_run_totals_lines")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["payment_runs.id"], name=op.f("fk_run_totals_run_id_payment_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_totals")),
    )
    op.create_index("ix_run_totals_run_id", "run_totals", ["run_id"])
    op.create_table(
        "run_changes",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("before_pence", sa.Integer()),
        sa.Column("new_payee", sa.Boolean(), nullable=False),
        sa.Column("new_bank_details", sa.Boolean(), nullable=False),
        sa.Column("big_change", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["payment_runs.id"], name=op.f("fk_run_changes_run_id_payment_runs")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_run_changes_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("run_id", "account_id", name=op.f("pk_run_changes")),
    )
    op.create_table(
        "run_page_starts",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("first_account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["payment_runs.id"], name=op.f("fk_run_page_starts_run_id_payment_runs")
        ),
        sa.PrimaryKeyConstraint("run_id", "page", name=op.f("pk_run_page_starts")),
    )
    op.create_table(
        "run_changers",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["payment_runs.id"], name=op.f("fk_run_changers_run_id_payment_runs")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_run_changers_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("run_id", "action", "actor_id", name=op.f("pk_run_changers")),
    )
    op.create_index("ix_accounts_bank_details_changed_at", "accounts", ["bank_details_changed_at"])
    for statement in TRIGGER[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in DROP_TRIGGER[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_index("ix_accounts_bank_details_changed_at", table_name="accounts")
    op.drop_table("run_changers")
    op.drop_table("run_page_starts")
    op.drop_table("run_changes")
    op.drop_table("run_totals")
    with op.batch_alter_table("payment_runs") as batch:
        batch.drop_constraint(
            "fk_payment_runs_compared_with_run_id_payment_runs", type_="foreignkey"
        )
        batch.drop_column("compared_with_run_id")
        batch.drop_column("summarised_at")
