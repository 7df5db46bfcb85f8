"""The published reminder timetable, versioned.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reminder_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("stages_json", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "working_days IN (0, 1)", name=op.f("ck_reminder_policies_working_days")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_reminder_policies_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_policies")),
        sa.UniqueConstraint("version", name=op.f("uq_reminder_policies_version")),
    )


def downgrade():
    op.drop_table("reminder_policies")
