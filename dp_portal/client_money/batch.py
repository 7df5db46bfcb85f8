"""Many sub-ledger lines at once, for one organisation: a bank statement's lines, or any batch
that may take money out (a run's council payments are posted in SQL: run_postings.py).
Never commits.

The same rules as ledger.post, checked for the whole batch before anything is written: every
date in an open month, and no line taking its person's balance below zero (the first that
would is named, and nothing is saved). The balances are locked together, in id order (so two
batches at once cannot deadlock), then the lines are written in one bulk insert and each
balance once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

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
