"""Arrears: money owed for periods already paid, paid as itemised lines in the next run.

Arrears = for each committed period within the horizon, the period's amount priced again now
(rounded by the period rule) less what was paid for it (shared/design.md 2.1). Only periods
that can have changed are priced again: every account's, for periods a later rate row reaches
back into; an account's, when its budget was approved or a payment of it corrected after the
period was paid, or when it was withheld in that period's run.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import func, select

from ..core.calendar import PaymentSchedule, Period, financial_year_start
from ..core.money import to_pence
from ..extensions import db
from .ledger_models import Payment
from .lifecycles import RunStatus
from .models import Budget
from .pricing import PeriodPricer
from .rate_models import RateRow
from .rates import RateBook
from .run_models import PaymentRun, RunLine


class PastPeriods:
    """Committed periods within the horizon, what was paid for them, and which accounts need
    them priced again: everyone's, for periods a later rate reaches back into; an account's,
    for periods it was withheld in or has a later budget or correction for."""

    def __init__(
        self,
        periods: list[tuple[int, Period]],
        paid: dict[tuple[int, int], int],
        everyone: set[int],
        accounts: dict[int, set[int]],
        book: RateBook,
    ):
        self.periods = sorted(periods)
        self.paid = paid
        self.everyone = everyone
        self.by_account: dict[int, set[int]] = defaultdict(set)
        for index, account_ids in accounts.items():
            for account_id in account_ids:
                self.by_account[account_id].add(index)
        # Accounts with the same plan share each past period's price, as they do this one's.
        self.pricers = {index: PeriodPricer(p, book) for index, p in self.periods}

    def __bool__(self) -> bool:
        return bool(self.everyone or self.by_account)

    def arrears_for(self, account_id: int, versions, start, end) -> list[dict]:
        """The account's arrears: each earlier period whose amount now differs from what was
        paid for it, in period order."""
        mine = self.by_account.get(account_id, ())
        items = []
        for index, p in self.periods:
            if index not in self.everyone and index not in mine:
                continue
            expected = to_pence(self.pricers[index].amount(versions, start, end).total)
            paid = self.paid.get((account_id, index), 0)
            if expected != paid:
                items.append(
                    {
                        "period_index": index,
                        "from": p.start.isoformat(),
                        "to": p.end.isoformat(),
                        "expected_pence": expected,
                        "paid_pence": paid,
                        "due_pence": expected - paid,
                    }
                )
        return items


def arrears_inputs(period: Period, schedule: PaymentSchedule, book: RateBook) -> PastPeriods:
    # Arrears look back to the start of the previous financial year.
    horizon = financial_year_start(financial_year_start(period.start) - timedelta(days=1))
    runs = db.session.execute(
        select(PaymentRun.id, PaymentRun.period_index, PaymentRun.committed_at).where(
            PaymentRun.status == RunStatus.COMMITTED,
            PaymentRun.period_start >= horizon,
            PaymentRun.period_start < period.start,
        )
    ).all()
    if not runs:
        return PastPeriods([], {}, set(), {}, book)
    periods = [(index, schedule.period(index)) for _, index, _ in runs]
    paid = _paid([index for _, index, _ in runs])
    everyone: set[int] = set()
    accounts: dict[int, set[int]] = {}
    for run_id, index, committed_at in runs:
        p = schedule.period(index)
        # Withheld in that period's run, and not paid since (by a correction, say).
        accounts[index] = {
            account_id
            for account_id in db.session.execute(
                select(RunLine.account_id).where(
                    RunLine.run_id == run_id, RunLine.outcome == "withhold"
                )
            ).scalars()
            if (account_id, index) not in paid
        }
        if _later_rate(committed_at, p):
            everyone.add(index)
        else:
            accounts[index] |= _changed_accounts(index, committed_at, p)
    return PastPeriods(periods, paid, everyone, accounts, book)


def _paid(indexes: list[int]) -> dict[tuple[int, int], int]:
    paid: dict[tuple[int, int], int] = defaultdict(int)
    for account_id, index, amount in db.session.execute(
        select(Payment.account_id, Payment.period_index, func.sum(Payment.amount_pence))
        .where(Payment.period_index.in_(indexes))
        .group_by(Payment.account_id, Payment.period_index)
    ):
        paid[(account_id, index)] = int(amount)
    return dict(paid)


def _later_rate(committed_at, p: Period) -> bool:
    return (
        db.session.execute(
            select(RateRow.id)
            .where(RateRow.created_at > committed_at, RateRow.effective_from <= p.end)
            .limit(1)
        ).first()
        is not None
    )


def _changed_accounts(index: int, committed_at, p: Period) -> set[int]:
    return set(
        db.session.execute(
            select(Budget.account_id).where(
                Budget.status == "approved",
                Budget.decided_at > committed_at,
                Budget.effective_from <= p.end,
            )
        ).scalars()
    ) | set(
        # A correction recorded since (a returned payment, say) changes what is owed.
        db.session.execute(
            select(Payment.account_id).where(
                Payment.kind == "adjustment",
                Payment.period_index == index,
                Payment.created_at > committed_at,
            )
        ).scalars()
    )
