"""Which returns are owed: every account's return periods (periods.py) that have begun, less
those whose return has been sent, for accounts not closed.

Worked out a slice of accounts at a time, so that the reminder job's memory stays small at
any council size (a whole council at once held a million sent-return keys). The reminder run
rebuilds the `expected_returns` table each morning; in between it is kept in the same
transaction as each change that alters it: a return sent or queried, a tier changed
(sending.py, review.py and tiers.py call `refresh_account`), and an account opened, closed or
given new dates (accounts cannot call monitoring, so a flush listener below sees those). The
reminder report reads the table instead of working the periods out on every view.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import (
    ColumnElement,
    Connection,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..accounts.models import Account
from ..core.calendar import Region, WorkingCalendar
from ..core.calendar_models import CalendarOverride
from ..extensions import db
from .lifecycle import RETURN_SENT
from .models import ExpectedReturn, MonitoringReturn, SummaryRefresh, TierChange
from .periods import ReturnPeriod, Tier, return_periods

SLICE = 5_000  # accounts worked on at a time
SUMMARY = "expected_returns"
# A period begun after the refresh falls due at least 56 days after it (a month, then 28
# days), so the table answers for "overdue on a day" up to 28 days after it was rebuilt.
STILL_COMPLETE = timedelta(days=28)

Owed = tuple[int, ReturnPeriod]


@dataclass(frozen=True)
class Slice:
    """Some accounts, by id: every id from the first to the last (a slice of the whole
    council, found by a range on the index), or just those listed."""

    ids: list[int]
    whole_range: bool

    def of(self, column: ColumnElement[int]) -> ColumnElement[bool]:
        if self.whole_range:
            return column.between(self.ids[0], self.ids[-1])
        return column.in_(self.ids)


def id_slices(connection: Connection, ids: Iterable[int] | None = None) -> Iterator[Slice]:
    """Accounts a slice at a time (the whole council's when `ids` is None)."""
    every = ids is None
    if ids is None:
        ids = connection.execute(select(Account.id).order_by(Account.id)).scalars()
    ids = sorted(ids)
    for start in range(0, len(ids), SLICE):
        yield Slice(ids[start : start + SLICE], whole_range=every)


def owed_in(
    connection: Connection,
    accounts_in: Slice,
    up_to: date,
    calendar: WorkingCalendar,
    known: dict[tuple, list[ReturnPeriod]],
) -> list[Owed]:
    """The periods begun by `up_to` whose return is owed, for these accounts. `known` shares
    periods between accounts with the same start date and tier history (most of them)."""
    accounts = connection.execute(
        select(Account.id, Account.start_date, Account.end_date).where(
            accounts_in.of(Account.id), Account.status != "closed"
        )
    ).all()
    tiers: dict[int, list[tuple[date, Tier]]] = defaultdict(list)
    for account_id, start, tier in connection.execute(
        select(TierChange.account_id, TierChange.effective_from, TierChange.tier)
        .where(accounts_in.of(TierChange.account_id))
        .order_by(TierChange.account_id, TierChange.effective_from, TierChange.id)
    ):
        tiers[account_id].append((start, Tier(tier)))
    # Plain tuples, fetched all at once: they hash far faster than result rows. The status is
    # checked here, not in SQL, so that the database reads along the accounts' index (on the
    # status index it would read every return of the council for each slice).
    sent = {
        (account_id, start)
        for account_id, start, status in connection.execute(
            select(
                MonitoringReturn.account_id, MonitoringReturn.period_start, MonitoringReturn.status
            ).where(accounts_in.of(MonitoringReturn.account_id))
        ).all()
        if status in RETURN_SENT
    }
    owed = []
    for account_id, start, end in accounts:
        history = tiers.get(account_id, [])
        key = (start, up_to, tuple(history))
        if key not in known:
            known[key] = return_periods(start, history, up_to, calendar)
        for period in known[key]:
            if (account_id, period.start) in sent or (end is not None and period.start > end):
                continue
            owed.append((account_id, period))
    return owed


def council_calendar(connection: Connection) -> WorkingCalendar:
    """The Scottish working calendar with the council's closures, read on `connection` (this
    also runs inside another session's flush, where db.session is not the one to use)."""
    rows = connection.execute(
        select(CalendarOverride.day, CalendarOverride.kind).where(
            CalendarOverride.region == str(Region.SCOTLAND)
        )
    ).all()
    return WorkingCalendar(
        Region.SCOTLAND,
        closed=frozenset(day for day, kind in rows if kind == "closed"),
        opened=frozenset(day for day, kind in rows if kind == "open"),
    )


def outstanding_periods(as_of: date) -> Iterator[Owed]:
    """Every (account, period) whose return was due before `as_of` and has not been sent."""
    connection = db.session.connection()
    calendar = council_calendar(connection)
    known: dict[tuple, list[ReturnPeriod]] = {}
    for accounts_in in id_slices(connection):
        for account_id, period in owed_in(connection, accounts_in, as_of, calendar, known):
            if period.due < as_of:
                yield account_id, period


def refreshed_on(connection: Connection) -> date | None:
    return connection.execute(
        select(SummaryRefresh.refreshed_on).where(SummaryRefresh.name == SUMMARY)
    ).scalar()


def answers_for(connection: Connection, as_of: date) -> bool:
    """Whether the table holds every return overdue on `as_of` (rebuilt recently enough)."""
    day = refreshed_on(connection)
    return day is not None and as_of <= day + STILL_COMPLETE


def rebuild(
    connection: Connection,
    accounts_in: Slice,
    up_to: date,
    calendar: WorkingCalendar,
    known: dict[tuple, list[ReturnPeriod]],
) -> list[Owed]:
    """Make these accounts' rows exactly what they owe (changing only what differs), and
    return that. The rows are read before the returns: a return sent, or queried, by another
    transaction in between is then never written back the wrong way round."""
    table = ExpectedReturn.__table__
    before = {
        tuple(row)
        for row in connection.execute(select(table).where(accounts_in.of(table.c.account_id))).all()
    }
    owed = owed_in(connection, accounts_in, up_to, calendar, known)
    now = {(a, p.start, p.end, p.due) for a, p in owed}
    gone = [(a, start) for a, start, _, _ in before - now]
    for first in range(0, len(gone), 500):
        keys = gone[first : first + 500]
        connection.execute(
            delete(table).where(tuple_(table.c.account_id, table.c.period_start).in_(keys))
        )
    added = now - before
    if added:
        # Another transaction may have added the same row meanwhile (a question raised on the
        # return): it says the same, so the first stays.
        dialect_insert = (
            postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        )
        connection.execute(
            dialect_insert(table).on_conflict_do_nothing(),
            [
                {"account_id": a, "period_start": s, "period_end": e, "due_date": d}
                for a, s, e, d in sorted(added)
            ],
        )
    return owed


def mark_refreshed(connection: Connection, day: date) -> None:
    table = SummaryRefresh.__table__
    done = connection.execute(
        table.update().where(table.c.name == SUMMARY).values(refreshed_on=day)
    ).rowcount
    if not done:
        connection.execute(insert(table).values(name=SUMMARY, refreshed_on=day))


def refresh_accounts(connection: Connection, account_ids: Iterable[int]) -> None:
    """Work these accounts' owed returns out again, as of the last rebuild (nothing to keep
    before the first one: until then the report works everything out itself)."""
    day = refreshed_on(connection)
    if day is None:
        return
    calendar, known = council_calendar(connection), {}
    for accounts_in in id_slices(connection, set(account_ids)):
        rebuild(connection, accounts_in, day, calendar, known)


def refresh_account(account_id: int) -> None:
    """After a change made through the ORM in this transaction (flushed first)."""
    db.session.flush()
    refresh_accounts(db.session.connection(), [account_id])


_DECIDES = ("status", "start_date", "end_date")


@event.listens_for(Session, "after_flush")
def _accounts_changed(session: Session, _context) -> None:
    """An account opened, or its status or dates changed, in any package: its owed returns
    follow in the same transaction."""
    changed = [
        obj.id
        for obj in (*session.new, *session.dirty)
        if isinstance(obj, Account)
        and (obj in session.new or any(_changed(obj, name) for name in _DECIDES))
    ]
    if changed:
        refresh_accounts(session.connection(), changed)


def _changed(obj: Account, name: str) -> bool:
    return inspect(obj).attrs[name].history.has_changes()


# Counting rows by due date, for the report.
def overdue_by_due_date(connection: Connection, as_of: date) -> dict[date, int]:
    table = ExpectedReturn.__table__
    return dict(
        connection.execute(
            select(table.c.due_date, func.count())
            .where(table.c.due_date < as_of)
            .group_by(table.c.due_date)
        ).all()
    )
