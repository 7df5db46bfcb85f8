"""PA employers: handbook sections and versions, the employer cost rates (with the published
figures for 2024/25 to 2026/27), employer files, the checklist, and the Charter Mark (criteria
versions with the default criteria, applications, answers, awards, renewal reminders).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "handbook_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("stage", sa.String(length=24), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "stage IN ('deciding', 'first_steps', 'being_an_employer', 'ending')",
            name=op.f("ck_handbook_sections_stage"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handbook_sections")),
        sa.UniqueConstraint("slug", name=op.f("uq_handbook_sections_slug")),
    )
    op.create_table(
        "charter_criteria_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_charter_criteria_versions_published_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charter_criteria_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_charter_criteria_versions_version")),
    )
    op.create_table(
        "employer_cost_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("source_note", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('ni_rate', 'ni_secondary_threshold', 'employment_allowance', 'pension_trigger', 'pension_lower', 'pension_upper', 'pension_employer_rate', 'holiday_rate')",
            name=op.f("ck_employer_cost_rates_kind"),
        ),
        sa.CheckConstraint("value >= 0", name=op.f("ck_employer_cost_rates_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_employer_cost_rates_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_cost_rates")),
    )
    with op.batch_alter_table("employer_cost_rates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_employer_cost_rates_kind_effective_from", ["kind", "effective_from"], unique=False
        )

    op.create_table(
        "handbook_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("body_markdown", sa.Text(), nullable=False),
        sa.Column("change_note", sa.String(length=300), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_handbook_versions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_handbook_versions_published_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["handbook_sections.id"],
            name=op.f("fk_handbook_versions_section_id_handbook_sections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handbook_versions")),
        sa.UniqueConstraint("section_id", "version", name="uq_handbook_versions_section_version"),
    )
    with op.batch_alter_table("handbook_versions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_handbook_versions_section_published", ["section_id", "published_at"], unique=False
        )

    op.create_table(
        "charter_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("criteria_version_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("declaration", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'more_info', 'awarded', 'declined', 'withdrawn')",
            name=op.f("ck_charter_applications_status"),
        ),
        sa.CheckConstraint(
            "tier IN ('supporter', 'holder')", name=op.f("ck_charter_applications_tier")
        ),
        sa.CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id != created_by_id",
            name=op.f("ck_charter_applications_not_own_review"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_charter_applications_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_charter_applications_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["criteria_version_id"],
            ["charter_criteria_versions.id"],
            name=op.f("fk_charter_applications_criteria_version_id_charter_criteria_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_charter_applications_decided_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charter_applications")),
    )
    with op.batch_alter_table("charter_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_charter_applications_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            "ix_charter_applications_status", ["status", "submitted_at"], unique=False
        )

    op.create_table(
        "charter_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("criteria_version_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("evidence_hint", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["criteria_version_id"],
            ["charter_criteria_versions.id"],
            name=op.f("fk_charter_criteria_criteria_version_id_charter_criteria_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charter_criteria")),
        sa.UniqueConstraint("criteria_version_id", "key", name="uq_charter_criteria_version_key"),
    )
    op.create_table(
        "checklist_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=32), nullable=False),
        sa.Column("renews_on", sa.Date(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_checklist_reminders_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_reminders")),
        sa.UniqueConstraint(
            "account_id", "item_key", "renews_on", name="uq_checklist_reminders_once"
        ),
    )
    op.create_table(
        "employer_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('checklist', 'charter')", name=op.f("ck_employer_files_purpose")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_employer_files_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_employer_files_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_files")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_employer_files_stored_name")),
    )
    with op.batch_alter_table("employer_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_employer_files_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "charter_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("finding", sa.String(length=16), nullable=True),
        sa.Column("finding_message", sa.Text(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "finding IS NULL OR finding IN ('met', 'more_info', 'unmet')",
            name=op.f("ck_charter_answers_finding"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["charter_applications.id"],
            name=op.f("fk_charter_answers_application_id_charter_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["charter_criteria.id"],
            name=op.f("fk_charter_answers_criterion_id_charter_criteria"),
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["employer_files.id"],
            name=op.f("fk_charter_answers_file_id_employer_files"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_charter_answers_reviewed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charter_answers")),
        sa.UniqueConstraint("application_id", "criterion_id", name="uq_charter_answers_criterion"),
    )
    op.create_table(
        "charter_awards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("awarded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("tier IN ('supporter', 'holder')", name=op.f("ck_charter_awards_tier")),
        sa.CheckConstraint("expires_on > starts_on", name=op.f("ck_charter_awards_dates")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_charter_awards_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["charter_applications.id"],
            name=op.f("fk_charter_awards_application_id_charter_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["awarded_by_id"], ["users.id"], name=op.f("fk_charter_awards_awarded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charter_awards")),
        sa.UniqueConstraint("application_id", name=op.f("uq_charter_awards_application_id")),
        sa.UniqueConstraint("number", name=op.f("uq_charter_awards_number")),
    )
    with op.batch_alter_table("charter_awards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_charter_awards_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index("ix_charter_awards_expires_on", ["expires_on"], unique=False)

    op.create_table(
        "checklist_ticks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=32), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("renews_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "renews_on IS NULL OR renews_on > done_on",
            name=op.f("ck_checklist_ticks_renews_after_done"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_checklist_ticks_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["employer_files.id"],
            name=op.f("fk_checklist_ticks_file_id_employer_files"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_checklist_ticks_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_ticks")),
    )
    with op.batch_alter_table("checklist_ticks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checklist_ticks_account_item", ["account_id", "item_key", "id"], unique=False
        )

    op.create_table(
        "charter_renewal_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_id"],
            ["charter_awards.id"],
            name=op.f("fk_charter_renewal_reminders_award_id_charter_awards"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charter_renewal_reminders")),
        sa.UniqueConstraint("award_id", "days_before", name="uq_charter_renewal_reminders_once"),
    )

    _seed()


# The published figures (shared/facts/rates.md), copied here so this revision never changes.
# Pence (a week, or a year for the allowance) or hundredths of a percent.
TAX_YEARS = {
    date(2024, 4, 6): ("2024 to 2025", 1380, 17500, 500000),
    date(2025, 4, 6): ("2025 to 2026", 1500, 9600, 1050000),
    date(2026, 4, 6): ("2026 to 2027", 1500, 9600, 1050000),
}
PENSION = [
    (
        "pension_trigger",
        19200,
        "The Pensions Regulator: earnings trigger £10,000 a year (£192 a week)",
    ),
    (
        "pension_lower",
        12000,
        "The Pensions Regulator: qualifying earnings from £6,240 a year (£120 a week)",
    ),
    (
        "pension_upper",
        96700,
        "The Pensions Regulator: qualifying earnings to £50,270 a year (£967 a week)",
    ),
    (
        "pension_employer_rate",
        300,
        "The Pensions Regulator: minimum employer contribution 3% of qualifying earnings",
    ),
    (
        "holiday_rate",
        1207,
        "Holiday accrual 12.07% of hours worked (5.6 / 46.4) for irregular-hours workers, leave years from 1 April 2024",
    ),
]
# shared/design.md 2.6: the default criteria (an administrator publishes new versions).
CRITERIA = [
    (
        "minimum_pay",
        "Pays at least the Scottish minimum for adult social care, sleepovers included",
        "Payslips or a pay record showing the hourly rate",
    ),
    (
        "written_contract",
        "Gives a written contract or statement on or before the first day",
        "A copy of a contract or written statement (names can be covered)",
    ),
    (
        "holiday",
        "Works out holiday correctly and shows it on payslips",
        "A payslip or holiday record",
    ),
    (
        "payroll",
        "Runs payroll through HMRC's Real Time Information, with payslips",
        "A payslip, or a letter from your payroll service",
    ),
    (
        "pension",
        "Meets the workplace pension duties",
        "Your declaration of compliance, or a letter from your pension scheme",
    ),
    ("insurance", "Has current employer's liability insurance", "The insurance certificate"),
    (
        "pvg",
        "Checks each PA through the PVG scheme (Disclosure Scotland)",
        "The PVG record or confirmation for each PA",
    ),
    (
        "induction",
        "Has an induction and training plan for each PA",
        "The plan, or a training record",
    ),
    (
        "supervision",
        "Holds regular supervision and wellbeing check-ins",
        "Notes or a record of the last check-in",
    ),
    (
        "rota",
        "Gives fair notice of rotas and pays for short-notice cancellations",
        "Your rota or cancellation arrangement",
    ),
    ("sick_pay", "Has a sick pay policy", "The policy"),
    ("grievance", "Has a grievance and mediation route", "The grievance procedure"),
    (
        "records",
        "Keeps records safely, as UK GDPR requires",
        "A short note of how records are kept",
    ),
    (
        "risk_assessment",
        "Has risk assessments for moving and assisting and for medication",
        "The risk assessments",
    ),
]


def _seed():
    now = datetime.now(UTC)
    rates = sa.table(
        "employer_cost_rates",
        sa.column("kind", sa.String),
        sa.column("effective_from", sa.Date),
        sa.column("value", sa.Integer),
        sa.column("source_note", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    rows = []
    for start, (year, ni_rate, threshold, allowance) in TAX_YEARS.items():
        rows += [
            (
                "ni_rate",
                start,
                ni_rate,
                f"HMRC rates and thresholds for employers {year}: Class 1 secondary rate",
            ),
            (
                "ni_secondary_threshold",
                start,
                threshold,
                f"HMRC rates and thresholds for employers {year}: secondary threshold a week",
            ),
            (
                "employment_allowance",
                start,
                allowance,
                f"HMRC Employment Allowance {year} (NIM06520: individuals employing care and support workers may claim)",
            ),
        ]
    rows += [(kind, date(2024, 4, 6), value, note) for kind, value, note in PENSION]
    op.bulk_insert(
        rates,
        [
            {"kind": k, "effective_from": d, "value": v, "source_note": n, "created_at": now}
            for k, d, v, n in rows
        ],
    )
    versions = sa.table(
        "charter_criteria_versions",
        sa.column("id", sa.Integer),
        sa.column("version", sa.Integer),
        sa.column("note", sa.String),
        sa.column("published_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        versions,
        [{"id": 1, "version": 1, "note": "The council's default criteria", "published_at": now}],
    )
    criteria = sa.table(
        "charter_criteria",
        sa.column("criteria_version_id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("position", sa.Integer),
        sa.column("title", sa.String),
        sa.column("description", sa.Text),
        sa.column("evidence_hint", sa.String),
    )
    op.bulk_insert(
        criteria,
        [
            {
                "criteria_version_id": 1,
                "key": key,
                "position": n,
                "title": title,
                "description": "",
                "evidence_hint": hint,
            }
            for n, (key, title, hint) in enumerate(CRITERIA, start=1)
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('charter_criteria_versions', 'id'), "
            "(SELECT max(id) FROM charter_criteria_versions))"
        )


def downgrade():
    op.drop_table("charter_renewal_reminders")
    with op.batch_alter_table("checklist_ticks", schema=None) as batch_op:
        batch_op.drop_index("ix_checklist_ticks_account_item")

    op.drop_table("checklist_ticks")
    with op.batch_alter_table("charter_awards", schema=None) as batch_op:
        batch_op.drop_index("ix_charter_awards_expires_on")
        batch_op.drop_index(batch_op.f("ix_charter_awards_account_id"))

    op.drop_table("charter_awards")
    op.drop_table("charter_answers")
    with op.batch_alter_table("employer_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employer_files_account_id"))

    op.drop_table("employer_files")
    op.drop_table("checklist_reminders")
    op.drop_table("charter_criteria")
    with op.batch_alter_table("charter_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_charter_applications_status")
        batch_op.drop_index(batch_op.f("ix_charter_applications_account_id"))

    op.drop_table("charter_applications")
    with op.batch_alter_table("handbook_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_handbook_versions_section_published")

    op.drop_table("handbook_versions")
    with op.batch_alter_table("employer_cost_rates", schema=None) as batch_op:
        batch_op.drop_index("ix_employer_cost_rates_kind_effective_from")

    op.drop_table("employer_cost_rates")
    op.drop_table("charter_criteria_versions")
    op.drop_table("handbook_sections")
