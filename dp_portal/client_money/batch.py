"""Many sub-ledger lines at once, for one organisation: a bank statement's lines, or any batch
that may take money out (a run's council payments are posted in SQL: run_postings.py).
Never commits.

The same rules as ledger.post, checked for the whole batch before anything is written: every
date in an open month, and no line taking its person's balance below zero (the first that
would is named, and nothing is saved). The balances are locked together, in id order (so two
batches at once cannot deadlock), then the lines are written in one bulk insert and each
balance once.

post_selected does the same for lines the database already holds (a pooled statement's, 100,000
at a time): the lines are given as a query, checked and written by the database itself
(INSERT ... SELECT, as payment runs build their lines), so no line becomes a Python object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    ColumnCollection,
    Row,
    Subquery,
    and_,
    bindparam,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from ..core import audit
from ..core.bulk import insert_rows
from ..core.errors import RuleError
from ..core.money import format_money, from_pence
from ..core.types import utcnow
from ..extensions import db
from ..third_party.money_models import ClientBalance, ClientPosting
from . import ledger


@dataclass(frozen=True)
class Line:
    account_id: int
    entry: ledger.Entry
    payment_id: int | None = None
    statement_line_id: int | None = None  # the pooled statement's line it is posted from
    label: str | None = None  # how a refusal names it ("Row 12 of the statement")


def post_batch(organisation_id: int, lines: list[Line], *, actor, what: str) -> int:
    """Post `lines` to the organisation's sub-ledgers, all or none. Returns how many."""
    if not lines:
        return 0
    ledger.check_open(organisation_id, min(line.entry.entry_date for line in lines))
    balances = _locked_balances(organisation_id, {line.account_id for line in lines})
    running = {account_id: pence for account_id, (_, pence) in balances.items()}
    rows, now = [], utcnow()
    for number, line in enumerate(lines, 1):
        pence = ledger.signed_pence(line.entry.kind, line.entry.amount)
        running[line.account_id] += pence
        if running[line.account_id] < 0:
            raise RuleError(
                f"{line.label or f'Line {number}'} ({line.entry.description}) would take "
                "the balance below zero "
                f"by {format_money(from_pence(-running[line.account_id]))}: nothing was posted"
            )
        rows.append(_row(organisation_id, balances[line.account_id][0], line, pence, now))
        rows[-1]["balance_after_pence"] = running[line.account_id]
        rows[-1]["created_by_id"] = getattr(actor, "id", None)
    insert_rows(db.session, ClientPosting.__table__, rows)
    _store_balances(balances, running, now)
    audit.record(
        actor,
        "client_money.batch_posted",
        object_type="organisations",
        object_id=organisation_id,
        summary=f"{len(rows)} lines posted to {len(balances)} sub-ledgers: {what}",
        after={"lines": len(rows), "sub_ledgers": len(balances), "what": what},
    )
    return len(rows)


def _row(org_id: int, balance_id: int, line: Line, pence: int, now) -> dict:
    entry = line.entry
    return {
        "balance_id": balance_id,
        "organisation_id": org_id,
        "account_id": line.account_id,
        "entry_date": entry.entry_date,
        "kind": entry.kind.value,
        "amount_pence": pence,
        "balance_after_pence": 0,
        "description": entry.description[:200],
        "payment_id": line.payment_id,
        "corrects_posting_id": None,
        "statement_line_id": line.statement_line_id,
        "created_by_id": None,
        "created_at": now,
    }


