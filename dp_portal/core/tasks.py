"""What needs doing: the one shape in which every package offers its home-page items.

Each package's services answer `home_tasks(viewer) -> list[Task]` with counts worked out in SQL
(never a loop over rows), and pages/ puts them together for the reader's role. A task names
the page behind its figure by endpoint and arguments, so services stay free of Flask and the
template builds the link (where the reader may go: `may_open`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Group(StrEnum):
    """The navigation's groups; a home page lists its tasks under the same headings."""

    MONEY = "Money"
    RETURNS = "Returns"
    PEOPLE = "People"
    LETTERS = "Letters"
    SETTINGS = "Settings"


@dataclass(frozen=True)
class Task:
    label: str  # what needs doing, in plain words ("Returns waiting for review")
    count: int  # how many; 0 means nothing to do (a home may still show it, as "None")
    endpoint: str  # the filtered list (or the one page) behind the figure
    args: dict[str, Any] = field(default_factory=dict)
    urgent: bool = False  # shown first, with a red tag
    group: Group = Group.MONEY
    amount: Decimal | None = None  # a figure in pounds (the next payment)
    day: date | None = None  # the date it is about (a payment's date, a return's due date)
    note: str = ""  # a few words beside the figure ("due to be paid")


def waiting(tasks: list[Task]) -> list[Task]:
    """The tasks with something to do, urgent first (the order within each kept)."""
    return sorted((t for t in tasks if t.count), key=lambda t: not t.urgent)
