"""The daily reminder job: every reminder stage that has fallen due for a return not yet sent
is issued once, dated on its stage date (so a job that was down for days catches up with the
right dates), with a letter to the account's correspondent. The same run rebuilds the table of
returns owed and adds the reminders to the report's tallies.

Safe to run twice or from two processes: a unique key per (account, period, stage), and a lock
held for the run's transaction (a PostgreSQL advisory lock, or SQLite's writer lock).

Accounts are worked through a slice at a time (expected.py), so the job holds little: the
scheduler renders the day's letters next, in the same process, and every object left alive
here would slow each of those renders (Python's collector walks them all).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, insert, select, text, update

from ..accounts.correspondents import correspondents
from ..core.letters import letter_row, record_letters
from ..core.types import local_date, utcnow
from ..extensions import db
from . import escalations, expected
from .expected import outstanding_periods as outstanding_periods  # the report's, and the demo's
from .models import ReminderIssue, ReminderTally
from .periods import ReturnPeriod
from .reminders import Stage, stage_dates
from .timetable import Timetable, timetable_on

REMINDER_LOCK_KEY = 7_431_002

SUBJECTS = {
    "first": "Reminder: your direct payment return",
    "second": "Second reminder: your direct payment return",
    "final": "Final reminder: your direct payment return",
    "escalation": "Your direct payment return: we need to review your account",
}


@dataclass(frozen=True)
class Due:
    account_id: int
    period: ReturnPeriod
    stage: Stage
    day: date  # the stage's date: the date on the letter
    policy_version: int


def _one_runner_at_a_time(connection: Connection) -> None:
    """Hold the job's lock for the rest of the transaction, before reading what was issued, so
    a second runner waits and then sees the first one's rows."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REMINDER_LOCK_KEY})
    else:
        # SQLite has one writer: a write as the transaction's first statement takes that lock
        # (waiting for busy_timeout), where a read first would pin an older snapshot.
        connection.execute(text("UPDATE reminder_policies SET id = id WHERE 0 = 1"))


def _due_in_slice(connection, accounts_in, as_of, calendar, known, tables) -> list[Due]:
    """Rebuild these accounts' owed returns, and list the reminders now due for them."""
    owed = expected.rebuild(connection, accounts_in, as_of, calendar, known)
    columns = (ReminderIssue.account_id, ReminderIssue.period_start, ReminderIssue.stage)
    issued = {
        (account_id, start, stage)
        for account_id, start, stage in connection.execute(
            select(*columns).where(accounts_in.of(ReminderIssue.account_id))
        ).all()
    }
    due = []
    for account_id, period in owed:
        if period.due >= as_of:
            continue
        # Due dates repeat across accounts (quarter ends): each timetable is looked up once.
        if period.due not in tables:
            tables[period.due] = timetable_on(period.due)
        table: Timetable = tables[period.due]
        for stage, day in stage_dates(
            period.due, table.stages, working_days=table.working_days, calendar=calendar
        ):
            if day <= as_of and (account_id, period.start, stage.key) not in issued:
                due.append(Due(account_id, period, stage, day, table.version or 0))
    return due


def issue_due_reminders(as_of: date, *, now: datetime | None = None) -> int:
    """Issue every reminder due on or before `as_of` (recorded as issued at `now`). Returns
    how many were issued."""
    connection = db.session.connection()
    _one_runner_at_a_time(connection)
    calendar = expected.council_calendar(connection)
    known: dict = {}
    tables: dict[date, Timetable] = {}
    due: list[Due] = []
    for accounts_in in expected.id_slices(connection):
        due += _due_in_slice(connection, accounts_in, as_of, calendar, known, tables)
    expected.mark_refreshed(connection, as_of)
    if due:
        _record(connection, due, now or utcnow())
    return len(due)


def _record(connection: Connection, due: list[Due], now: datetime) -> None:
    connection.execute(
        insert(ReminderIssue.__table__),
        [
            {
                "account_id": d.account_id,
                "period_start": d.period.start,
                "stage": d.stage.key,
                "due_date": d.period.due,
                "stage_date": d.day,
                "policy_version": d.policy_version,
                "issued_at": now,
            }
            for d in due
        ],
    )
    escalations.open_tasks(
        [
            {
                "account_id": d.account_id,
                "period_start": d.period.start,
                "period_end": d.period.end,
                "due_date": d.period.due,
                "opened_on": d.day,
            }
            for d in due
            if d.stage.escalates
        ]
    )
    issued_on = local_date(now)
    _tally(connection, Counter((d.stage.key, d.period.due, d.day, issued_on) for d in due))
    recipients = correspondents(sorted({d.account_id for d in due}))
    record_letters(
        [
            letter_row(
                account_id=d.account_id,
                kind=f"reminder_{d.stage.key}",
                subject=SUBJECTS[d.stage.key],
                to=recipients[d.account_id],
                context={
                    "period_start": d.period.start.isoformat(),
                    "period_end": d.period.end.isoformat(),
                    "due": d.period.due.isoformat(),
                    "stage_date": d.day.isoformat(),
                },
                letter_date=d.day,
            )
            for d in due
        ]
    )


def _tally(connection: Connection, counts: Counter) -> None:
    """Add the reminders just issued to the report's tallies (the job's lock means no other
    writer adds to the same rows meanwhile)."""
    table = ReminderTally.__table__
    key = (table.c.stage, table.c.due_date, table.c.stage_date, table.c.issued_on)
    existing = set(
        map(
            tuple,
            connection.execute(select(*key).where(table.c.issued_on.in_({k[3] for k in counts}))),
        )
    )
    for (stage, due, day, issued_on), n in counts.items():
        if (stage, due, day, issued_on) in existing:
            connection.execute(
                update(table)
                .where(
                    table.c.stage == stage,
                    table.c.due_date == due,
                    table.c.stage_date == day,
                    table.c.issued_on == issued_on,
                )
                .values(reminders=table.c.reminders + n)
            )
    new = [
        {"stage": s, "due_date": d, "stage_date": t, "issued_on": i, "reminders": n}
        for (s, d, t, i), n in counts.items()
        if (s, d, t, i) not in existing
    ]
    if new:
        connection.execute(insert(table), new)
