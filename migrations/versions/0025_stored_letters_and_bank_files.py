"""Letters' PDFs and bank files kept through the storage interface (issue 16): a letter
rendered from now on names its PDF in the store (`letters.pdf_key`), and a committed run's bank
files are kept as first made (`run_bank_files`). Letters rendered before keep their PDF in the
`pdf` column, where they are still read.

Downgrading copies each stored letter PDF back into the `pdf` column (the app's store must be
reachable, as it is under `flask db downgrade`); a letter whose stored copy cannot be found goes
back to waiting to be rendered, from the facts recorded with it. Stored bank files are left in
the store; without their rows the next download makes the file again.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pdf_key", sa.String(length=100), nullable=True))
    op.create_table(
        "run_bank_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("fmt", sa.String(length=4), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("made_by_id", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("fmt IN ('txt', 'csv')", name=op.f("ck_run_bank_files_fmt")),
        sa.ForeignKeyConstraint(
            ["made_by_id"], ["users.id"], name=op.f("fk_run_bank_files_made_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["payment_runs.id"], name=op.f("fk_run_bank_files_run_id_payment_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_bank_files")),
        sa.UniqueConstraint("run_id", "fmt", name="uq_run_bank_files_run_fmt"),
        sa.UniqueConstraint("storage_key", name=op.f("uq_run_bank_files_storage_key")),
    )


def _letters_back_into_the_database() -> None:
    connection = op.get_bind()
    stored = connection.execute(
        sa.text("SELECT id, pdf_key FROM letters WHERE pdf_key IS NOT NULL")
    ).all()
    if not stored:
        return
    from dp_portal.core import storage  # only when there is something to copy back

    store = storage.current()
    for letter_id, key in stored:
        try:
            pdf = store.get(key)
        except storage.StoredFileMissing:
            connection.execute(
                sa.text("UPDATE letters SET rendered_at = NULL WHERE id = :id"), {"id": letter_id}
            )
            continue
        connection.execute(
            sa.text("UPDATE letters SET pdf = :pdf WHERE id = :id"), {"pdf": pdf, "id": letter_id}
        )


def downgrade() -> None:
    op.drop_table("run_bank_files")
    _letters_back_into_the_database()
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_column("pdf_key")
