"""Reminders issued: one row per account, period and stage, unique.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reminder_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("stage_date", sa.Date(), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_reminder_issues_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_issues")),
        sa.UniqueConstraint("account_id", "period_start", "stage", name="uq_reminder_issues_stage"),
    )
    with op.batch_alter_table("reminder_issues", schema=None) as batch_op:
        batch_op.create_index("ix_reminder_issues_stage_date", ["stage_date"], unique=False)


def downgrade():
    with op.batch_alter_table("reminder_issues", schema=None) as batch_op:
        batch_op.drop_index("ix_reminder_issues_stage_date")

    op.drop_table("reminder_issues")
