"""Home pages: when each user signed in before this time, so a person's home can show the
letters written since their last visit.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("previous_sign_in_at", sa.DateTime(timezone=True)))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("previous_sign_in_at")
