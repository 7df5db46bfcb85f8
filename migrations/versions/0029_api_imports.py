"""People imported through the API: the responsible finance officer in whose name
an integration client imports, and the imports each client applied with a digest of the rows
it sent (an idempotency key reused with other rows is refused).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Clients made before this have no officer: they cannot import until an administrator
    # names one (the endpoint did not exist, so nothing they did depends on it).
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("officer_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_api_clients_officer_id_users"), "users", ["officer_id"], ["id"]
        )
    op.create_table(
        "api_imports",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("body_digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_clients.id"], name=op.f("fk_api_imports_client_id_api_clients")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_api_imports_import_id_imports")
        ),
        sa.PrimaryKeyConstraint("import_id", name=op.f("pk_api_imports")),
    )
    with op.batch_alter_table("api_imports", schema=None) as batch_op:
        batch_op.create_index("ix_api_imports_client_id", ["client_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("api_imports", schema=None) as batch_op:
        batch_op.drop_index("ix_api_imports_client_id")
    op.drop_table("api_imports")
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_api_clients_officer_id_users"), type_="foreignkey")
        batch_op.drop_column("officer_id")
