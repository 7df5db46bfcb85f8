"""A period's payment: the sum over its days of the weekly budget in force that day / 7,
less the client contribution / 7 a day (net payments), less recovery offsets, rounded once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from json.encoder import encode_basestring_ascii as json_text

from ..core.calendar import Period
from ..core.money import ZERO, round_money, to_pence

SEVEN = Decimal(7)


@dataclass(frozen=True)
class Weekly:
    """What is in force on a day: the weekly budget, the weekly contribution deducted (net
    payment), and the weekly contribution invoiced instead (gross payment, reg. 4)."""

    budget: Decimal
    contribution: Decimal = ZERO
    lines: tuple[tuple[str, Decimal], ...] = ()
    invoiced: Decimal = ZERO

    @classmethod
    def nothing(cls) -> Weekly:
        return cls(ZERO)


@dataclass(frozen=True)
class Segment:
    start: date
    end: date
    weekly: Weekly

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def budget(self) -> Decimal:
        return self.weekly.budget * self.days / SEVEN

    # Most plans deduct or invoice nothing: nought is itself (0.00 stays 0.00), not worked out.
    @property
    def contribution(self) -> Decimal:
        weekly = self.weekly.contribution
        return weekly and weekly * self.days / SEVEN

    @property
    def invoiced(self) -> Decimal:
        weekly = self.weekly.invoiced
        return weekly and weekly * self.days / SEVEN


class _once:
    """functools.cached_property without the lock Python 3.11 takes on every first read (3.12
    dropped it): the value is stored on the instance, which then answers by itself. A run
    reads two of these for each of a council's 17,000 priced periods (25 to 40 ms of the
    build, measured). Two threads reading one at once would each make the same value."""

    def __init__(self, make: Callable):
        self.make, self.name, self.__doc__ = make, make.__name__, make.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.make(instance)
        return value


@dataclass(frozen=True)
class PeriodAmount:
    period: Period
    segments: tuple[Segment, ...]
    offsets: tuple[tuple[str, Decimal], ...] = field(default=())
    # Worked out once, when made: a whole-council run reads every one of them for each of
    # the (tens of thousands of) distinct amounts it prices.
    budget: Decimal = field(init=False)
    contribution: Decimal = field(init=False)
    invoiced: Decimal = field(init=False)  # gross payment: the contribution to invoice, rounded
    offset_total: Decimal = field(init=False)
    total: Decimal = field(init=False)  # rounded once, half up, to the penny
    total_pence: int = field(init=False)
    contribution_pence: int = field(init=False)
    invoiced_pence: int = field(init=False)
    offset_pence: int = field(init=False)

    def __post_init__(self) -> None:
        if len(self.segments) == 1:  # most periods: nothing changes inside
            (piece,) = self.segments
            budget, contribution, invoiced = piece.budget, piece.contribution, piece.invoiced
        else:
            budget = sum((s.budget for s in self.segments), ZERO)
            contribution = sum((s.contribution for s in self.segments), ZERO)
            invoiced = sum((s.invoiced for s in self.segments), ZERO)
        invoiced = round_money(invoiced) if invoiced else ZERO  # nought: 0.00, as rounded
        offset_total = sum((amount for _, amount in self.offsets), ZERO) if self.offsets else ZERO
        total = round_money(budget - contribution - offset_total)
        # A net payment invoices nothing, a gross one deducts nothing, and most have no
        # offsets: nothing is nought pence, said without the conversion (a run makes 17,000).
        figures = {
            "budget": budget,
            "contribution": contribution,
            "invoiced": invoiced,
            "offset_total": offset_total,
            "total": total,
            "total_pence": to_pence(total),
            "contribution_pence": to_pence(round_money(contribution)) if contribution else 0,
            "invoiced_pence": to_pence(invoiced) if invoiced else 0,
            "offset_pence": to_pence(offset_total) if offset_total else 0,
        }
        self.__dict__.update(figures)  # frozen: set once, here, as dataclasses' own init does

    @_once
    def line_figures(self) -> tuple[int, int, int, int, int, str]:
        """What a run line with no arrears takes from it (see run_lines.COLUMNS)."""
        return (
            self.total_pence,
            0,
            self.contribution_pence,
            self.invoiced_pence,
            self.offset_pence,
            self.breakdown_json,
        )

    @_once
    def breakdown_json(self) -> str:
        """The breakdown as stored, with no arrears (a run shares it across accounts)."""
        return self.breakdown_json_with("[]")

    def breakdown_json_with(self, arrears_json: str) -> str:
        """What the payment is made of, for the remittance advice and the audit, as stored:
        the period, each piece with its weekly figures and lines, the totals, any recovery
        offsets, and `arrears_json` (a JSON list). The same text as json.dumps with compact
        separators, written out directly: a council's run writes tens of thousands of them."""
        segments = ",".join(
            f'{{"from":"{s.start.isoformat()}","to":"{s.end.isoformat()}","days":{s.days},'
            f'"weekly_budget":"{s.weekly.budget!s}",'
            f'"weekly_contribution":"{s.weekly.contribution!s}",'
            f'"lines":[{_pairs(s.weekly.lines)}]}}'
            for s in self.segments
        )
        return (
            f'{{"period":["{self.period.start.isoformat()}","{self.period.end.isoformat()}"],'
            f'"segments":[{segments}],"budget":"{self.budget!s}",'
            f'"contribution":"{self.contribution!s}","invoiced":"{self.invoiced!s}",'
            f'"offsets":[{_pairs(self.offsets)}],"total":"{self.total!s}",'
            f'"arrears":{arrears_json}}}'
        )


def _pairs(items: tuple[tuple[str, Decimal], ...]) -> str:
    """[["label","12.34"],...] without the brackets; labels escaped as json.dumps does."""
    return ",".join(f'[{json_text(label)},"{amount!s}"]' for label, amount in items)


def period_amount(
    period: Period,
    weekly_on: Callable[[date], Weekly],
    change_dates: Iterable[date],
    offsets: tuple[tuple[str, Decimal], ...] = (),
) -> PeriodAmount:
    """Split the period where anything changes, price each piece by its days, sum, round once.

    `change_dates` are the days something may start to differ (a budget version, a rate, the
    account's start or the day after its end); `weekly_on(day)` says what is in force that day.
    """
    starts = sorted({period.start, *(d for d in change_dates if period.start < d <= period.end)})
    segments: list[Segment] = []
    for i, start in enumerate(starts):
        end = starts[i + 1] - timedelta(days=1) if i + 1 < len(starts) else period.end
        weekly = weekly_on(start)
        if segments and segments[-1].weekly == weekly:
            segments[-1] = Segment(segments[-1].start, end, weekly)
        else:
            segments.append(Segment(start, end, weekly))
    return PeriodAmount(period, tuple(segments), offsets)
