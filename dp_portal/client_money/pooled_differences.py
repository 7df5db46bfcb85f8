"""A month's reconciliation differences, listed from the pooled account's statement: what is
outstanding at the month's end between the statement and the sub-ledgers (as a bank
reconciliation lists outstanding items, carried until they clear). Never commits.

- "On the statement, not in the sub-ledgers": a statement line dated by the month's end that
  no sub-ledger line holds (unassigned, or not yet posted); its signed amount.
- "In the sub-ledgers, not yet on the statement": a sub-ledger line dated by the month's end,
  on or after the organisation's first statement line, that no statement line dated by then
  shows (a posting entered by hand, a correction, a fee); less its amount.
- "Council payment not yet received": the same, for a council payment posted when its run
  committed that the statement does not show yet.
Each still needs an explanation before the month goes for sign-off (reconciliation.py). The
list follows the statement and the sub-ledgers while the month is open: a line that clears
drops off; a sealed month keeps its list.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, func, not_, or_, select

from ..core import audit
from ..core.money import format_money, from_pence
from ..extensions import db
from ..third_party.money_models import (
    ClientPosting,
    PooledReconciliation,
    ReconciliationDifference,
)
from ..third_party.money_statement_models import PooledStatementLine as Line
from .reconciliation import RecStatus, month_end


def _unposted_lines(org_id: int, end: date, not_posted_payments: set[int]) -> list[dict]:
    held = or_(
        exists().where(ClientPosting.statement_line_id == Line.id),
        and_(
            Line.payment_id.is_not(None),
            exists().where(
                ClientPosting.payment_id == Line.payment_id, ClientPosting.entry_date <= end
            ),
        ),
    )
    rows = db.session.execute(
        select(Line.id, Line.line_date, Line.description, Line.amount_pence, Line.payment_id)
        .where(Line.organisation_id == org_id, Line.line_date <= end, not_(held))
        .order_by(Line.line_date, Line.id)
    ).all()
    return [
        {
            "kind": "statement_line_not_in_ledger",
            "statement_line_id": row.id,
            "amount_pence": row.amount_pence,
            "description": f"{row.line_date:%d %B %Y}: {row.description}"[:300],
        }
        for row in rows
        if row.payment_id not in not_posted_payments  # listed already as not posted
    ]


def _postings_not_shown(org_id: int, start: date, end: date) -> list[dict]:
    shown = or_(
        ClientPosting.statement_line_id.is_not(None),
        and_(
            ClientPosting.payment_id.is_not(None),
            exists().where(Line.payment_id == ClientPosting.payment_id, Line.line_date <= end),
        ),
    )
    rows = db.session.execute(
        select(ClientPosting)
        .where(
            ClientPosting.organisation_id == org_id,
            ClientPosting.entry_date >= start,
            ClientPosting.entry_date <= end,
            not_(shown),
        )
        .order_by(ClientPosting.entry_date, ClientPosting.id)
    ).scalars()
    return [
        {
            "kind": "council_payment_not_received"
            if posting.payment_id is not None
            else "posting_not_on_statement",
            "posting_id": posting.id,
            "payment_id": posting.payment_id,
            "amount_pence": -posting.amount_pence,
            "description": f"{posting.entry_date:%d %B %Y}: {posting.kind_label}, "
            f"{posting.description}"[:300],
        }
        for posting in rows
    ]


def outstanding(rec: PooledReconciliation) -> list[dict]:
    """What the statement and the sub-ledgers show differently at the month's end (nothing
    before the organisation has imported a statement: there is nothing to compare)."""
    first = db.session.execute(
        select(func.min(Line.line_date)).where(Line.organisation_id == rec.organisation_id)
    ).scalar()
    end = month_end(rec.month)
    if first is None or first > end:
        return []
    not_posted = set(
        db.session.execute(
            select(ReconciliationDifference.payment_id).where(
                ReconciliationDifference.reconciliation_id == rec.id,
                ReconciliationDifference.kind == "council_payment_not_posted",
            )
        ).scalars()
    )
    return _unposted_lines(rec.organisation_id, end, not_posted) + _postings_not_shown(
        rec.organisation_id, first, end
    )


def _key(item) -> tuple[str, int]:
    get = item.get if isinstance(item, dict) else lambda name: getattr(item, name)
    if get("statement_line_id") is not None:
        return "line", get("statement_line_id")
    return "posting", get("posting_id")


def _marks() -> tuple[int | None, int | None]:
    """The newest sub-ledger line and statement line anywhere (primary keys: one index
    step each). Lines are never edited or deleted, and a line is posted only by a new
    sub-ledger line, so while neither moves no difference can have come or gone."""
    return (
        db.session.execute(select(func.max(ClientPosting.id))).scalar(),
        db.session.execute(select(func.max(Line.id))).scalar(),
    )


def refresh(rec: PooledReconciliation) -> int:
    """Bring an open month's listed differences into line with the statement: new ones
    added (to be explained), cleared ones removed. Returns how many changed."""
    if rec.status != RecStatus.OPEN:
        return 0
    marks = _marks()
    if marks == (rec.listed_to_posting_id, rec.listed_to_line_id):
        return 0
    rec.listed_to_posting_id, rec.listed_to_line_id = marks
    listed = {
        _key(item): item
        for item in db.session.execute(
            select(ReconciliationDifference).where(
                ReconciliationDifference.reconciliation_id == rec.id,
                or_(
                    ReconciliationDifference.statement_line_id.is_not(None),
                    ReconciliationDifference.posting_id.is_not(None),
                ),
            )
        ).scalars()
    }
    wanted = {_key(item): item for item in outstanding(rec)}
    for key in listed.keys() - wanted.keys():
        db.session.delete(listed[key])
    for key in wanted.keys() - listed.keys():
        db.session.add(ReconciliationDifference(reconciliation_id=rec.id, **wanted[key]))
    changed = len(listed.keys() ^ wanted.keys())
    if changed:
        db.session.flush()
        audit.record(
            None,
            "reconciliation.differences_listed",
            rec,
            summary=f"{rec.month:%B %Y}: differences listed from the statement now "
            f"{len(wanted)}, totalling {format_money(from_pence(_total(wanted)))}",
            after={"listed": len(wanted), "added": len(wanted.keys() - listed.keys())},
        )
    return changed


def _total(wanted: dict) -> int:
    return sum(item["amount_pence"] for item in wanted.values())
