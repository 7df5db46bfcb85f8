"""The reminder report's figures kept as reminders are issued and returns arrive: the returns
still owed (expected_returns, filled by the next reminder run; until then the report works
them out as before), the reminders tallied by stage and day (reminder_tallies, counted here
from the reminders already issued), and when each summary was last rebuilt. The returns
queue's index gains the id it is ordered by.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10
"""

from collections import Counter
from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The council's calendar day of a moment, as dp_portal.core.types.local_date works it out
# (copied, not imported, so that this revision never changes when the application does).
_LONDON = ZoneInfo("Europe/London")


def upgrade():
    op.create_table(
        "expected_returns",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_expected_returns_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "period_start", name=op.f("pk_expected_returns")),
    )
    with op.batch_alter_table("expected_returns") as batch_op:
        batch_op.create_index(batch_op.f("ix_expected_returns_due_date"), ["due_date"])
    op.create_table(
        "summary_refreshes",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("refreshed_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_summary_refreshes")),
    )
    tallies = op.create_table(
        "reminder_tallies",
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("stage_date", sa.Date(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "stage", "due_date", "stage_date", "issued_on", name=op.f("pk_reminder_tallies")
        ),
    )
    with op.batch_alter_table("reminder_tallies") as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_tallies_stage_date"), ["stage_date"])
    _tally_reminders_issued(tallies)
    _queue_index(["status", "submitted_at", "id"])


def _tally_reminders_issued(tallies: sa.Table) -> None:
    issues = sa.table(
        "reminder_issues",
        sa.column("stage", sa.String),
        sa.column("due_date", sa.Date),
        sa.column("stage_date", sa.Date),
        sa.column("issued_at", sa.DateTime(timezone=True)),
    )
    counts: Counter = Counter()
    rows = op.get_bind().execute(
        sa.select(issues.c.stage, issues.c.due_date, issues.c.stage_date, issues.c.issued_at)
    )
    for stage, due, dated, issued_at in rows:
        moment = issued_at if issued_at.tzinfo else issued_at.replace(tzinfo=UTC)
        counts[(stage, due, dated, moment.astimezone(_LONDON).date())] += 1
    if counts:
        op.bulk_insert(
            tallies,
            [
                {"stage": s, "due_date": d, "stage_date": t, "issued_on": i, "reminders": n}
                for (s, d, t, i), n in counts.items()
            ],
        )


def _queue_index(columns: list[str]) -> None:
    with op.batch_alter_table("monitoring_returns") as batch_op:
        batch_op.drop_index("ix_monitoring_returns_status_submitted")
        batch_op.create_index("ix_monitoring_returns_status_submitted", columns)


def downgrade():
    _queue_index(["status", "submitted_at"])
    with op.batch_alter_table("reminder_tallies") as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_tallies_stage_date"))
    op.drop_table("reminder_tallies")
    op.drop_table("summary_refreshes")
    with op.batch_alter_table("expected_returns") as batch_op:
        batch_op.drop_index(batch_op.f("ix_expected_returns_due_date"))
    op.drop_table("expected_returns")
