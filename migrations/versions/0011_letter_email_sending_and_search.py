"""A letter's email has an explicit 'sending' state while a sender holds it (its lease); the
account search and the audit log answer through indexes at council scale.

Revision ID: 0011
Revises: 0010
Create Date: 2027-01-11
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


SEARCH_TEXT = "lower(first_name || ' ' || last_name || ' ' || client_reference)"


def upgrade():
    with op.batch_alter_table("letters") as batch_op:
        batch_op.drop_constraint(op.f("ck_letters_email_status"), type_="check")
        batch_op.create_check_constraint(
            "email_status",
            "email_status IS NULL OR email_status IN ('pending', 'sending', 'sent', 'failed')",
        )
    _search_upgrade()


def _search_upgrade():
    # Trigram indexes let PostgreSQL find any part of a name through an index (pg_trgm ships
    # with PostgreSQL and is a trusted extension: the database owner may create it).
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # Generated columns: the database keeps them right however a person is written. SQLite's
    # table is rebuilt rather than altered, so each column keeps a line of its own in the stored
    # CREATE TABLE, which is how SQLAlchemy reads a generated column's expression back.
    with op.batch_alter_table("people", recreate="auto" if postgresql else "always") as batch_op:
        batch_op.add_column(
            sa.Column("search_text", sa.String(200), sa.Computed(SEARCH_TEXT, persisted=True))
        )
        batch_op.add_column(
            sa.Column(
                "search_surname", sa.String(80), sa.Computed("lower(last_name)", persisted=True)
            )
        )
    op.create_index(
        "ix_people_search_text",
        "people",
        ["search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.create_index("ix_people_search_surname", "people", ["search_surname"])
    op.create_index("ix_accounts_status", "accounts", ["status"])
    op.create_index("ix_audit_events_actor_id", "audit_events", ["actor_id", "id"])
    if postgresql:  # a prefix of the action is a LIKE there: pattern_ops lets the index answer
        op.drop_index("ix_audit_events_action", table_name="audit_events")
        op.create_index(
            "ix_audit_events_action",
            "audit_events",
            ["action"],
            postgresql_ops={"action": "varchar_pattern_ops"},
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_audit_events_action", table_name="audit_events")
        op.create_index("ix_audit_events_action", "audit_events", ["action"])
    op.drop_index("ix_audit_events_actor_id", table_name="audit_events")
    op.drop_index("ix_accounts_status", table_name="accounts")
    op.drop_index("ix_people_search_surname", table_name="people")
    op.drop_index("ix_people_search_text", table_name="people")
    with op.batch_alter_table("people") as batch_op:
        batch_op.drop_column("search_surname")
        batch_op.drop_column("search_text")
    # A letter being sent is, in the older lifecycle, pending with its lease as the next
    # attempt time: it is tried again when the lease lapses.
    op.execute("UPDATE letters SET email_status = 'pending' WHERE email_status = 'sending'")
    with op.batch_alter_table("letters") as batch_op:
        batch_op.drop_constraint(op.f("ck_letters_email_status"), type_="check")
        batch_op.create_check_constraint(
            "email_status", "email_status IS NULL OR email_status IN ('pending', 'sent', 'failed')"
        )
