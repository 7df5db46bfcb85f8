"""Initial schema: users, people, accounts, organisations, mandates, audit log, calendar.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

The audit log is made append-only in the database itself with triggers, so no code path,
however wrong, can change or delete an audit row.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("address_line_1", sa.String(length=120), nullable=True),
        sa.Column("town", sa.String(length=80), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('brokerage', 'money_management', 'provider')",
            name=op.f("ck_organisations_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_reference", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=20), nullable=True),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("address_line_1", sa.String(length=120), nullable=False),
        sa.Column("address_line_2", sa.String(length=120), nullable=True),
        sa.Column("town", sa.String(length=80), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("letter_format", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "letter_format IN ('standard', 'large_print', 'easy_read')",
            name=op.f("ck_people_letter_format"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("client_reference", name=op.f("uq_people_client_reference")),
    )
    op.create_index("ix_people_last_name_first_name", "people", ["last_name", "first_name"])
    op.create_table(
        "representatives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("relationship_to_person", sa.String(length=32), nullable=False),
        sa.Column("address_line_1", sa.String(length=120), nullable=False),
        sa.Column("address_line_2", sa.String(length=120), nullable=True),
        sa.Column("town", sa.String(length=80), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("letter_format", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "letter_format IN ('standard', 'large_print', 'easy_read')",
            name=op.f("ck_representatives_letter_format"),
        ),
        sa.CheckConstraint(
            "relationship_to_person IN ('guardian', 'power_of_attorney', 'family', 'other')",
            name=op.f("ck_representatives_relationship"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_representatives_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_representatives")),
    )
    with op.batch_alter_table("representatives", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_representatives_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role != 'brokerage_staff' OR organisation_id IS NOT NULL",
            name=op.f("ck_users_brokerage_has_organisation"),
        ),
        sa.CheckConstraint(
            "role IN ('recipient', 'finance_officer', 'team_leader', 'brokerage_staff', 'admin')",
            name=op.f("ck_users_role"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_users_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("sds_option", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("locality", sa.String(length=60), nullable=True),
        sa.Column("payee_name", sa.String(length=18), nullable=True),
        sa.Column("sort_code", sa.String(length=6), nullable=True),
        sa.Column("account_number", sa.String(length=8), nullable=True),
        sa.Column("bank_check", sa.String(length=16), nullable=True),
        sa.Column("bank_details_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("correspondent", sa.String(length=16), nullable=False),
        sa.Column("correspondent_representative_id", sa.Integer(), nullable=True),
        sa.Column("correspondent_organisation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(correspondent = 'organisation') = (correspondent_organisation_id IS NOT NULL)",
            name=op.f("ck_accounts_correspondent_organisation"),
        ),
        sa.CheckConstraint(
            "(correspondent = 'representative') = (correspondent_representative_id IS NOT NULL)",
            name=op.f("ck_accounts_correspondent_representative"),
        ),
        sa.CheckConstraint(
            "correspondent IN ('person', 'representative', 'organisation')",
            name=op.f("ck_accounts_correspondent"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'suspended', 'closed')", name=op.f("ck_accounts_status")
        ),
        sa.CheckConstraint(
            "(sort_code IS NULL) = (account_number IS NULL)",
            name=op.f("ck_accounts_bank_details_complete"),
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_accounts_dates")
        ),
        sa.CheckConstraint("sds_option IN (1, 2, 4)", name=op.f("ck_accounts_sds_option")),
        sa.ForeignKeyConstraint(
            ["correspondent_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_accounts_correspondent_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["correspondent_representative_id"],
            ["representatives.id"],
            name=op.f("fk_accounts_correspondent_representative_id_representatives"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_accounts_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("reference", name=op.f("uq_accounts_reference")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_person_id"), ["person_id"], unique=False)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("before_json", sa.Text(), nullable=True),
        sa.Column("after_json", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_events_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_account_id", ["account_id"], unique=False)
        batch_op.create_index("ix_audit_events_action", ["action"], unique=False)
        batch_op.create_index("ix_audit_events_occurred_at", ["occurred_at"], unique=False)

    op.create_table(
        "calendar_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('closed', 'open')", name=op.f("ck_calendar_overrides_kind")),
        sa.CheckConstraint(
            "region IN ('scotland', 'bacs')", name=op.f("ck_calendar_overrides_region")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_calendar_overrides_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_overrides")),
        sa.UniqueConstraint("day", "region", name="uq_calendar_overrides_day_region"),
    )
    op.create_table(
        "modulus_table_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("valacdos", sa.Text(), nullable=False),
        sa.Column("scsubtab", sa.Text(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_modulus_table_versions_uploaded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_modulus_table_versions")),
    )
    op.create_table(
        "account_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.String(length=16), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "capacity IN ('person', 'representative')", name=op.f("ck_account_access_capacity")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_account_access_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_account_access_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_access")),
        sa.UniqueConstraint("user_id", "account_id", name="uq_account_access_user_account"),
    )
    with op.batch_alter_table("account_access", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_access_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "mandates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("consent_recorded_on", sa.Date(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "scope IN ('manage_money', 'view_only')", name=op.f("ck_mandates_scope")
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_mandates_dates")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_mandates_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_mandates_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mandates")),
    )
    with op.batch_alter_table("mandates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mandates_account_id"), ["account_id"], unique=False)

    for statement in APPEND_ONLY_TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    for statement in DROP_TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    with op.batch_alter_table("mandates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mandates_account_id"))

    op.drop_table("mandates")
    with op.batch_alter_table("account_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_access_account_id"))

    op.drop_table("account_access")
    op.drop_table("modulus_table_versions")
    op.drop_table("calendar_overrides")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_occurred_at")
        batch_op.drop_index("ix_audit_events_action")
        batch_op.drop_index("ix_audit_events_account_id")

    op.drop_table("audit_events")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_person_id"))

    op.drop_table("accounts")
    op.drop_table("users")
    with op.batch_alter_table("representatives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_representatives_person_id"))

    op.drop_table("representatives")
    op.drop_index("ix_people_last_name_first_name", table_name="people")
    op.drop_table("people")
    op.drop_table("organisations")


# Copied here, not imported, so this revision never changes when the app code does.
APPEND_ONLY_TRIGGERS = {
    "sqlite": [
        """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
           BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
        """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
           BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
    ],
    "postgresql": [
        """CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit_events is append-only'; END; $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
           FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
        """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
           FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
    ],
}
DROP_TRIGGERS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_events_no_update",
        "DROP TRIGGER IF EXISTS audit_events_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events",
        "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
        "DROP FUNCTION IF EXISTS audit_events_append_only()",
    ],
}
