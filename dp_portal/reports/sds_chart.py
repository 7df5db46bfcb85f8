"""A trend as a server-rendered SVG line chart (no JavaScript): one line a series, each with
its own dash pattern and marker as well as its colour, so it reads without colour. Pure: the
table beside it is the real content. Coordinates in Decimal, written to one decimal place."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 16, 48
TENTH = Decimal("0.1")
STYLES = (("#1d70b8", ""), ("#d4351c", "10 5"), ("#00703c", "3 4"))


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    dash: str
    points: tuple[tuple[Decimal, Decimal, str], ...]  # x, y, what the point says

    @property
    def path(self) -> str:
        return " ".join(f"{x},{y}" for x, y, _ in self.points)


@dataclass(frozen=True)
class TrendChart:
    title: str
    description: str
    labels: tuple[tuple[Decimal, str], ...]
    series: tuple[Series, ...]
    top_label: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP

    @property
    def right(self) -> int:
        return self.width - RIGHT

    @property
    def bottom(self) -> int:
        return self.height - BOTTOM


def trend_chart(
    title: str, labels: list[str], series: dict[str, list[Decimal]], unit: str = ""
) -> TrendChart:
    """Each series against the labels (quarters), from zero to the largest value."""
    high = max([Decimal(1), *(v for values in series.values() for v in values)])
    steps = Decimal(max(len(labels) - 1, 1))

    def x(i: int) -> Decimal:
        return (LEFT + Decimal(WIDTH - LEFT - RIGHT) * i / steps).quantize(TENTH)

    def y(value: Decimal) -> Decimal:
        return (TOP + Decimal(HEIGHT - TOP - BOTTOM) * (high - value) / high).quantize(TENTH)

    drawn = tuple(
        Series(
            name,
            *STYLES[n % len(STYLES)],
            tuple((x(i), y(v), f"{name}, {labels[i]}: {unit}{v:,}") for i, v in enumerate(values)),
        )
        for n, (name, values) in enumerate(series.items())
    )
    description = (
        f"A line chart of {title.lower()} from {labels[0]} to {labels[-1]}, one line for "
        f"each of {', '.join(series)}. The table below gives every figure."
    )
    return TrendChart(
        title,
        description,
        tuple((x(i), label) for i, label in enumerate(labels)),
        drawn,
        f"{unit}{high:,}",
    )
