"""A note with each decision on a return: why a flagged return was accepted.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("monitoring_returns") as batch_op:
        batch_op.add_column(sa.Column("decision_note", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("monitoring_returns") as batch_op:
        batch_op.drop_column("decision_note")
