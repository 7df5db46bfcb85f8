"""Monitoring tiers, returns, evidence, underspend conversations and recoveries.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monitoring_returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opening_pence", sa.Integer(), nullable=False),
        sa.Column("council_payments_pence", sa.Integer(), nullable=False),
        sa.Column("contributions_pence", sa.Integer(), nullable=False),
        sa.Column("other_income_pence", sa.Integer(), nullable=False),
        sa.Column("spend_pa_wages_pence", sa.Integer(), nullable=False),
        sa.Column("spend_hmrc_pence", sa.Integer(), nullable=False),
        sa.Column("spend_pension_pence", sa.Integer(), nullable=False),
        sa.Column("spend_provider_invoices_pence", sa.Integer(), nullable=False),
        sa.Column("spend_insurance_pence", sa.Integer(), nullable=False),
        sa.Column("spend_payroll_pence", sa.Integer(), nullable=False),
        sa.Column("spend_other_agreed_pence", sa.Integer(), nullable=False),
        sa.Column("spend_bank_charges_pence", sa.Integer(), nullable=False),
        sa.Column("closing_pence", sa.Integer(), nullable=False),
        sa.Column("bank_balance_pence", sa.Integer(), nullable=False),
        sa.Column("wages_owed_pence", sa.Integer(), nullable=False),
        sa.Column("hmrc_due_pence", sa.Integer(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("flags_json", sa.Text(), nullable=False),
        sa.Column("surplus_pence", sa.Integer(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("query_message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'queried', 'accepted', 'superseded')",
            name=op.f("ck_monitoring_returns_status"),
        ),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_monitoring_returns_dates")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_monitoring_returns_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_monitoring_returns_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_monitoring_returns_submitted_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_returns")),
        sa.UniqueConstraint(
            "account_id", "period_start", "version", name="uq_monitoring_returns_version"
        ),
    )
    with op.batch_alter_table("monitoring_returns", schema=None) as batch_op:
        batch_op.create_index(
            "ix_monitoring_returns_account_period", ["account_id", "period_start"], unique=False
        )
        batch_op.create_index(
            "ix_monitoring_returns_status_submitted", ["status", "submitted_at"], unique=False
        )

    op.create_table(
        "monitoring_tier_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "tier IN ('new', 'standard', 'light', 'monthly')",
            name=op.f("ck_monitoring_tier_changes_tier"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_monitoring_tier_changes_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_monitoring_tier_changes_decided_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_tier_changes")),
    )
    with op.batch_alter_table("monitoring_tier_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_tier_changes_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "recoveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("recovered_pence", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("method IN ('offset', 'invoice')", name=op.f("ck_recoveries_method")),
        sa.CheckConstraint(
            "status IN ('open', 'recovered', 'cancelled')", name=op.f("ck_recoveries_status")
        ),
        sa.CheckConstraint("amount_pence > 0", name=op.f("ck_recoveries_positive")),
        sa.CheckConstraint(
            "recovered_pence >= 0 AND recovered_pence <= amount_pence",
            name=op.f("ck_recoveries_recovered"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_recoveries_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_recoveries_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recoveries")),
    )
    with op.batch_alter_table("recoveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recoveries_account_id"), ["account_id"], unique=False)

    op.create_table(
        "return_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_return_evidence_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_return_evidence_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_evidence")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_return_evidence_stored_name")),
    )
    with op.batch_alter_table("return_evidence", schema=None) as batch_op:
        batch_op.create_index(
            "ix_return_evidence_account_period", ["account_id", "period_start"], unique=False
        )

    op.create_table(
        "underspend_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("with_whom", sa.String(length=300), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('keep', 'recover', 'review_budget')",
            name=op.f("ck_underspend_conversations_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_underspend_conversations_recorded_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["monitoring_returns.id"],
            name=op.f("fk_underspend_conversations_return_id_monitoring_returns"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_underspend_conversations")),
    )
    with op.batch_alter_table("underspend_conversations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_underspend_conversations_return_id"), ["return_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("underspend_conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_underspend_conversations_return_id"))

    op.drop_table("underspend_conversations")
    with op.batch_alter_table("return_evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_return_evidence_account_period")

    op.drop_table("return_evidence")
    with op.batch_alter_table("recoveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recoveries_account_id"))

    op.drop_table("recoveries")
    with op.batch_alter_table("monitoring_tier_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_tier_changes_account_id"))

    op.drop_table("monitoring_tier_changes")
    with op.batch_alter_table("monitoring_returns", schema=None) as batch_op:
        batch_op.drop_index("ix_monitoring_returns_status_submitted")
        batch_op.drop_index("ix_monitoring_returns_account_period")

    op.drop_table("monitoring_returns")
