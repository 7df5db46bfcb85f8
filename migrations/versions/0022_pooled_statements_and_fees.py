"""Client money: the pooled client account's imported statements and their lines (each
assigned to a client's sub-ledger or left on the statement, the sub-ledger line naming the
statement line it came from), staff's remembered choices for lines like one another,
reconciliation differences listed from the statement, and the organisation's fee policy
with the fee charged to each client once per period.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "fee_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("per", sa.String(length=12), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("per IN ('four_weeks', 'month')", name=op.f("ck_fee_policies_per")),
        sa.CheckConstraint("amount_pence >= 0", name=op.f("ck_fee_policies_not_negative")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_fee_policies_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_fee_policies_set_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_policies")),
        sa.UniqueConstraint("organisation_id", "effective_from", name="uq_fee_policies_from"),
    )
    op.create_table(
        "pooled_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("layout_key", sa.String(length=32), nullable=True),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("duplicate_count", sa.Integer(), nullable=False),
        sa.Column("closing_balance_pence", sa.Integer(), nullable=True),
        sa.Column("imported_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('CSV', 'OFX')", name=op.f("ck_pooled_statements_source")),
        sa.CheckConstraint(
            "status IN ('awaiting_columns', 'imported', 'abandoned')",
            name=op.f("ck_pooled_statements_status"),
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"], ["users.id"], name=op.f("fk_pooled_statements_imported_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_pooled_statements_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pooled_statements")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_pooled_statements_stored_name")),
    )
    with op.batch_alter_table("pooled_statements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pooled_statements_organisation_id", ["organisation_id"], unique=False
        )

    op.create_table(
        "pooled_statement_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("description_key", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("chosen_by_id", sa.Integer(), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_pooled_statement_choices_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["chosen_by_id"],
            ["users.id"],
            name=op.f("fk_pooled_statement_choices_chosen_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_pooled_statement_choices_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pooled_statement_choices")),
        sa.UniqueConstraint("organisation_id", "description_key", name="uq_pooled_choices_key"),
    )
    op.create_table(
        "pooled_statement_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("line_date", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("balance_pence", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("assigned_reason", sa.String(length=200), nullable=True),
        sa.CheckConstraint("amount_pence != 0", name=op.f("ck_pooled_statement_lines_not_zero")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_pooled_statement_lines_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_pooled_statement_lines_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_pooled_statement_lines_payment_id_payments"),
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["pooled_statements.id"],
            name=op.f("fk_pooled_statement_lines_statement_id_pooled_statements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pooled_statement_lines")),
        sa.UniqueConstraint("organisation_id", "fingerprint", name="uq_pooled_lines_fingerprint"),
        sa.UniqueConstraint("payment_id", name=op.f("uq_pooled_statement_lines_payment_id")),
    )
    with op.batch_alter_table("pooled_statement_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pooled_statement_lines_org_date", ["organisation_id", "line_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pooled_statement_lines_statement_id"), ["statement_id"], unique=False
        )

    op.create_table(
        "fee_charges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("posting_id", sa.Integer(), nullable=True),
        sa.Column("refused_reason", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(posting_id IS NULL) = (refused_reason IS NOT NULL)",
            name=op.f("ck_fee_charges_outcome"),
        ),
        sa.CheckConstraint("amount_pence > 0", name=op.f("ck_fee_charges_positive")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_fee_charges_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_fee_charges_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["fee_policies.id"], name=op.f("fk_fee_charges_policy_id_fee_policies")
        ),
        sa.ForeignKeyConstraint(
            ["posting_id"],
            ["client_postings.id"],
            name=op.f("fk_fee_charges_posting_id_client_postings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_charges")),
        sa.UniqueConstraint(
            "organisation_id", "account_id", "period_start", name="uq_fee_charges_period"
        ),
        sa.UniqueConstraint("posting_id", name=op.f("uq_fee_charges_posting_id")),
    )
    # SQLite rebuilds the table to add a constrained column, which drops its append-only
    # triggers: they are dropped first and made again after, on both databases alike.
    _drop_triggers()
    with op.batch_alter_table("client_postings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("statement_line_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_client_postings_statement_line_id"), ["statement_line_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_client_postings_statement_line_id_pooled_statement_lines"),
            "pooled_statement_lines",
            ["statement_line_id"],
            ["id"],
        )
    _make_triggers()

    with op.batch_alter_table("reconciliation_differences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("statement_line_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("posting_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_reconciliation_differences_statement_line_id_pooled_statement_lines"),
            "pooled_statement_lines",
            ["statement_line_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_reconciliation_differences_posting_id_client_postings"),
            "client_postings",
            ["posting_id"],
            ["id"],
        )
    with op.batch_alter_table("pooled_reconciliations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("listed_to_posting_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("listed_to_line_id", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("pooled_reconciliations", schema=None) as batch_op:
        batch_op.drop_column("listed_to_line_id")
        batch_op.drop_column("listed_to_posting_id")

    with op.batch_alter_table("reconciliation_differences", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_reconciliation_differences_posting_id_client_postings"),
            type_="foreignkey",
        )
        batch_op.drop_constraint(
            batch_op.f("fk_reconciliation_differences_statement_line_id_pooled_statement_lines"),
            type_="foreignkey",
        )
        batch_op.drop_column("posting_id")
        batch_op.drop_column("statement_line_id")

    _drop_triggers()
    with op.batch_alter_table("client_postings", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_client_postings_statement_line_id_pooled_statement_lines"),
            type_="foreignkey",
        )
        batch_op.drop_constraint(batch_op.f("uq_client_postings_statement_line_id"), type_="unique")
        batch_op.drop_column("statement_line_id")
    _make_triggers()

    op.drop_table("fee_charges")
    with op.batch_alter_table("pooled_statement_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pooled_statement_lines_statement_id"))
        batch_op.drop_index("ix_pooled_statement_lines_org_date")

    op.drop_table("pooled_statement_lines")
    op.drop_table("pooled_statement_choices")
    with op.batch_alter_table("pooled_statements", schema=None) as batch_op:
        batch_op.drop_index("ix_pooled_statements_organisation_id")

    op.drop_table("pooled_statements")
    op.drop_table("fee_policies")


def _make_triggers():
    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def _drop_triggers():
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


# Sub-ledger lines are append-only in the database itself (0015's triggers, copied here, not
# imported: a migration never changes once released).
TRIGGERS = {
    "sqlite": [
        """CREATE TRIGGER client_postings_no_update BEFORE UPDATE ON client_postings
           BEGIN SELECT RAISE(ABORT, 'client_postings is append-only'); END""",
        """CREATE TRIGGER client_postings_no_delete BEFORE DELETE ON client_postings
           BEGIN SELECT RAISE(ABORT, 'client_postings is append-only'); END""",
    ],
    "postgresql": [
        """CREATE TRIGGER client_postings_no_change BEFORE UPDATE OR DELETE ON client_postings
           FOR EACH ROW EXECUTE FUNCTION money_rows_append_only()""",
        """CREATE TRIGGER client_postings_no_truncate BEFORE TRUNCATE ON client_postings
           FOR EACH STATEMENT EXECUTE FUNCTION money_rows_append_only()""",
    ],
}
DROP_TRIGGERS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS client_postings_no_update",
        "DROP TRIGGER IF EXISTS client_postings_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS client_postings_no_change ON client_postings",
        "DROP TRIGGER IF EXISTS client_postings_no_truncate ON client_postings",
    ],
}
