"""A letter's email has an explicit 'sending' state while a sender holds it (its lease).

Revision ID: 0011
Revises: 0010
Create Date: 2027-01-11
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("letters") as batch_op:
        batch_op.drop_constraint(op.f("ck_letters_email_status"), type_="check")
        batch_op.create_check_constraint(
            "email_status",
            "email_status IS NULL OR email_status IN ('pending', 'sending', 'sent', 'failed')",
        )


def downgrade():
    # A letter being sent is, in the older lifecycle, pending with its lease as the next
    # attempt time: it is tried again when the lease lapses.
    op.execute("UPDATE letters SET email_status = 'pending' WHERE email_status = 'sending'")
    with op.batch_alter_table("letters") as batch_op:
        batch_op.drop_constraint(op.f("ck_letters_email_status"), type_="check")
        batch_op.create_check_constraint(
            "email_status", "email_status IS NULL OR email_status IN ('pending', 'sent', 'failed')"
        )
