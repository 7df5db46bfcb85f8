"""Each open account's balance forecast, as last worked out (the officers' list of likely
overspends and underspends reads it instead of forecasting 100,000 accounts on every view),
and the SDS reports' spend totals by pay date, option and locality (the reports add up a few
thousand rows a year instead of every payment). Both are rebuilt each morning.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forecast_summaries",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("worked_out_on", sa.Date(), nullable=False),
        sa.Column("year_end", sa.Date(), nullable=False),
        sa.Column("outlook", sa.String(length=12), nullable=False),
        sa.Column("year_end_balance_pence", sa.Integer(), nullable=False),
        sa.Column("excess_pence", sa.Integer(), nullable=False),
        sa.Column("runs_out_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "outlook IN ('overspend', 'underspend', 'on_track')",
            name=op.f("ck_forecast_summaries_outlook"),
        ),
        sa.CheckConstraint(
            "(outlook = 'overspend') = (runs_out_on IS NOT NULL)",
            name=op.f("ck_forecast_summaries_runs_out"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_forecast_summaries_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_forecast_summaries")),
    )
    op.create_index(
        "ix_forecast_summaries_runs_out",
        "forecast_summaries",
        ["outlook", "runs_out_on", "account_id"],
    )
    op.create_index(
        "ix_forecast_summaries_excess",
        "forecast_summaries",
        ["outlook", "excess_pence", "account_id"],
    )

    op.create_table(
        "spend_totals",
        sa.Column("pay_date", sa.Date(), nullable=False),
        sa.Column("sds_option", sa.Integer(), nullable=False),
        sa.Column("locality", sa.String(length=60), nullable=False),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("pay_date", "sds_option", "locality", name=op.f("pk_spend_totals")),
    )


def downgrade() -> None:
    op.drop_table("spend_totals")
    op.drop_index("ix_forecast_summaries_excess", table_name="forecast_summaries")
    op.drop_index("ix_forecast_summaries_runs_out", table_name="forecast_summaries")
    op.drop_table("forecast_summaries")
