"""The audit log's action index also holds the time, who acted and the account, so "changes
of these kinds since then, by whom, to which accounts" (a payment run's staleness, and who may
not approve it) reads only the events since then, from the index alone.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

PATTERN_OPS = {"action": "varchar_pattern_ops"}  # a prefix of the action is a LIKE on PostgreSQL


def upgrade():
    op.drop_index("ix_audit_events_action", table_name="audit_events")
    op.create_index(
        "ix_audit_events_action",
        "audit_events",
        ["action", "occurred_at", "actor_id", "account_id"],
        postgresql_ops=PATTERN_OPS,
    )


def downgrade():
    op.drop_index("ix_audit_events_action", table_name="audit_events")
    op.create_index(
        "ix_audit_events_action", "audit_events", ["action"], postgresql_ops=PATTERN_OPS
    )
