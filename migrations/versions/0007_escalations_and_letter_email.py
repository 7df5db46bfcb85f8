"""Escalation tasks (consider suspending payments) and email delivery of letters.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "escalation_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("return_received_on", sa.Date(), nullable=True),
        sa.Column("suspended_by_id", sa.Integer(), nullable=True),
        sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suspension_reason", sa.Text(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('no_suspension', 'return_received', 'reinstated', 'account_closed')",
            name=op.f("ck_escalation_tasks_outcome"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'suspended', 'closed')", name=op.f("ck_escalation_tasks_status")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_escalation_tasks_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_escalation_tasks_closed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["suspended_by_id"],
            ["users.id"],
            name=op.f("fk_escalation_tasks_suspended_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_tasks")),
        sa.UniqueConstraint("account_id", "period_start", name="uq_escalation_tasks_period"),
    )
    with op.batch_alter_table("escalation_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_escalation_tasks_status", ["status", "opened_on"], unique=False)

    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_to", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("email_status", sa.String(length=12), nullable=True))
        batch_op.add_column(
            sa.Column("email_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("email_next_attempt_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("email_error", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_letters_email_queue", ["email_status", "email_next_attempt_at"], unique=False
        )
        batch_op.create_check_constraint(
            "email_status", "email_status IS NULL OR email_status IN ('pending', 'sent', 'failed')"
        )


def downgrade():
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_letters_email_status"), type_="check")
        batch_op.drop_index("ix_letters_email_queue")
        batch_op.drop_column("emailed_at")
        batch_op.drop_column("email_error")
        batch_op.drop_column("email_next_attempt_at")
        batch_op.drop_column("email_attempts")
        batch_op.drop_column("email_status")
        batch_op.drop_column("email_to")

    with op.batch_alter_table("escalation_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_escalation_tasks_status")

    op.drop_table("escalation_tasks")
