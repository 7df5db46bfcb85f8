"""The forecast as a chart: coordinates for a server-rendered SVG (no JavaScript). Pure.

The table beside it is the real content (every figure and its working); the chart is a
picture of the same figures, with a title and a description for screen readers. Coordinates
are worked out in Decimal, as the money is, and written to one decimal place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..core.money import ZERO, format_money
from .forecast import Forecast, Outlook, long_day

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 88, 16, 16, 48  # room for the money and date labels
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Point:
    x: Decimal
    y: Decimal
    day: date
    balance: Decimal

    @property
    def label(self) -> str:
        return f"{long_day(self.day)}: {format_money(self.balance)}"

    @property
    def short_day(self) -> str:
        return f"{self.day:%b}"


@dataclass(frozen=True)
class Line:
    y: Decimal
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: tuple[Point, ...]
    zero: Line
    allowed: Line | None
    description: str

    @property
    def path(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)

    @property
    def left(self) -> int:
        return LEFT

    @property
    def right(self) -> int:
        return self.width - RIGHT

    @property
    def bottom(self) -> int:
        return self.height - BOTTOM


def chart_for(result: Forecast) -> Chart:
    """Balance at the start and at the end of each period, against the days they fall on."""
    series = [(result.known.day, result.known.balance)]
    series += [(row.period.end, row.closing) for row in result.rows]
    allowed = result.policy.allowed
    low = min([ZERO, *(balance for _, balance in series)])
    high = max([allowed, *(balance for _, balance in series)])
    if high == low:
        high = low + 1
    first, last = series[0][0], series[-1][0]
    span = Decimal(max((last - first).days, 1))

    def x(day: date) -> Decimal:
        plot = Decimal(WIDTH - LEFT - RIGHT)
        return (LEFT + plot * (day - first).days / span).quantize(TENTH)

    def y(balance: Decimal) -> Decimal:
        plot = Decimal(HEIGHT - TOP - BOTTOM)
        return (TOP + plot * (high - balance) / (high - low)).quantize(TENTH)

    points = tuple(Point(x(day), y(balance), day, balance) for day, balance in series)
    limit = None
    if allowed > 0:
        limit = Line(y(allowed), f"May keep {format_money(allowed)}")
    return Chart(WIDTH, HEIGHT, points, Line(y(ZERO), "£0"), limit, _description(result))


def _description(result: Forecast) -> str:
    start = f"{format_money(result.known.balance)} on {long_day(result.known.day)}"
    text = (
        f"A line chart of the balance from {start} to "
        f"{format_money(result.year_end_balance)} on {long_day(result.year_end)}."
    )
    if result.outlook == Outlook.OVERSPEND and result.runs_out is not None:
        text += f" It goes below £0 by {long_day(result.runs_out.period.end)}."
    elif result.outlook == Outlook.UNDERSPEND:
        text += f" It ends above the {format_money(result.policy.allowed)} that may be kept."
    return text + " The table below gives every figure."
