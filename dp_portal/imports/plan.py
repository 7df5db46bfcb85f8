"""A dry run's working: the rows of each kind checked in turn against what we hold, building
the report (problems and outcomes) and the plan (the steps applying would take, in order).
Reads only; never writes. The kinds' own rules are in plan_people, plan_accounts and
plan_money; this module holds what they share.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..auth.models import User
from ..core.modulus import ModulusTables
from ..payments.rates import RateBook
from .fields import BY_NAME, Kind, keys
from .report import Action, ImportReport, Locate, Outcome, Problem

# Rows as the engine takes them: the row's number (as the person will look for it) and its
# cells by canonical field name, as text.
Rows = list[tuple[int, dict[str, str]]]

CHUNK = 900  # references per IN (...) query: under every database's limit on parameters


def chunks(items: Iterable[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Reading and checking tens of thousands of rows keeps hundreds of thousands of objects
    alive, and CPython's cycle collector walks all of them again every time enough new ones
    are made (the gc module's documentation, "generations"): a quarter of a 10,000-person dry
    run's CPU (bench/bulk_import.py). Nothing here builds cycles worth collecting mid-run, so
    collection waits until the work is done. Process-wide, which is safe as our workers are
    processes, not threads."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def reference(text: str | None) -> str:
    """A reference as matched: trimmed, upper case (SW123 and sw123 are the same person)."""
    return (text or "").strip().upper()


@dataclass
class Ref:
    """A record a row names: one we hold (`obj` now), or one this import creates (`obj` set
    when it is applied). `facts` carries what later rows need to know about a new record
    before it exists (an account's start date and SDS option, for its budget)."""

    obj: Any = None
    row: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class Step:
    """One thing applying does: its kind and action, the row it comes from, what it acts on
    and with what."""

    kind: Kind
    action: str
    row: int
    target: Ref
    data: dict[str, Any]
    key: str = ""


@dataclass
class Context:
    actor: User
    source: str
    today: date
    locate: Locate
    tables: ModulusTables | None
    book: RateBook
    providers: dict[int, str]
    report: ImportReport = field(default_factory=ImportReport)
    steps: list[Step] = field(default_factory=list)
    people: dict[str, Ref] = field(default_factory=dict)  # client reference -> person
    accounts: dict[str, Ref] = field(default_factory=dict)  # account reference -> account

    def problem(self, kind: Kind, row: int, name: str | None, message: str) -> None:
        where = self.locate(kind, row, name)
        self.report.add_problem(Problem(kind.value, row, name, message, where))

    def outcome(
        self,
        kind: Kind,
        row: int,
        key: str,
        action: Action,
        changes: list[tuple[str, str, str]] | None = None,
        note: str = "",
    ) -> None:
        self.report.outcomes.append(
            Outcome(kind.value, row, key, action.value, tuple(changes or ()), note)
        )

    def step(self, kind: Kind, action: Action, row: int, target: Ref, data: dict, key="") -> None:
        self.steps.append(Step(kind, action.value, row, target, data, key))


def keyed_rows(ctx: Context, kind: Kind, rows: Rows, key: Callable[[dict], Any]) -> Rows:
    """The rows that give every key field, each key once: a row missing one, or repeating an
    earlier row's, is a problem (and is not checked further)."""
    seen: dict[Any, int] = {}
    kept: Rows = []
    for number, cells in rows:
        missing = [name for name in keys(kind) if not (cells.get(name) or "").strip()]
        if missing:
            f = BY_NAME[kind][missing[0]]
            ctx.problem(kind, number, f.name, f"Enter the {f.label}: rows are matched on it")
            continue
        found = key(cells)
        if found in seen:
            ctx.problem(
                kind,
                number,
                keys(kind)[0],
                f"this {_noun(kind)} is on row {seen[found]} already: give each once",
            )
            continue
        seen[found] = number
        kept.append((number, cells))
    return kept


def _noun(kind: Kind) -> str:
    return {
        Kind.PEOPLE: "person",
        Kind.REPRESENTATIVES: "representative",
        Kind.ACCOUNTS: "account",
        Kind.BANK_DETAILS: "account's bank details",
        Kind.BUDGETS: "account's budget for this start date",
    }[kind]


def differences(
    kind: Kind, held: dict[str, str], new: dict[str, str]
) -> list[tuple[str, str, str]]:
    """(field label, what we hold, what the row would make it) for each field that differs."""
    labels = BY_NAME[kind]
    return [
        (labels[name].label, held.get(name, ""), value)
        for name, value in new.items()
        if value != held.get(name, "")
    ]
