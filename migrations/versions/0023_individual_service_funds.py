"""Option 2 individual service funds (issue 14): providers' services and contacts, agreed
provider rates per service type (day, night, sleepover, two-to-one: existing rates become day
rates, existing provider-hours budget lines day hours), the provider staff role, three-party
agreements in versions with their funded budget lines and on-screen confirmations, and the
tables of delivery: periods (sealed once reconciled), invoices and their lines (held,
released, refused), banked hours, change requests with their conversation, and adjustments.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

SERVICE_TYPES = "service_type IN ('day', 'night', 'sleepover', 'two_to_one')"
OLD_ROLES = "role IN ('recipient', 'finance_officer', 'team_leader', 'brokerage_staff', 'admin')"
NEW_ROLES = (
    "role IN ('recipient', 'finance_officer', 'team_leader', 'brokerage_staff', "
    "'provider_staff', 'admin')"
)


def _existing_tables_up():
    with op.batch_alter_table("provider_rates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("service_type", sa.String(length=16), nullable=False, server_default="day")
        )
    with op.batch_alter_table("provider_rates", schema=None) as batch_op:
        batch_op.alter_column("service_type", server_default=None)
        batch_op.create_check_constraint("service_type", SERVICE_TYPES)
    with op.batch_alter_table("budget_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("service_type", sa.String(length=16), nullable=True))
    op.execute("UPDATE budget_lines SET service_type = 'day' WHERE kind = 'provider_hours'")
    with op.batch_alter_table("budget_lines", schema=None) as batch_op:
        batch_op.create_check_constraint(
            "service_for_option_2", "(kind = 'provider_hours') = (service_type IS NOT NULL)"
        )
        batch_op.create_check_constraint("service_type", f"service_type IS NULL OR {SERVICE_TYPES}")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint("role", NEW_ROLES)
        batch_op.create_check_constraint(
            "provider_has_organisation", "role != 'provider_staff' OR organisation_id IS NOT NULL"
        )


def _existing_tables_down():
    # Provider staff cannot exist under the older schema: they are switched off as members of
    # brokerage staff (their organisation is kept), so nobody signs in with a role it lacks.
    op.execute(
        "UPDATE users SET role = 'brokerage_staff', is_enabled = false "
        "WHERE role = 'provider_staff'"
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_provider_has_organisation"), type_="check")
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint("role", OLD_ROLES)
    # Only day rates were known before: the others go (a budget line priced by one keeps
    # its hours, priced at the provider's day rate).
    op.execute("DELETE FROM provider_rates WHERE service_type != 'day'")
    with op.batch_alter_table("budget_lines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_budget_lines_service_type"), type_="check")
        batch_op.drop_constraint(op.f("ck_budget_lines_service_for_option_2"), type_="check")
        batch_op.drop_column("service_type")
    with op.batch_alter_table("provider_rates", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_provider_rates_service_type"), type_="check")
        batch_op.drop_column("service_type")


def upgrade():
    op.create_table(
        "provider_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("job_title", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_provider_contacts_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_contacts")),
    )
    with op.batch_alter_table("provider_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_contacts_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "isf_invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("provider_reference", sa.String(length=40), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=True),
        sa.Column("stored_name", sa.String(length=64), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("total_pence", sa.Integer(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.CheckConstraint("source IN ('form', 'upload')", name=op.f("ck_isf_invoices_source")),
        sa.CheckConstraint(
            "status IN ('received', 'approved', 'paid', 'rejected')",
            name=op.f("ck_isf_invoices_status"),
        ),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_isf_invoices_dates")),
        sa.CheckConstraint("total_pence >= 0", name=op.f("ck_isf_invoices_total")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_isf_invoices_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_isf_invoices_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_isf_invoices_submitted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_isf_invoices")),
        sa.UniqueConstraint("organisation_id", "provider_reference", name="uq_isf_invoices_ref"),
    )
    with op.batch_alter_table("isf_invoices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_isf_invoices_organisation_status", ["organisation_id", "status"], unique=False
        )

    op.create_table(
        "provider_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("service_type", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "service_type IN ('day', 'night', 'sleepover', 'two_to_one')",
            name=op.f("ck_provider_services_service_type"),
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_provider_services_added_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_provider_services_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_services")),
        sa.UniqueConstraint("organisation_id", "service_type", name="uq_provider_services_type"),
    )
    op.create_table(
        "isf_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_isf_agreements_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_isf_agreements_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_isf_agreements_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_isf_agreements")),
    )
    with op.batch_alter_table("isf_agreements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_isf_agreements_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_isf_agreements_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "isf_agreement_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("annual_budget_pence", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("representative_id", sa.Integer(), nullable=True),
        sa.Column("money_holder", sa.String(length=16), nullable=False),
        sa.Column("payment_basis", sa.String(length=16), nullable=False),
        sa.Column("management_fee_bp", sa.Integer(), nullable=False),
        sa.Column("contribution_to", sa.String(length=16), nullable=False),
        sa.Column("bankable_hours_hundredths", sa.Integer(), nullable=False),
        sa.Column("reporting_frequency", sa.String(length=16), nullable=False),
        sa.Column("underspend", sa.String(length=16), nullable=False),
        sa.Column("change_note", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status IN ('active', 'superseded', 'ended')) = (activated_at IS NOT NULL)",
            name=op.f("ck_isf_agreement_versions_activated"),
        ),
        sa.CheckConstraint(
            "contribution_to IN ('provider', 'council', 'none')",
            name=op.f("ck_isf_agreement_versions_contribution"),
        ),
        sa.CheckConstraint(
            "money_holder = 'council' OR payment_basis = 'scheduled'",
            name=op.f("ck_isf_agreement_versions_provider_held_paid"),
        ),
        sa.CheckConstraint(
            "money_holder IN ('council', 'provider')",
            name=op.f("ck_isf_agreement_versions_money_holder"),
        ),
        sa.CheckConstraint(
            "payment_basis IN ('scheduled', 'invoice')",
            name=op.f("ck_isf_agreement_versions_payment_basis"),
        ),
        sa.CheckConstraint(
            "reporting_frequency IN ('four_weekly', 'monthly', 'quarterly')",
            name=op.f("ck_isf_agreement_versions_reporting"),
        ),
        sa.CheckConstraint(
            "status IN ('awaiting', 'active', 'superseded', 'withdrawn', 'ended')",
            name=op.f("ck_isf_agreement_versions_status"),
        ),
        sa.CheckConstraint(
            "underspend IN ('reviewed', 'returned', 'carried')",
            name=op.f("ck_isf_agreement_versions_underspend"),
        ),
        sa.CheckConstraint(
            "annual_budget_pence > 0", name=op.f("ck_isf_agreement_versions_budget_positive")
        ),
        sa.CheckConstraint(
            "bankable_hours_hundredths >= 0", name=op.f("ck_isf_agreement_versions_bankable_hours")
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_isf_agreement_versions_dates")
        ),
        sa.CheckConstraint(
            "management_fee_bp >= 0 AND management_fee_bp <= 10000",
            name=op.f("ck_isf_agreement_versions_management_fee"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["isf_agreements.id"],
            name=op.f("fk_isf_agreement_versions_agreement_id_isf_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budgets.id"], name=op.f("fk_isf_agreement_versions_budget_id_budgets")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_isf_agreement_versions_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["representative_id"],
            ["representatives.id"],
            name=op.f("fk_isf_agreement_versions_representative_id_representatives"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_isf_agreement_versions")),
        sa.UniqueConstraint("agreement_id", "version", name="uq_isf_agreement_versions_version"),
    )
    with op.batch_alter_table("isf_agreement_versions", schema=None) as batch_op:
        batch_op.create_index(
            "uq_isf_agreement_versions_one_active",
            ["agreement_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.create_index(
            "uq_isf_agreement_versions_one_awaiting",
            ["agreement_id"],
            unique=True,
            sqlite_where=sa.text("status = 'awaiting'"),
            postgresql_where=sa.text("status = 'awaiting'"),
        )

    op.create_table(
        "isf_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("planned_hours_hundredths", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sealed_by_id", sa.Integer(), nullable=True),
        sa.Column("sealed_invoice_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(status = 'sealed') = (sealed_at IS NOT NULL)", name=op.f("ck_isf_periods_sealed_at")
        ),
        sa.CheckConstraint("status IN ('open', 'sealed')", name=op.f("ck_isf_periods_status")),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_isf_periods_dates")),
        sa.CheckConstraint("planned_hours_hundredths >= 0", name=op.f("ck_isf_periods_planned")),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["isf_agreements.id"],
            name=op.f("fk_isf_periods_agreement_id_isf_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["sealed_by_id"], ["users.id"], name=op.f("fk_isf_periods_sealed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["sealed_invoice_id"],
            ["isf_invoices.id"],
            name=op.f("fk_isf_periods_sealed_invoice_id_isf_invoices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_isf_periods")),
        sa.UniqueConstraint("agreement_id", "period_start", name="uq_isf_periods_start"),
    )
    op.create_table(
        "isf_banked_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=True),
        sa.Column("year_start", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("hours_hundredths", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('banked', 'used', 'over_limit')", name=op.f("ck_isf_banked_hours_kind")
        ),
        sa.CheckConstraint("hours_hundredths > 0", name=op.f("ck_isf_banked_hours_hours")),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["isf_agreements.id"],
            name=op.f("fk_isf_banked_hours_agreement_id_isf_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_isf_banked_hours_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["isf_periods.id"],
            name=op.f("fk_isf_banked_hours_period_id_isf_periods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_isf_banked_hours")),
    )
    with op.batch_alter_table("isf_banked_hours", schema=None) as batch_op:
        batch_op.create_index(
            "ix_isf_banked_hours_agreement_year", ["agreement_id", "year_start"], unique=False
        )

    op.create_table(
        "isf_change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_party", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("hours_hundredths", sa.Integer(), nullable=True),
        sa.Column("amount_pence", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status IN ('agreed', 'refused')) = (decided_at IS NOT NULL)",
            name=op.f("ck_isf_change_requests_decided"),
        ),
        sa.CheckConstraint(
            "raised_by_party IN ('provider', 'council')", name=op.f("ck_isf_change_requests_party")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'answered', 'agreed', 'refused', 'overdue')",
            name=op.f("ck_isf_change_requests_status"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["isf_agreements.id"],
            name=op.f("fk_isf_change_requests_agreement_id_isf_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_isf_change_requests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["isf_periods.id"],
            name=op.f("fk_isf_change_requests_period_id_isf_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["users.id"], name=op.f("fk_isf_change_requests_raised_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_isf_change_requests")),
    )
    with op.batch_alter_table("isf_change_requests", schema=None) as batch_op:
        batch_op.create_index("ix_isf_change_requests_agreement_id", ["agreement_id"], unique=False)
        batch_op.create_index(
            "ix_isf_change_requests_status_due", ["status", "due_on"], unique=False
        )

    op.create_table(
        "isf_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "party IN ('person', 'council', 'provider')", name=op.f("ck_isf_confirmations_party")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_isf_confirmations_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["isf_agreement_versions.id"],
            name=op.f("fk_isf_confirmations_version_id_isf_agreement_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_isf_confirmations")),
        sa.UniqueConstraint("version_id", "party", name="uq_isf_confirmations_party"),
    )
    op.create_table(
        "isf_funded_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("budget_line_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_line_id"],
            ["budget_lines.id"],
            name=op.f("fk_isf_funded_lines_budget_line_id_budget_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["isf_agreement_versions.id"],
            name=op.f("fk_isf_funded_lines_version_id_isf_agreement_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_isf_funded_lines")),
        sa.UniqueConstraint("version_id", "budget_line_id", name="uq_isf_funded_lines_line"),
    )
    op.create_table(
        "isf_invoice_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("service_type", sa.String(length=16), nullable=False),
        sa.Column("hours_hundredths", sa.Integer(), nullable=False),
        sa.Column("rate_pence", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("hold_reason", sa.String(length=300), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "service_type IN ('day', 'night', 'sleepover', 'two_to_one')",
            name=op.f("ck_isf_invoice_lines_service_type"),
        ),
        sa.CheckConstraint(
            "state != 'held' OR hold_reason IS NOT NULL",
            name=op.f("ck_isf_invoice_lines_held_reason"),
        ),
        sa.CheckConstraint(
            "state IN ('accepted', 'held', 'released', 'refused')",
            name=op.f("ck_isf_invoice_lines_state"),
        ),
        sa.CheckConstraint(
            "state NOT IN ('released', 'refused') OR (decided_by_id IS NOT NULL AND decision_note IS NOT NULL)",
            name=op.f("ck_isf_invoice_lines_decided"),
        ),
        sa.CheckConstraint("hours_hundredths > 0", name=op.f("ck_isf_invoice_lines_hours")),
        sa.CheckConstraint(
            "rate_pence > 0 AND amount_pence >= 0", name=op.f("ck_isf_invoice_lines_money")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_isf_invoice_lines_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["isf_agreements.id"],
            name=op.f("fk_isf_invoice_lines_agreement_id_isf_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_isf_invoice_lines_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["isf_invoices.id"],
            name=op.f("fk_isf_invoice_lines_invoice_id_isf_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_isf_invoice_lines_payment_id_payments")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["isf_periods.id"],
            name=op.f("fk_isf_invoice_lines_period_id_isf_periods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_isf_invoice_lines")),
    )
    with op.batch_alter_table("isf_invoice_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_isf_invoice_lines_agreement_period", ["agreement_id", "period_id"], unique=False
        )
        batch_op.create_index("ix_isf_invoice_lines_invoice_id", ["invoice_id"], unique=False)
        batch_op.create_index("ix_isf_invoice_lines_state", ["state"], unique=False)

    op.create_table(
        "isf_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_request_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("hours_hundredths", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status != 'paid' OR payment_id IS NOT NULL",
            name=op.f("ck_isf_adjustments_paid_has_payment"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'paid', 'cancelled')", name=op.f("ck_isf_adjustments_status")
        ),
        sa.CheckConstraint("amount_pence != 0", name=op.f("ck_isf_adjustments_not_zero")),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["isf_agreements.id"],
            name=op.f("fk_isf_adjustments_agreement_id_isf_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["change_request_id"],
            ["isf_change_requests.id"],
            name=op.f("fk_isf_adjustments_change_request_id_isf_change_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_isf_adjustments_payment_id_payments")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["isf_periods.id"], name=op.f("fk_isf_adjustments_period_id_isf_periods")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["payment_runs.id"], name=op.f("fk_isf_adjustments_run_id_payment_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_isf_adjustments")),
        sa.UniqueConstraint("change_request_id", name=op.f("uq_isf_adjustments_change_request_id")),
    )
    with op.batch_alter_table("isf_adjustments", schema=None) as batch_op:
        batch_op.create_index("ix_isf_adjustments_status", ["status"], unique=False)

    op.create_table(
        "isf_change_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_request_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "party IN ('provider', 'council')", name=op.f("ck_isf_change_messages_party")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_isf_change_messages_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["change_request_id"],
            ["isf_change_requests.id"],
            name=op.f("fk_isf_change_messages_change_request_id_isf_change_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_isf_change_messages")),
    )
    with op.batch_alter_table("isf_change_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_isf_change_messages_change_request_id"),
            ["change_request_id"],
            unique=False,
        )

    _existing_tables_up()


def downgrade():
    _existing_tables_down()

    with op.batch_alter_table("isf_change_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_isf_change_messages_change_request_id"))

    op.drop_table("isf_change_messages")
    with op.batch_alter_table("isf_adjustments", schema=None) as batch_op:
        batch_op.drop_index("ix_isf_adjustments_status")

    op.drop_table("isf_adjustments")
    with op.batch_alter_table("isf_invoice_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_isf_invoice_lines_state")
        batch_op.drop_index("ix_isf_invoice_lines_invoice_id")
        batch_op.drop_index("ix_isf_invoice_lines_agreement_period")

    op.drop_table("isf_invoice_lines")
    op.drop_table("isf_funded_lines")
    op.drop_table("isf_confirmations")
    with op.batch_alter_table("isf_change_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_isf_change_requests_status_due")
        batch_op.drop_index("ix_isf_change_requests_agreement_id")

    op.drop_table("isf_change_requests")
    with op.batch_alter_table("isf_banked_hours", schema=None) as batch_op:
        batch_op.drop_index("ix_isf_banked_hours_agreement_year")

    op.drop_table("isf_banked_hours")
    op.drop_table("isf_periods")
    with op.batch_alter_table("isf_agreement_versions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_isf_agreement_versions_one_awaiting",
            sqlite_where=sa.text("status = 'awaiting'"),
            postgresql_where=sa.text("status = 'awaiting'"),
        )
        batch_op.drop_index(
            "uq_isf_agreement_versions_one_active",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.drop_table("isf_agreement_versions")
    with op.batch_alter_table("isf_agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_isf_agreements_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_isf_agreements_account_id"))

    op.drop_table("isf_agreements")
    op.drop_table("provider_services")
    with op.batch_alter_table("isf_invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_isf_invoices_organisation_status")

    op.drop_table("isf_invoices")
    with op.batch_alter_table("provider_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_contacts_organisation_id"))

    op.drop_table("provider_contacts")
