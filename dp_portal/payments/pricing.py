"""Pricing a period for one account from its plan versions: no Flask, no database.

A plan version is an approved budget reduced to what pricing needs (its lines, contribution
and basis, and the day it starts). What is in force on a day is the latest version starting on
or before it, priced at the rates in force that day; a period is the sum over its days, rounded
once (schedule.py, shared/design.md 2.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ..core.calendar import Period
from ..core.money import ZERO
from .budgets import LineSpec, price_lines, weekly_total
from .rates import RateBook
from .schedule import PeriodAmount, Segment, Weekly, period_amount


@dataclass(frozen=True)
class PlanVersion:
    budget_id: int
    effective_from: date
    contribution: Decimal
    basis: str
    lines: tuple[LineSpec, ...]


def weekly_on(
    versions: list[PlanVersion],
    book: RateBook,
    account_start: date,
    account_end: date | None,
    day: date,
) -> Weekly:
    """What the account's plan pays a week on `day` (nothing outside the account's dates)."""
    if day < account_start or (account_end is not None and day > account_end):
        return Weekly.nothing()
    plan = None
    for version in versions:
        if version.effective_from <= day:
            plan = version
    if plan is None:
        return Weekly.nothing()
    # Many accounts share the same lines; price each set once per day.
    return book.cached(
        ("weekly", plan.lines, plan.contribution, plan.basis, day), lambda: _price(plan, book, day)
    )


def _price(plan: PlanVersion, book: RateBook, day: date) -> Weekly:
    pa = book.pa_rate_on(day)
    priced = price_lines(
        list(plan.lines),
        pa.total if pa else None,
        lambda org: book.provider_rate_on(org, day),
        explain=False,
    )
    net = plan.basis == "net"
    return Weekly(
        weekly_total(priced),
        plan.contribution if net else ZERO,
        tuple((p.spec.description, p.weekly) for p in priced),
        ZERO if net else plan.contribution,
    )


def account_period_amount(
    period: Period, versions: list[PlanVersion], book: RateBook, start: date, end: date | None
) -> PeriodAmount:
    """The account's amount for the period. Raises LookupError when a rate it needs is unset."""
    # Most accounts: nothing starts or stops inside the period, so it is one piece.
    if (
        start <= period.start
        and (end is None or end >= period.end)
        and not book.changes_within(period.start, period.end)
        and not any(period.start < v.effective_from <= period.end for v in versions)
    ):
        weekly = weekly_on(versions, book, start, end, period.start)
        # Accounts with the same weekly figures share one priced period (and its breakdown).
        return book.cached(
            ("period", id(weekly), period),
            lambda: PeriodAmount(period, (Segment(period.start, period.end, weekly),)),
        )
    changes = {v.effective_from for v in versions} | book.change_dates() | {start}
    if end is not None:
        changes.add(end + timedelta(days=1))
    return period_amount(period, lambda day: weekly_on(versions, book, start, end, day), changes)
