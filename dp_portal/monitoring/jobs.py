"""The daily reminder job: every reminder stage that has fallen due for a return not yet sent
is issued once, dated on its stage date (so a job that was down for days catches up with the
right dates), with a letter to the account's correspondent.

Safe to run twice or from two processes: a unique key per (account, period, stage), and a lock
held for the run's transaction (a PostgreSQL advisory lock, or SQLite's writer lock).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from sqlalchemy import select, text

from ..accounts.models import Account
from ..accounts.services import correspondents
from ..core.calendar import Region
from ..core.calendar_models import working_calendar
from ..core.letters import letter_row, record_letters
from ..extensions import db
from . import escalations
from .lifecycle import RETURN_SENT
from .models import MonitoringReturn, ReminderIssue, TierChange
from .periods import ReturnPeriod, Tier, return_periods
from .reminders import stage_dates
from .timetable import Timetable, timetable_on

REMINDER_LOCK_KEY = 7_431_002

SUBJECTS = {
    "first": "Reminder: your direct payment return",
    "second": "Second reminder: your direct payment return",
    "final": "Final reminder: your direct payment return",
    "escalation": "Your direct payment return: we need to review your account",
}


def outstanding_periods(as_of: date) -> Iterator[tuple[int, ReturnPeriod]]:
    """Every (account, period) whose return was due before `as_of` and has not been sent."""
    session = db.session
    calendar = working_calendar(Region.SCOTLAND)
    accounts = session.execute(
        select(Account.id, Account.start_date, Account.end_date).where(Account.status != "closed")
    ).all()
    tiers: dict[int, list[tuple[date, Tier]]] = defaultdict(list)
    for account_id, start, tier in session.execute(
        select(TierChange.account_id, TierChange.effective_from, TierChange.tier)
    ):
        tiers[account_id].append((start, Tier(tier)))
    sent = set(
        map(
            tuple,  # plain tuples hash far faster than result rows
            session.execute(
                select(MonitoringReturn.account_id, MonitoringReturn.period_start).where(
                    MonitoringReturn.status.in_(RETURN_SENT)
                )
            ),
        )
    )
    # Periods depend only on the start date and tier history, which most accounts share with
    # others: work each combination out once.
    known: dict[tuple, list[ReturnPeriod]] = {}
    for account_id, start, end in accounts:
        history = tiers.get(account_id, [])
        key = (start, tuple(history))
        if key not in known:
            known[key] = return_periods(start, history, as_of, calendar)
        for period in known[key]:
            if period.due >= as_of or (account_id, period.start) in sent:
                continue
            if end is not None and period.start > end:
                continue
            yield account_id, period


def _one_runner_at_a_time(session) -> None:
    """Hold the job's lock for the rest of the transaction, before reading what was issued, so
    a second runner waits and then sees the first one's rows."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REMINDER_LOCK_KEY})
    else:
        # SQLite has one writer: a write as the transaction's first statement takes that lock
        # (waiting for busy_timeout), where a read first would pin an older snapshot.
        session.execute(text("UPDATE reminder_policies SET id = id WHERE 0 = 1"))


def issue_due_reminders(as_of: date) -> int:
    """Issue every reminder due on or before `as_of`. Returns how many were issued."""
    session = db.session
    _one_runner_at_a_time(session)
    calendar = working_calendar(Region.SCOTLAND)
    issued = set(
        map(
            tuple,
            session.execute(
                select(ReminderIssue.account_id, ReminderIssue.period_start, ReminderIssue.stage)
            ),
        )
    )
    rows = []
    # Due dates repeat across accounts (quarter ends): look each timetable up once, not once
    # per account and period.
    tables: dict[date, Timetable] = {}
    for account_id, period in outstanding_periods(as_of):
        if period.due not in tables:
            tables[period.due] = timetable_on(period.due)
        table = tables[period.due]
        for stage, day in stage_dates(
            period.due, table.stages, working_days=table.working_days, calendar=calendar
        ):
            if day <= as_of and (account_id, period.start, stage.key) not in issued:
                rows.append((account_id, period, stage, day, table.version or 0))
    if not rows:
        return 0
    session.execute(
        ReminderIssue.__table__.insert(),
        [
            {
                "account_id": account_id,
                "period_start": period.start,
                "stage": stage.key,
                "due_date": period.due,
                "stage_date": day,
                "policy_version": version,
            }
            for account_id, period, stage, day, version in rows
        ],
    )
    escalations.open_tasks(
        [
            {
                "account_id": account_id,
                "period_start": period.start,
                "period_end": period.end,
                "due_date": period.due,
                "opened_on": day,
            }
            for account_id, period, stage, day, _ in rows
            if stage.escalates
        ]
    )
    recipients = correspondents(sorted({row[0] for row in rows}))
    record_letters(
        [
            letter_row(
                account_id=account_id,
                kind=f"reminder_{stage.key}",
                subject=SUBJECTS[stage.key],
                to=recipients[account_id],
                context={
                    "period_start": period.start.isoformat(),
                    "period_end": period.end.isoformat(),
                    "due": period.due.isoformat(),
                    "stage_date": day.isoformat(),
                },
                letter_date=day,
            )
            for account_id, period, stage, day, _ in rows
        ]
    )
    return len(rows)
