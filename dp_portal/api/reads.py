"""What the read endpoints list besides the journal: financial monitoring returns, recoveries
and committed payment runs, each a page at a time in id order from a cursor (the id of the
last row read). Returns and recoveries change status, so a cursor pages through them; it is
not a feed of changes (read the list again for the current status)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select

from ..accounts.models import Account
from ..core.types import local_today
from ..extensions import db
from ..monitoring.lifecycle import RETURN_SENT, ReturnStatus
from ..monitoring.models import MonitoringReturn
from ..payments.ledger_models import Recovery
from ..payments.lifecycles import RunStatus
from ..payments.run_models import PaymentRun
from .problems import ApiProblem


@dataclass(frozen=True)
class ListQuery:
    after_id: int
    limit: int
    account: str | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class Page:
    rows: list
    last_id: int
    has_more: bool
    today: date


def _dates_in_order(query: ListQuery) -> None:
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise ApiProblem(
            400,
            "The dates are the wrong way round.",
            errors=[{"parameter": "to", "detail": "to must be on or after from"}],
        )


def _page(statement: Select, id_column, query: ListQuery) -> Page:
    rows = db.session.execute(
        statement.where(id_column > query.after_id).order_by(id_column).limit(query.limit + 1)
    ).all()
    kept = rows[: query.limit]
    last = kept[-1][0].id if kept else query.after_id
    return Page(kept, last, len(rows) > query.limit, local_today())


def returns_page(query: ListQuery) -> Page:
    """Returns (each version a row), with their account's reference. Superseded versions
    only when asked for by status; a period filter keeps returns whose period overlaps it."""
    _dates_in_order(query)
    statement = select(MonitoringReturn, Account.reference).join(
        Account, Account.id == MonitoringReturn.account_id
    )
    if query.status:
        statement = statement.where(MonitoringReturn.status == query.status)
    else:
        statement = statement.where(MonitoringReturn.status != ReturnStatus.SUPERSEDED)
    if query.account:
        statement = statement.where(Account.reference == query.account)
    if query.date_from:
        statement = statement.where(MonitoringReturn.period_end >= query.date_from)
    if query.date_to:
        statement = statement.where(MonitoringReturn.period_start <= query.date_to)
    return _page(statement, MonitoringReturn.id, query)


def is_overdue(row: MonitoringReturn, today: date) -> bool:
    """Past its due date and still owed (not sent, or sent back with a question)."""
    return row.due_date < today and row.status not in RETURN_SENT


def recoveries_page(query: ListQuery) -> Page:
    statement = select(Recovery, Account.reference).join(Account, Account.id == Recovery.account_id)
    if query.status:
        statement = statement.where(Recovery.status == query.status)
    if query.account:
        statement = statement.where(Account.reference == query.account)
    return _page(statement, Recovery.id, query)


def runs_page(query: ListQuery) -> Page:
    """Committed payment runs; a date filter is on their pay date."""
    _dates_in_order(query)
    statement = select(PaymentRun).where(PaymentRun.status == RunStatus.COMMITTED)
    if query.date_from:
        statement = statement.where(PaymentRun.pay_date >= query.date_from)
    if query.date_to:
        statement = statement.where(PaymentRun.pay_date <= query.date_to)
    return _page(statement, PaymentRun.id, query)
