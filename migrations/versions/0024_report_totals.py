"""The SDS reports' budget steps (how the weekly budgets in force across the council change
from day to day) and people totals (distinct people by quarter, SDS option and locality),
rebuilt each morning with the spend totals, so that the report pages read a few thousand rows
instead of every budget and account.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budget_steps",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("after", sa.Boolean(), nullable=False),
        sa.Column("weekly_pence", sa.BigInteger(), nullable=False),
        sa.Column("pa_accounts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "after", name=op.f("pk_budget_steps")),
    )
    op.create_table(
        "people_totals",
        sa.Column("quarter_start", sa.Date(), nullable=False),
        sa.Column("sds_option", sa.Integer(), nullable=False),
        sa.Column("whole_council", sa.Boolean(), nullable=False),
        sa.Column("locality", sa.String(length=60), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "quarter_start",
            "sds_option",
            "whole_council",
            "locality",
            name=op.f("pk_people_totals"),
        ),
    )


def downgrade() -> None:
    op.drop_table("people_totals")
    op.drop_table("budget_steps")