def _locked_balances(org_id: int, account_ids: set[int]) -> dict[int, tuple[int, int]]:
    """account id -> (balance id, pence), every row made if new and locked, in id order."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    ids = sorted(account_ids)
    found = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        # Parameters as a list (executemany), not a statement holding 1,000 VALUES rows:
        # SQLAlchemy compiles such a statement afresh each time (a second of a council run).
        db.session.execute(
            insert(ClientBalance.__table__).on_conflict_do_nothing(
                index_elements=["organisation_id", "account_id"]
            ),
            [{"organisation_id": org_id, "account_id": a, "balance_pence": 0} for a in chunk],
        )
        if dialect == "sqlite":  # no row locks: a no-op write takes the single writer lock
            db.session.execute(_touch(org_id, chunk))
        for balance_id, account_id, pence in db.session.execute(
            select(ClientBalance.id, ClientBalance.account_id, ClientBalance.balance_pence)
            .where(ClientBalance.organisation_id == org_id, ClientBalance.account_id.in_(chunk))
            .order_by(ClientBalance.id)
            .with_for_update()
        ):
            found[account_id] = (balance_id, pence)
    return found


def _touch(org_id: int, account_ids: list[int]):
    return (
        update(ClientBalance)
        .where(ClientBalance.organisation_id == org_id, ClientBalance.account_id.in_(account_ids))
        .values(balance_pence=ClientBalance.balance_pence)
    )


def _store_balances(balances: dict, running: dict[int, int], now) -> None:
    table = ClientBalance.__table__
    db.session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(balance_pence=bindparam("b_pence"), updated_at=bindparam("b_at")),
        [{"b_id": balances[a][0], "b_pence": pence, "b_at": now} for a, pence in running.items()],
    )
    db.session.expire_all()


CHANGED = (
    "The lines changed while they were being posted (someone else was working on them): "
    "nothing was posted. Post them again"
)


def post_selected(
    organisation_id: int,
    lines: Subquery,
    *,
    order: Callable[[ColumnCollection], list],
    actor,
    what: str,
    label: Callable[[Row], str],
) -> int:
    """post_batch for lines given as a query: `lines` has the columns account_id,
    entry_date, kind, amount_pence (signed), description, payment_id and statement_line_id;
    `order(columns)` says the order they post in. The same rules: the earliest date in an
    open month, the balances locked in id order, the first line (in that order) that would
    take its balance below zero named by `label(row)` and nothing saved. Returns how many."""
    people = db.session.execute(
        select(lines.c.account_id, func.min(lines.c.entry_date)).group_by(lines.c.account_id)
    ).all()
    if not people:
        return 0
    ledger.check_open(organisation_id, min(first for _, first in people))
    balances = _locked_balances(organisation_id, {account_id for account_id, _ in people})
    now = utcnow()
    totals = _write(organisation_id, lines, order, label, balances, (actor, now))
    after = {account_id: balances[account_id][1] + pence for account_id, pence in totals.items()}
    _store_balances(balances, after, now)
    count = sum(totals.counts.values())
    audit.record(
        actor,
        "client_money.batch_posted",
        object_type="organisations",
        object_id=organisation_id,
        summary=f"{count} lines posted to {len(after)} sub-ledgers: {what}",
        after={"lines": count, "sub_ledgers": len(after), "what": what},
    )
    return count


class _Totals(dict):
    """account id -> pence of the lines written for it, and how many lines."""

    def __init__(self, written) -> None:
        super().__init__()
        self.counts: dict[int, int] = {}
        for account_id, pence in written:
            self[account_id] = self.get(account_id, 0) + pence
            self.counts[account_id] = self.counts.get(account_id, 0) + 1


def _write(org_id: int, lines: Subquery, order, label, balances: dict, by) -> _Totals:
    """Write the lines, all or none; what was written, by person. The rows' own CHECK
    (balance_after_pence >= 0) finds a line that would go below zero as they are written
    (checking first would read every line once more); the totals are what was written, so
    a balance can only ever move by its own lines."""
    running = _running(org_id, lines, order)
    try:
        with db.session.begin_nested():
            totals = _Totals(_insert_selected(org_id, running, order, *by))
            # Nothing written (all posted meanwhile), or a line's client changed meanwhile.
            if not totals or not totals.keys() <= balances.keys():
                raise RuleError(CHANGED)
    except IntegrityError:
        _refuse(running, order, label)
        raise RuleError(CHANGED) from None
    return totals


def _running(org_id: int, lines: Subquery, order) -> Subquery:
    """Each line with its sub-ledger's balance id and the balance after it (the locked balance
    plus the line and every line of the same person before it); both NULL for a person with
    no balance row, which the rows' NOT NULL then refuses (never a line passed over)."""
    so_far = func.sum(lines.c.amount_pence).over(
        partition_by=lines.c.account_id, order_by=order(lines.c), rows=(None, 0)
    )
    return (
        select(
            lines,
            ClientBalance.id.label("balance_id"),
            (ClientBalance.balance_pence + so_far).label("balance_after_pence"),
        )
        .outerjoin(
            ClientBalance,
            and_(
                ClientBalance.organisation_id == org_id,
                ClientBalance.account_id == lines.c.account_id,
            ),
        )
        .subquery("running")
    )


def _refuse(running: Subquery, order, label: Callable[[Row], str]) -> None:
    """RuleError naming the first line that takes its balance below zero, if one does."""
    first = db.session.execute(
        select(running).where(running.c.balance_after_pence < 0).order_by(*order(running.c))
    ).first()
    if first is not None:
        raise RuleError(
            f"{label(first)} ({first.description}) would take the balance below zero "
            f"by {format_money(from_pence(-first.balance_after_pence))}: nothing was posted"
        )


def _insert_selected(org_id: int, running: Subquery, order, actor, now) -> list[Row]:
    """INSERT ... SELECT of the lines, in order; each written line's (account id, pence)."""
    table = ClientPosting.__table__
    columns = {
        "balance_id": running.c.balance_id,
        "organisation_id": literal(org_id, table.c.organisation_id.type),
        "account_id": running.c.account_id,
        "entry_date": running.c.entry_date,
        "kind": running.c.kind,
        "amount_pence": running.c.amount_pence,
        "balance_after_pence": running.c.balance_after_pence,
        "description": func.substr(running.c.description, 1, 200),
        "payment_id": running.c.payment_id,
        "statement_line_id": running.c.statement_line_id,
        "created_by_id": literal(getattr(actor, "id", None), table.c.created_by_id.type),
        "created_at": literal(now, table.c.created_at.type),
    }
    return db.session.execute(
        table.insert()
        .from_select(list(columns), select(*columns.values()).order_by(*order(running.c)))
        .returning(table.c.account_id, table.c.amount_pence)
    ).all()
