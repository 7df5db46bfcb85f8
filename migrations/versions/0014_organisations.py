"""Organisations as first-class users: the independent support kind, a second address line,
the pooled client bank account and its four-eyes changes, organisation administrators (a
flag on the staff member's membership), and mandates with a status, the "prepare returns"
scope, consent (who, how, when, the signed form) and the person's choice of who gets letters.

Existing mandates were recorded with a consent date on paper: they become consented, given
by the person on a signed form (the form itself was never stored).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('brokerage', 'money_management', 'provider')"
NEW_KINDS = "kind IN ('money_management', 'brokerage', 'independent_support', 'provider')"
OLD_SCOPES = "scope IN ('manage_money', 'view_only')"
NEW_SCOPES = "scope IN ('manage_money', 'prepare_returns', 'view_only')"
MANDATE_CHECKS = {
    "status": "status IN ('awaiting_consent', 'consented', 'withdrawn')",
    "withdrawn": "(status = 'withdrawn') = (withdrawn_at IS NOT NULL)",
    "consent_dated": "status != 'consented' OR consent_recorded_on IS NOT NULL",
    "consent_given_by": "consent_given_by IN ('person', 'representative')",
    "consent_representative": (
        "(consent_given_by = 'representative') = (consent_representative_id IS NOT NULL)"
    ),
    "consent_method": "consent_method IN ('signed_form', 'on_screen')",
    "on_screen_by_person": "consent_method != 'on_screen' OR consent_given_by = 'person'",
    "on_screen_confirmed": (
        "consent_method != 'on_screen' OR status != 'consented' OR consent_confirmed_at IS NOT NULL"
    ),
}
POOLED_COLUMNS = (
    ("pooled_payee_name", 18),
    ("pooled_sort_code", 6),
    ("pooled_account_number", 8),
    ("pooled_bank_check", 16),
)


def _organisations_up():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_organisations_kind"), type_="check")
        batch_op.create_check_constraint("kind", NEW_KINDS)
        batch_op.add_column(sa.Column("address_line_2", sa.String(length=120), nullable=True))
        for name, length in POOLED_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
        batch_op.add_column(
            sa.Column("pooled_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_check_constraint(
            "pooled_account_complete",
            "(pooled_sort_code IS NULL) = (pooled_account_number IS NULL)",
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "is_organisation_admin", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("is_organisation_admin", server_default=None)
        batch_op.create_check_constraint(
            "organisation_admin", "NOT is_organisation_admin OR role = 'brokerage_staff'"
        )


def _pooled_changes_up():
    op.create_table(
        "pooled_account_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("payee_name", sa.String(length=18), nullable=False),
        sa.Column("sort_code", sa.String(length=6), nullable=False),
        sa.Column("account_number", sa.String(length=8), nullable=False),
        sa.Column("bank_check", sa.String(length=16), nullable=False),
        sa.Column("standardised_note", sa.String(length=300), nullable=True),
        sa.Column("previous_payee_name", sa.String(length=18), nullable=True),
        sa.Column("previous_sort_code", sa.String(length=6), nullable=True),
        sa.Column("previous_account_number", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'withdrawn')",
            name=op.f("ck_pooled_account_changes_status"),
        ),
        sa.CheckConstraint(
            "decided_by_id IS NULL OR status = 'withdrawn' OR decided_by_id != requested_by_id",
            name=op.f("ck_pooled_account_changes_second_person"),
        ),
        sa.CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)",
            name=op.f("ck_pooled_account_changes_decided_unless_pending"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_pooled_account_changes_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_pooled_account_changes_requested_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_pooled_account_changes_decided_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pooled_account_changes")),
    )
    with op.batch_alter_table("pooled_account_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pooled_account_changes_organisation_id", ["organisation_id"], unique=False
        )
        batch_op.create_index(
            "uq_pooled_account_changes_one_pending",
            ["organisation_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )


def _mandates_up():
    with op.batch_alter_table("mandates", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_mandates_scope"), type_="check")
        batch_op.create_check_constraint("scope", NEW_SCOPES)
        batch_op.alter_column("consent_recorded_on", existing_type=sa.Date(), nullable=True)
        for name, length, default in (
            ("status", 24, "consented"),
            ("consent_given_by", 16, "person"),
            ("consent_method", 16, "signed_form"),
        ):
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default=default)
            )
        batch_op.add_column(
            sa.Column(
                "letters_to_organisation", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
        for name, length in (
            ("consent_file_name", 255),
            ("consent_stored_name", 64),
            ("consent_content_type", 100),
            ("consent_sha256", 64),
        ):
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
        batch_op.add_column(
            sa.Column("consent_confirmed_at", sa.DateTime(timezone=True), nullable=True)
        )
        for name in ("consent_representative_id", "consent_confirmed_by_id", "recorded_by_id"):
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
    op.execute("UPDATE mandates SET status = 'withdrawn' WHERE withdrawn_at IS NOT NULL")
    with op.batch_alter_table("mandates", schema=None) as batch_op:
        for name in ("status", "consent_given_by", "consent_method", "letters_to_organisation"):
            batch_op.alter_column(name, server_default=None)
        for name, condition in MANDATE_CHECKS.items():
            batch_op.create_check_constraint(name, condition)
        batch_op.create_foreign_key(
            op.f("fk_mandates_consent_representative_id_representatives"),
            "representatives",
            ["consent_representative_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            op.f("fk_mandates_consent_confirmed_by_id_users"),
            "users",
            ["consent_confirmed_by_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            op.f("fk_mandates_recorded_by_id_users"), "users", ["recorded_by_id"], ["id"]
        )
        batch_op.create_index("ix_mandates_organisation_id", ["organisation_id"], unique=False)


def upgrade():
    _organisations_up()
    _pooled_changes_up()
    _mandates_up()


def downgrade():
    # Mandates the old model cannot hold go: a "prepare returns" mandate, and one still
    # waiting for consent (it never gave anyone access).
    op.execute(
        "DELETE FROM mandates WHERE scope = 'prepare_returns' OR status = 'awaiting_consent'"
    )
    with op.batch_alter_table("mandates", schema=None) as batch_op:
        batch_op.drop_index("ix_mandates_organisation_id")
        batch_op.drop_constraint(op.f("fk_mandates_recorded_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(
            op.f("fk_mandates_consent_confirmed_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            op.f("fk_mandates_consent_representative_id_representatives"), type_="foreignkey"
        )
        for name in MANDATE_CHECKS:
            batch_op.drop_constraint(op.f(f"ck_mandates_{name}"), type_="check")
        for name in (
            "recorded_by_id",
            "consent_confirmed_by_id",
            "consent_representative_id",
            "consent_confirmed_at",
            "consent_sha256",
            "consent_content_type",
            "consent_stored_name",
            "consent_file_name",
            "letters_to_organisation",
            "consent_method",
            "consent_given_by",
            "status",
        ):
            batch_op.drop_column(name)
        batch_op.alter_column("consent_recorded_on", existing_type=sa.Date(), nullable=False)
        batch_op.drop_constraint(op.f("ck_mandates_scope"), type_="check")
        batch_op.create_check_constraint("scope", OLD_SCOPES)
    with op.batch_alter_table("pooled_account_changes", schema=None) as batch_op:
        batch_op.drop_index("uq_pooled_account_changes_one_pending")
        batch_op.drop_index("ix_pooled_account_changes_organisation_id")
    op.drop_table("pooled_account_changes")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_organisation_admin"), type_="check")
        batch_op.drop_column("is_organisation_admin")
    # Independent support organisations become brokerages (the nearest kind the old model has).
    op.execute("UPDATE organisations SET kind = 'brokerage' WHERE kind = 'independent_support'")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_organisations_pooled_account_complete"), type_="check")
        batch_op.drop_column("pooled_changed_at")
        for name, _length in reversed(POOLED_COLUMNS):
            batch_op.drop_column(name)
        batch_op.drop_column("address_line_2")
        batch_op.drop_constraint(op.f("ck_organisations_kind"), type_="check")
        batch_op.create_check_constraint("kind", OLD_KINDS)
