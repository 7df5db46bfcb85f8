"""What the payment run pages list: a run's totals, its withheld lines and a page of its paid
lines (from what the build kept, run_summary.py, when it kept it), with what an approver must
know from run_review.py."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..core.money import from_pence
from ..core.pagination import BoundedPage, bounded_page
from ..extensions import db
from . import lifecycles, run_summary
from .lifecycles import RunStatus
from .run_models import PaymentRun, RunLine, RunPageStart
from .run_review import blocked_names, blocked_since, stale_reasons
from .run_summary import (
    LINES_A_PAGE,
    PayeeChange,
    changes_since_last_run,
    previous_committed,
    stored_changes,
)

# The page shows each line's account reference (and its person): loaded with the lines, not
# one query a line.
ON_THE_PAGE = joinedload(RunLine.account)


@dataclass(frozen=True)
class RunPage:
    """Everything the run page shows an officer before they approve, commit or cancel."""

    totals: dict
    withheld: list[RunLine]
    paid: object  # Flask-SQLAlchemy's Pagination of the paid lines, 50 a page
    stale: list[str]
    previous: PaymentRun | None
    changes: list[PayeeChange]
    blocked_me: str | None  # why the reader may not approve it, if they may not
    blocked: list[tuple[str, str]]  # (name, why) of everyone who may not approve it
    next_states: frozenset[RunStatus]


def run_page(run: PaymentRun, reader_id: int, page: int | None) -> RunPage:
    previous = previous_committed(run)
    kept = run.summarised_at is not None and run.compared_with_run_id == (
        previous.id if previous else None
    )
    changes = stored_changes(run) if kept else changes_since_last_run(run)[1]
    approvable = RunStatus.APPROVED in lifecycles.next_states(RunStatus(run.status))
    blocked = blocked_since(run, previous) if approvable else {}
    return RunPage(
        totals=run_totals(run),
        withheld=withheld_lines(run.id),
        paid=paid_lines(run, page or 1),
        stale=stale_reasons(run),
        previous=previous,
        changes=changes,
        blocked_me=blocked.get(reader_id),
        blocked=blocked_names(blocked),
        next_states=lifecycles.next_states(RunStatus(run.status)),
    )


def paid_lines(run: PaymentRun, page: int) -> BoundedPage:
    """A page of the run's paid lines in account order: from where the build noted the page
    starts (run_summary.py), or counted through for a run built before it did."""
    lines = (
        select(RunLine)
        .options(ON_THE_PAGE)
        .where(RunLine.run_id == run.id, RunLine.outcome == "pay")
        .order_by(RunLine.account_id)
    )
    if run.summarised_at is None:
        return bounded_page(lines, page, per_page=LINES_A_PAGE, total=run.payment_count)
    pages = max(1, ceil(run.payment_count / LINES_A_PAGE))
    page = min(max(page, 1), pages)
    first = db.session.execute(
        select(RunPageStart.first_account_id).where(
            RunPageStart.run_id == run.id, RunPageStart.page == page
        )
    ).scalar()
    if first is not None:
        lines = lines.where(RunLine.account_id >= first)
    items = list(db.session.execute(lines.limit(LINES_A_PAGE)).scalars())
    return BoundedPage(items, page, LINES_A_PAGE, run.payment_count, False)


def run_totals(run: PaymentRun) -> dict:
    """Totals by SDS option and payee type, and the reasons lines were withheld."""
    if run.summarised_at is not None:
        kept = run_summary.stored_totals(run)
        return {"by_option": kept.by_option, "withheld": kept.withheld}
    run_id = run.id
    by_option = db.session.execute(
        select(
            RunLine.sds_option,
            RunLine.payee_type,
            func.count(),
            func.sum(RunLine.amount_pence + RunLine.arrears_pence),
        )
        .where(RunLine.run_id == run_id, RunLine.outcome == "pay")
        .group_by(RunLine.sds_option, RunLine.payee_type)
        .order_by(RunLine.sds_option, RunLine.payee_type)
    ).all()
    reasons = db.session.execute(
        select(RunLine.reason, func.count())
        .where(RunLine.run_id == run_id, RunLine.outcome == "withhold")
        .group_by(RunLine.reason)
        .order_by(func.count().desc())
    ).all()
    return {
        "by_option": [
            (opt, payee, count, from_pence(int(total or 0)))
            for opt, payee, count, total in by_option
        ],
        "withheld": [(reason, count) for reason, count in reasons],
    }


def recent_runs(limit: int = 30) -> list[PaymentRun]:
    return list(
        db.session.execute(
            select(PaymentRun)
            .order_by(PaymentRun.period_start.desc(), PaymentRun.id.desc())
            .limit(limit)
        ).scalars()
    )


def withheld_lines(run_id: int, limit: int = 200) -> list[RunLine]:
    return list(
        db.session.execute(
            select(RunLine)
            .options(ON_THE_PAGE)
            .where(RunLine.run_id == run_id, RunLine.outcome == "withhold")
            .order_by(RunLine.account_id)
            .limit(limit)
        ).scalars()
    )
