"""What a dry run found, row by row: each problem (the row, the field and where that is in the
file) and what each good row would do (create, update with the fields that differ, or leave
unchanged). Plain data that turns into JSON and back, for the pages and the API alike. Pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core.types import LabelledEnum
from .fields import Kind

# A dry run of a file wrong in every row would list tens of thousands of problems; the first
# ones are enough to put the file right, and the count says how many there are.
MAX_PROBLEMS = 2000


class Action(LabelledEnum):
    CREATE = "create", "New"
    UPDATE = "update", "Changed"
    UNCHANGED = "unchanged", "No change"


# (kind, row number, field) -> where that is, in the words of the file ("People, cell D14").
Locate = Callable[[Kind, int, str | None], str]


def locate_in_rows(kind: Kind, row: int, name: str | None) -> str:
    """Where a problem is in rows sent as a list (the JSON API): the row's position, from 1."""
    return f"{kind.label}, row {row}" + (f", field {name}" if name else "")


@dataclass(frozen=True)
class Problem:
    kind: str
    row: int
    field: str | None
    message: str
    where: str

    @property
    def text(self) -> str:
        return f"{self.where}: {self.message}"

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "row": self.row,
            "field": self.field,
            "message": self.message,
            "where": self.where,
        }


@dataclass(frozen=True)
class Outcome:
    kind: str
    row: int
    key: str  # the reference the row was matched on
    action: str
    changes: tuple[tuple[str, str, str], ...] = ()  # (field, what we hold, what it would be)
    note: str = ""  # e.g. "waits for a second finance officer's approval"

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "row": self.row,
            "key": self.key,
            "action": self.action,
            "changes": [{"field": f, "before": b, "after": a} for f, b, a in self.changes],
            "note": self.note,
        }


@dataclass
class ImportReport:
    """Every row's problems and outcome. Nothing is applied while `problems` is not empty."""

    rows: dict[str, int] = field(default_factory=dict)  # kind -> rows read
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def row_count(self) -> int:
        return sum(self.rows.values())

    def add_problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def counts(self) -> Counter:
        """(kind, action) -> rows, and action -> rows over every kind."""
        found: Counter = Counter()
        for outcome in self.outcomes:
            found[(outcome.kind, outcome.action)] += 1
            found[outcome.action] += 1
        return found

    def approvals(self) -> int:
        """Rows whose change waits for a second officer (bank details, budgets)."""
        return sum(1 for o in self.outcomes if o.note and o.action != Action.UNCHANGED)

    def as_json(self) -> dict[str, Any]:
        counts = self.counts()
        return {
            "ok": self.ok,
            "rows": self.rows,
            "problem_count": self.problem_count,
            "problems": [p.as_json() for p in self.problems],
            "counts": {
                kind: {a.value: counts[(kind, a.value)] for a in Action} for kind in self.rows
            },
            "outcomes": [o.as_json() for o in self.outcomes],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportReport:
        return cls(
            rows=dict(data["rows"]),
            problems=[Problem(**p) for p in data["problems"]],
            problem_count=data["problem_count"],
            outcomes=[
                Outcome(
                    o["kind"],
                    o["row"],
                    o["key"],
                    o["action"],
                    tuple((c["field"], c["before"], c["after"]) for c in o["changes"]),
                    o["note"],
                )
                for o in data["outcomes"]
            ],
        )


@dataclass(frozen=True)
class ImportResult:
    """What applying did: the import's id and state, and how many rows of each kind were
    created, updated and left as they were."""

    import_id: int
    state: str
    counts: dict[str, dict[str, int]]
    approvals: int
    report: ImportReport

    def as_json(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "state": self.state,
            "counts": self.counts,
            "waiting_for_approval": self.approvals,
            "report": self.report.as_json(),
        }
