"""Client money: each managed person's sub-ledger in the organisation's pooled client account
(a balance row that every posting locks, and append-only postings), the monthly pooled
reconciliation with its differences, and returns built from a sub-ledger.

Written on top of 0013; the lead renumbers it (0015, after the organisations revision) when
merging.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pooled_reconciliations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("statement_closing_pence", sa.Integer(), nullable=True),
        sa.Column("ledger_total_pence", sa.Integer(), nullable=True),
        sa.Column("council_paid_pence", sa.Integer(), nullable=True),
        sa.Column("prepared_by_id", sa.Integer(), nullable=True),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_off_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'signed_off') = (signed_off_at IS NOT NULL)",
            name=op.f("ck_pooled_reconciliations_sealed"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'awaiting_sign_off', 'signed_off')",
            name=op.f("ck_pooled_reconciliations_status"),
        ),
        sa.CheckConstraint(
            "signed_off_by_id IS NULL OR signed_off_by_id != prepared_by_id",
            name=op.f("ck_pooled_reconciliations_second_person"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_pooled_reconciliations_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["prepared_by_id"],
            ["users.id"],
            name=op.f("fk_pooled_reconciliations_prepared_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["signed_off_by_id"],
            ["users.id"],
            name=op.f("fk_pooled_reconciliations_signed_off_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pooled_reconciliations")),
        sa.UniqueConstraint("organisation_id", "month", name="uq_pooled_reconciliations_month"),
    )
    op.create_table(
        "client_balances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("balance_pence", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("balance_pence >= 0", name=op.f("ck_client_balances_not_below_zero")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_client_balances_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_client_balances_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_balances")),
        sa.UniqueConstraint("organisation_id", "account_id", name="uq_client_balances_sub_ledger"),
    )
    with op.batch_alter_table("client_balances", schema=None) as batch_op:
        batch_op.create_index("ix_client_balances_account_id", ["account_id"], unique=False)

    op.create_table(
        "client_postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("balance_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("balance_after_pence", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("corrects_posting_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'adjustment') = (corrects_posting_id IS NOT NULL)",
            name=op.f("ck_client_postings_adjustment_refers"),
        ),
        sa.CheckConstraint(
            "(kind = 'council_payment') = (payment_id IS NOT NULL)",
            name=op.f("ck_client_postings_council_payment_refers"),
        ),
        sa.CheckConstraint(
            "(kind IN ('contribution', 'council_payment', 'refund_received') AND amount_pence > 0) OR (kind IN ('agency_invoice', 'fee', 'hmrc', 'other_agreed', 'pa_wages', 'pension', 'provider_invoice', 'refund_to_council') AND amount_pence < 0) OR (kind = 'adjustment' AND amount_pence != 0)",
            name=op.f("ck_client_postings_sign"),
        ),
        sa.CheckConstraint(
            "kind IN ('adjustment', 'agency_invoice', 'contribution', 'council_payment', 'fee', 'hmrc', 'other_agreed', 'pa_wages', 'pension', 'provider_invoice', 'refund_received', 'refund_to_council')",
            name=op.f("ck_client_postings_kind"),
        ),
        sa.CheckConstraint(
            "balance_after_pence >= 0", name=op.f("ck_client_postings_not_below_zero")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_client_postings_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["balance_id"],
            ["client_balances.id"],
            name=op.f("fk_client_postings_balance_id_client_balances"),
        ),
        sa.ForeignKeyConstraint(
            ["corrects_posting_id"],
            ["client_postings.id"],
            name=op.f("fk_client_postings_corrects_posting_id_client_postings"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_client_postings_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_client_postings_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_client_postings_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_postings")),
        sa.UniqueConstraint("payment_id", name="uq_client_postings_payment_id"),
    )
    with op.batch_alter_table("client_postings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_client_postings_balance_date", ["balance_id", "entry_date", "id"], unique=False
        )
        batch_op.create_index("ix_client_postings_corrects", ["corrects_posting_id"], unique=False)
        batch_op.create_index(
            "ix_client_postings_org_date", ["organisation_id", "entry_date"], unique=False
        )

    op.create_table(
        "ledger_returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("reconciled", sa.Boolean(), nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.Column("built_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["built_by_id"], ["users.id"], name=op.f("fk_ledger_returns_built_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_ledger_returns_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["monitoring_returns.id"],
            name=op.f("fk_ledger_returns_return_id_monitoring_returns"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_returns")),
        sa.UniqueConstraint("return_id", name=op.f("uq_ledger_returns_return_id")),
    )
    op.create_table(
        "reconciliation_differences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reconciliation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("explained_by_id", sa.Integer(), nullable=True),
        sa.Column("explained_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('statement_line_not_in_ledger', 'posting_not_on_statement', 'council_payment_not_received', 'council_payment_not_posted')",
            name=op.f("ck_reconciliation_differences_kind"),
        ),
        sa.CheckConstraint(
            "(explanation IS NULL) = (explained_at IS NULL)",
            name=op.f("ck_reconciliation_differences_explained"),
        ),
        sa.CheckConstraint(
            "amount_pence != 0", name=op.f("ck_reconciliation_differences_not_zero")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_reconciliation_differences_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["explained_by_id"],
            ["users.id"],
            name=op.f("fk_reconciliation_differences_explained_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_reconciliation_differences_payment_id_payments"),
        ),
        sa.ForeignKeyConstraint(
            ["reconciliation_id"],
            ["pooled_reconciliations.id"],
            name=op.f("fk_reconciliation_differences_reconciliation_id_pooled_reconciliations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_differences")),
    )
    with op.batch_alter_table("reconciliation_differences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reconciliation_differences_reconciliation_id"),
            ["reconciliation_id"],
            unique=False,
        )

    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    with op.batch_alter_table("reconciliation_differences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconciliation_differences_reconciliation_id"))

    op.drop_table("reconciliation_differences")
    op.drop_table("ledger_returns")
    with op.batch_alter_table("client_postings", schema=None) as batch_op:
        batch_op.drop_index("ix_client_postings_org_date")
        batch_op.drop_index("ix_client_postings_corrects")
        batch_op.drop_index("ix_client_postings_balance_date")

    op.drop_table("client_postings")
    with op.batch_alter_table("client_balances", schema=None) as batch_op:
        batch_op.drop_index("ix_client_balances_account_id")

    op.drop_table("client_balances")
    op.drop_table("pooled_reconciliations")


# Sub-ledger lines are append-only in the database itself, as payments are (0009; the
# PostgreSQL function money_rows_append_only() is 0009's). Copied here, not imported.
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
