"""Sending a return: reconciled against what the council knows (its budget, its payments in
the period, the last accepted return) into plain-English flags, and earlier versions kept as
superseded. Never commits."""

from __future__ import annotations

import json
from datetime import date, timedelta

from ..accounts.models import Account
from ..auth.models import User
from ..core import audit
from ..core.errors import RuleError
from ..core.money import from_pence, to_pence
from ..core.types import local_today, utcnow
from ..payments.budgets import LineKind
from ..payments.plans import plans_of
from ..payments.pricing import weekly_on
from ..payments.rates import RateBook
from ..payments.services import rate_book
from . import escalations, expected
from .drafts import council_figures, figures_of, versions
from .lifecycle import RETURN, ReturnStatus
from .models import MonitoringReturn
from .periods import ReturnPeriod
from .reconcile import CONTINGENCY_WEEKS, Figures, Reconciliation, reconcile

ALREADY_SENT = "This return has already been sent"


def check(
    account: Account, figures: Figures, period: ReturnPeriod, *, book: RateBook | None = None
) -> Reconciliation:
    """Reconcile a return's figures against what the council knows: the account's budget at
    the period's end (and whether it has a provider line), the council's payments in the
    period and the last accepted return's closing balance."""
    plans = plans_of(account.id)
    book = book or rate_book()
    weekly = weekly_on(plans, book, account.start_date, account.end_date, period.end).budget
    opening, paid = council_figures(account.id, period)  # two round trips in all, not four
    return reconcile(
        figures,
        expected_opening=opening,
        payments_made=paid,
        weekly_budget=weekly,
        contingency_weeks=CONTINGENCY_WEEKS,
        has_provider_line=any(
            line.kind == LineKind.PROVIDER_HOURS for version in plans for line in version.lines
        ),
    )


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"  # "7 January 2027", as the pages write dates


def sendable_from(period_end: date) -> date:
    """The first day a return for a period ending on `period_end` can be sent."""
    return period_end + timedelta(days=1)


def submit(draft: MonitoringReturn, *, account: Account, actor: User) -> None:
    """Send the return: reconcile it, record the flags, and keep earlier versions."""
    RETURN.check(draft.status, ReturnStatus.SUBMITTED, ALREADY_SENT)
    if local_today() <= draft.period_end:
        # A return reports a whole period: sent early, its closing balance and spending are
        # not the period's (shared/design.md 2.3). The figures are kept as a draft.
        raise RuleError(
            f"Your figures are saved as a draft. You can send this return once its period "
            f"has ended, from {_long(sendable_from(draft.period_end))}."
        )
    period = ReturnPeriod(draft.period_start, draft.period_end, draft.due_date)
    result = check(account, figures_of(draft), period)
    for earlier in versions(account.id, draft.period_start)[1:]:
        # An amendment replaces the accepted version; the acceptance stays in the audit log.
        if RETURN.allows(earlier.status, ReturnStatus.SUPERSEDED):
            RETURN.move(earlier, ReturnStatus.SUPERSEDED, ALREADY_SENT)
    RETURN.move(draft, ReturnStatus.SUBMITTED, ALREADY_SENT)
    draft.flags_json = json.dumps([{"code": f.code, "message": f.message} for f in result.flags])
    draft.surplus_pence = to_pence(result.surplus)
    draft.submitted_by_id = actor.id
    draft.submitted_at = utcnow()
    escalations.return_received(account.id, draft.period_start, actor=actor, today=local_today())
    expected.refresh_account(account.id)  # the return is no longer owed
    audit.record(
        actor,
        "return.submitted",
        draft,
        account_id=account.id,
        summary=f"Return for {draft.period_start:%d %B %Y} to {draft.period_end:%d %B %Y} sent "
        f"(version {draft.version}, {len(result.flags)} flags)",
        after={
            "closing": str(from_pence(draft.closing_pence)),
            "flags": [f.code for f in result.flags],
        },
    )
