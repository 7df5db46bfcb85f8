"""Rates, uplifts, provider rates, budgets, payment runs, payments and the account ledger.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Partial unique indexes make payments exactly-once: one live run per period, and one regular
payment per account, period and payee.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "payment_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_index", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("pay_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total_pence", sa.BigInteger(), nullable=False),
        sa.Column("payment_count", sa.Integer(), nullable=False),
        sa.Column("withheld_count", sa.Integer(), nullable=False),
        sa.Column("built_by_id", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("committed_by_id", sa.Integer(), nullable=True),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('built', 'approved', 'committed', 'cancelled')",
            name=op.f("ck_payment_runs_status"),
        ),
        sa.CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id != built_by_id",
            name=op.f("ck_payment_runs_two_officers"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_payment_runs_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["built_by_id"], ["users.id"], name=op.f("fk_payment_runs_built_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["committed_by_id"], ["users.id"], name=op.f("fk_payment_runs_committed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_runs")),
    )
    with op.batch_alter_table("payment_runs", schema=None) as batch_op:
        batch_op.create_index(
            "uq_payment_runs_live_period",
            ["period_index"],
            unique=True,
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        )

    op.create_table(
        "rate_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("source_note", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('living_wage', 'holiday_pct', 'pension_pct', 'ni_pct', 'insurance_per_hour', 'payroll_per_hour', 'contingency_per_hour')",
            name=op.f("ck_rate_rows_kind"),
        ),
        sa.CheckConstraint("value >= 0", name=op.f("ck_rate_rows_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_rate_rows_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_rows")),
    )
    with op.batch_alter_table("rate_rows", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rate_rows_kind_effective_from", ["kind", "effective_from"], unique=False
        )

    op.create_table(
        "budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("weekly_contribution_pence", sa.Integer(), nullable=False),
        sa.Column("contribution_basis", sa.String(length=8), nullable=False),
        sa.Column("weekly_at_proposal_pence", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "contribution_basis IN ('net', 'gross')", name=op.f("ck_budgets_contribution_basis")
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'approved', 'rejected')", name=op.f("ck_budgets_status")
        ),
        sa.CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id != proposed_by_id",
            name=op.f("ck_budgets_no_self_approval"),
        ),
        sa.CheckConstraint(
            "weekly_contribution_pence >= 0", name=op.f("ck_budgets_contribution_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_budgets_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_budgets_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_budgets_proposed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
        sa.UniqueConstraint("account_id", "version", name="uq_budgets_account_version"),
    )
    with op.batch_alter_table("budgets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_budgets_account_effective", ["account_id", "status", "effective_from"], unique=False
        )

    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("period_index", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("payee_type", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("pay_date", sa.Date(), nullable=False),
        sa.Column("breakdown_json", sa.Text(), nullable=False),
        sa.Column("corrects_payment_id", sa.Integer(), nullable=True),
        sa.Column("payee_name", sa.String(length=18), nullable=True),
        sa.Column("sort_code", sa.String(length=6), nullable=True),
        sa.Column("account_number", sa.String(length=8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'adjustment') = (corrects_payment_id IS NOT NULL)",
            name=op.f("ck_payments_adjustment_refers"),
        ),
        sa.CheckConstraint(
            "kind IN ('regular', 'arrears', 'adjustment')", name=op.f("ck_payments_kind")
        ),
        sa.CheckConstraint(
            "payee_type IN ('person', 'organisation')", name=op.f("ck_payments_payee_type")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_payments_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["corrects_payment_id"],
            ["payments.id"],
            name=op.f("fk_payments_corrects_payment_id_payments"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["payment_runs.id"], name=op.f("fk_payments_run_id_payment_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_run_id", ["run_id"], unique=False)
        batch_op.create_index(
            "ix_payments_corrects_payment_id", ["corrects_payment_id"], unique=False
        )
        batch_op.create_index(
            "ix_payments_account_pay_date", ["account_id", "pay_date"], unique=False
        )
        batch_op.create_index(
            "uq_payments_once_per_period",
            ["account_id", "period_index", "payee_type"],
            unique=True,
            sqlite_where=sa.text("kind = 'regular'"),
            postgresql_where=sa.text("kind = 'regular'"),
        )

    op.create_table(
        "run_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("payee_type", sa.String(length=16), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("arrears_pence", sa.Integer(), nullable=False),
        sa.Column("contribution_pence", sa.Integer(), nullable=False),
        sa.Column("invoice_pence", sa.Integer(), nullable=False),
        sa.Column("offset_pence", sa.Integer(), nullable=False),
        sa.Column("sds_option", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("breakdown_json", sa.Text(), nullable=False),
        sa.CheckConstraint("outcome IN ('pay', 'withhold')", name=op.f("ck_run_lines_outcome")),
        sa.CheckConstraint(
            "payee_type IN ('person', 'organisation')", name=op.f("ck_run_lines_payee_type")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_run_lines_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["payment_runs.id"], name=op.f("fk_run_lines_run_id_payment_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_lines")),
        sa.UniqueConstraint("run_id", "account_id", name="uq_run_lines_run_account"),
    )
    op.create_table(
        "uplifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("old_wage_pence", sa.Integer(), nullable=False),
        sa.Column("new_wage_pence", sa.Integer(), nullable=False),
        sa.Column("percentage", sa.String(length=12), nullable=False),
        sa.Column("rate_row_id", sa.Integer(), nullable=False),
        sa.Column("accounts_affected", sa.Integer(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["applied_by_id"], ["users.id"], name=op.f("fk_uplifts_applied_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["rate_row_id"], ["rate_rows.id"], name=op.f("fk_uplifts_rate_row_id_rate_rows")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uplifts")),
        sa.UniqueConstraint("effective_from", name=op.f("uq_uplifts_effective_from")),
    )
    op.create_table(
        "budget_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=120), nullable=False),
        sa.Column("hours_hundredths", sa.Integer(), nullable=True),
        sa.Column("amount_pence", sa.Integer(), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'provider_hours') = (provider_id IS NOT NULL)",
            name=op.f("ck_budget_lines_provider_for_option_2"),
        ),
        sa.CheckConstraint(
            "(kind IN ('fixed_weekly', 'fixed_annual')) = (amount_pence IS NOT NULL)",
            name=op.f("ck_budget_lines_amount_for_fixed_lines"),
        ),
        sa.CheckConstraint(
            "(kind IN ('pa_hours', 'provider_hours')) = (hours_hundredths IS NOT NULL)",
            name=op.f("ck_budget_lines_hours_for_hours_lines"),
        ),
        sa.CheckConstraint(
            "kind IN ('pa_hours', 'provider_hours', 'fixed_weekly', 'fixed_annual')",
            name=op.f("ck_budget_lines_kind"),
        ),
        sa.CheckConstraint(
            "amount_pence IS NULL OR amount_pence > 0", name=op.f("ck_budget_lines_amount_positive")
        ),
        sa.CheckConstraint(
            "hours_hundredths IS NULL OR hours_hundredths > 0",
            name=op.f("ck_budget_lines_hours_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budgets.id"], name=op.f("fk_budget_lines_budget_id_budgets")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organisations.id"],
            name=op.f("fk_budget_lines_provider_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_lines")),
    )
    with op.batch_alter_table("budget_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_lines_budget_id"), ["budget_id"], unique=False)

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('payment', 'contribution', 'recovery', 'adjustment')",
            name=op.f("ck_ledger_entries_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_ledger_entries_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_ledger_entries_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_entries_account_date", ["account_id", "entry_date"], unique=False
        )

    op.create_table(
        "provider_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("hourly_pence", sa.Integer(), nullable=False),
        sa.Column("source_note", sa.String(length=300), nullable=False),
        sa.Column("uplift_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("hourly_pence > 0", name=op.f("ck_provider_rates_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_provider_rates_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_provider_rates_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["uplift_id"], ["uplifts.id"], name=op.f("fk_provider_rates_uplift_id_uplifts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_rates")),
    )
    with op.batch_alter_table("provider_rates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_provider_rates_org_effective_from",
            ["organisation_id", "effective_from"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("provider_rates", schema=None) as batch_op:
        batch_op.drop_index("ix_provider_rates_org_effective_from")

    op.drop_table("provider_rates")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entries_account_date")

    op.drop_table("ledger_entries")
    with op.batch_alter_table("budget_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_lines_budget_id"))

    op.drop_table("budget_lines")
    op.drop_table("uplifts")
    op.drop_table("run_lines")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_payments_once_per_period",
            sqlite_where=sa.text("kind = 'regular'"),
            postgresql_where=sa.text("kind = 'regular'"),
        )
        batch_op.drop_index("ix_payments_run_id")
        batch_op.drop_index("ix_payments_corrects_payment_id")
        batch_op.drop_index("ix_payments_account_pay_date")

    op.drop_table("payments")
    with op.batch_alter_table("budgets", schema=None) as batch_op:
        batch_op.drop_index("ix_budgets_account_effective")

    op.drop_table("budgets")
    with op.batch_alter_table("rate_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_rate_rows_kind_effective_from")

    op.drop_table("rate_rows")
    with op.batch_alter_table("payment_runs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_payment_runs_live_period",
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        )

    op.drop_table("payment_runs")
