"""Pricing a period for one account from its plan versions: no Flask, no database.

A plan version is an approved budget reduced to what pricing needs (its lines, contribution
and basis, and the day it starts). What is in force on a day is the latest version starting on
or before it, priced at the rates in force that day; a period is the sum over its days, rounded
once (schedule.py, shared/design.md 2.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from ..core.calendar import Period
from ..core.money import ZERO
from .budgets import LineSpec, price_lines
from .rates import RateBook
from .schedule import PeriodAmount, Segment, Weekly, period_amount


# Compared by identity, like LineSpec: plans.load_plans builds one PlanTerms per distinct set
# of lines and contribution, so the accounts of a whole council that share a plan share its
# priced period, found by hashing identities rather than every field.
@dataclass(frozen=True, eq=False)
class PlanTerms:
    """What a plan version pays for: its lines, and the weekly contribution and its basis."""

    lines: tuple[LineSpec, ...]
    contribution: Decimal
    basis: str  # net: deducted from each payment; gross: invoiced (reg. 4)


class PlanVersion(NamedTuple):
    """A budget version as pricing sees it: the terms in force from a date."""

    effective_from: date
    terms: PlanTerms

    @property
    def lines(self) -> tuple[LineSpec, ...]:
        return self.terms.lines

    @property
    def contribution(self) -> Decimal:
        return self.terms.contribution

    @property
    def basis(self) -> str:
        return self.terms.basis


def weekly_on(
    versions: Sequence[PlanVersion],
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
    # Many accounts share the same terms; price each once per day.
    return book.cached(("weekly", plan.terms, day), lambda: _price(plan.terms, book, day))


def _price(plan: PlanTerms, book: RateBook, day: date) -> Weekly:
    budget, lines = _lines_weekly(plan.lines, book, day)
    net = plan.basis == "net"
    return Weekly(
        budget, plan.contribution if net else ZERO, lines, ZERO if net else plan.contribution
    )


def _lines_weekly(lines: tuple[LineSpec, ...], book: RateBook, day: date) -> tuple:
    """A set of lines' weekly total (budgets.weekly_total: their sum, unrounded) and each
    line's weekly amount, worked out once a day for each distinct set: a council's 17,000
    distinct plans have about 8,800 distinct sets of lines, told apart by contribution."""

    def price() -> tuple:
        weeklies = tuple(_line_weekly(line, book, day) for line in lines)
        described = zip([line.description for line in lines], weeklies, strict=True)
        return sum(weeklies, ZERO), tuple(described)

    return book.cached(("lines", lines, day), price)


def _line_weekly(line: LineSpec, book: RateBook, day: date) -> Decimal:
    """One line's weekly amount at the day's rates. A council's 17,000 distinct plans are
    made of far fewer distinct lines (lines are shared objects, see plans.py), so each is
    priced once per day, by budgets.price_lines as everywhere else."""
    return book.cached(("line", line, day), lambda: _priced_alone(line, book, day))


def _priced_alone(line: LineSpec, book: RateBook, day: date) -> Decimal:
    pa = book.pa_rate_on(day)
    (priced,) = price_lines(
        [line],
        pa.total if pa else None,
        lambda org, service: book.provider_rate_on(org, day, service),
        explain=False,
    )
    return priced.weekly


def account_period_amount(
    period: Period, versions: Sequence[PlanVersion], book: RateBook, start: date, end: date | None
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


class PeriodPricer:
    """One period priced for a whole council. An account open for the whole period is priced
    from its plan versions alone, and when none of them starts inside the period, from the
    terms in force on its first day alone: accounts with the same terms share one priced
    period and its stored breakdown. A rate that is not set is remembered the same way."""

    def __init__(self, period: Period, book: RateBook):
        self.period = period
        self.book = book
        # Keyed by the terms in force all period (or None: nothing), or by the account's
        # versions when one of them starts after the period does.
        self._shared: dict[object, PeriodAmount | str] = {}
        self._one_piece = not book.changes_within(period.start, period.end)

    def amount(self, plans: tuple[PlanVersion, ...], start: date, end: date | None) -> PeriodAmount:
        """Raises LookupError when a rate the account's plan needs is not set."""
        period = self.period
        if start > period.start or (end is not None and end < period.end):
            return account_period_amount(period, plans, self.book, start, end)
        # Open all period. Usually the latest version started before it: its terms decide.
        if not plans or plans[-1].effective_from <= period.start:
            key = plans[-1].terms if plans else None
        else:
            key = plans  # a version starts later: this account's versions decide
        shared = self._shared.get(key)
        if shared is None:
            shared = self._shared[key] = self._whole_period(plans, start, end)
        if isinstance(shared, str):
            raise LookupError(shared)
        return shared

    def _whole_period(self, plans, start, end) -> PeriodAmount | str:
        period = self.period
        try:
            if self._one_piece and (not plans or plans[-1].effective_from <= period.start):
                # What account_period_amount would find, without asking again what amount()
                # has just made sure of: one piece, the latest version's terms, all period
                # (a council prices 17,000 distinct plans a run).
                weekly = weekly_on(plans, self.book, start, end, period.start)
                return PeriodAmount(period, (Segment(period.start, period.end, weekly),))
            return account_period_amount(period, plans, self.book, start, end)
        except LookupError as exc:
            return str(exc)  # why it cannot be priced, said again for every such account
