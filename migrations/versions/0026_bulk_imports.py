"""Bulk imports: each import with its sheets and dry-run report, column mappings remembered
per source system and kind of record, and the case-management references of accounts.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

KINDS = "('people', 'representatives', 'accounts', 'bank_details', 'budgets')"
STATES = "('uploaded', 'checked', 'applying', 'applied', 'failed', 'cancelled')"


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("file_type", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.Column("apply_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("problem_count", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("updated_count", sa.Integer(), nullable=False),
        sa.Column("unchanged_count", sa.Integer(), nullable=False),
        sa.Column("approval_count", sa.Integer(), nullable=False),
        sa.Column("report_json", sa.Text(), nullable=True),
        sa.Column("failure", sa.String(length=500), nullable=True),
        sa.CheckConstraint(f"state IN {STATES}", name=op.f("ck_imports_state")),
        sa.CheckConstraint(
            "file_type IN ('csv', 'xlsx', 'api')", name=op.f("ck_imports_file_type")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_imports_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["applied_by_id"], ["users.id"], name=op.f("fk_imports_applied_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
        sa.UniqueConstraint("source", "idempotency_key", name="uq_imports_source_key"),
    )
    op.create_index("ix_imports_state", "imports", ["state"])
    op.create_table(
        "import_sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("headings_json", sa.Text(), nullable=False),
        sa.Column("rows_json", sa.Text(), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("mapping_json", sa.Text(), nullable=True),
        sa.CheckConstraint(f"kind IS NULL OR kind IN {KINDS}", name=op.f("ck_import_sheets_kind")),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_import_sheets_import_id_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_sheets")),
        sa.UniqueConstraint("import_id", "position", name="uq_import_sheets_position"),
    )
    op.create_table(
        "import_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("headings_json", sa.Text(), nullable=False),
        sa.Column("fields_json", sa.Text(), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"kind IN {KINDS}", name=op.f("ck_import_mappings_kind")),
        sa.ForeignKeyConstraint(
            ["saved_by_id"], ["users.id"], name=op.f("fk_import_mappings_saved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mappings")),
        sa.UniqueConstraint("source_key", "kind", name="uq_import_mappings_source_kind"),
    )
    op.create_table(
        "import_references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_import_references_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_import_references_import_id_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_references")),
        sa.UniqueConstraint("reference", name="uq_import_references_reference"),
    )
    op.create_index("ix_import_references_account_id", "import_references", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_import_references_account_id", table_name="import_references")
    op.drop_table("import_references")
    op.drop_table("import_mappings")
    op.drop_table("import_sheets")
    op.drop_index("ix_imports_state", table_name="imports")
    op.drop_table("imports")
