"""The two lifecycles in monitoring, each one table of allowed moves. Pure: no Flask, no session.

A return, one row per version (a version sent is never edited):

    draft ──send──▶ submitted ──accept──▶ accepted
                     │      │                │
                  query     │         its amendment is sent
                     ▼      │                │
                  queried   │                │
                     │      │                │
          the answer is sent│                │
                     ▼      ▼                ▼
                  superseded ◀───────────────┘

    draft → submitted        the person (or someone for them) sends it
    submitted → queried      a finance officer asks a question
    submitted → accepted     a finance officer accepts it
    submitted → superseded   a newer version is sent (kept from before: not reachable today)
    queried → superseded     the answer, a newer version, is sent
    accepted → superseded    an amendment, a newer version, is sent

Answering a question or amending an accepted return starts a new version (a draft); the
earlier one keeps its status until the new one is sent, so an accepted return stays accepted
while its amendment is being written.

An escalation task, one per account and return period:

    open ──suspend──▶ suspended ──reinstate──▶ closed
      │                                          ▲
      └──close: keep paying, or the return came──┘

    open → suspended     an officer suspends the payments
    open → closed        an officer keeps paying, or the return arrives first
    suspended → closed   an officer reinstates the payments (or the account was closed)

The task's outcome says which way it closed. Tasks move by a conditional UPDATE (see
escalations.py), so that of two officers deciding at once only one acts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from ..core.errors import RuleError
from ..core.types import LabelledEnum


class ReturnStatus(LabelledEnum):
    DRAFT = "draft", "Draft, not sent"
    SUBMITTED = "submitted", "Sent, waiting for review"
    QUERIED = "queried", "We have a question"
    ACCEPTED = "accepted", "Accepted"
    SUPERSEDED = "superseded", "Replaced by a later version"


# A period whose return is in one of these has been answered: no reminders for it. A queried
# return is not: the person still owes an answer.
RETURN_SENT = frozenset({ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED, ReturnStatus.SUPERSEDED})


class TaskStatus(LabelledEnum):
    OPEN = "open", "Waiting for a decision"
    SUSPENDED = "suspended", "Payments suspended"
    CLOSED = "closed", "Closed"


S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class Lifecycle(Generic[S]):
    """States and the one table of moves between them."""

    name: str
    states: type[S]
    moves: Mapping[S, frozenset[S]]

    def allows(self, from_status: str, to_status: str) -> bool:
        return self.states(to_status) in self.moves[self.states(from_status)]

    def check(self, from_status: str, to_status: str, refusal: str) -> None:
        """RuleError(refusal) unless the table allows the move."""
        if not self.allows(from_status, to_status):
            raise RuleError(refusal)

    def move(self, row: Any, to_status: S, refusal: str) -> None:
        """Move `row` (anything with a `status`) to `to_status`, or raise RuleError."""
        self.check(row.status, to_status, refusal)
        row.status = to_status


R, T = ReturnStatus, TaskStatus

RETURN = Lifecycle(
    "return",
    ReturnStatus,
    {
        R.DRAFT: frozenset({R.SUBMITTED}),
        R.SUBMITTED: frozenset({R.QUERIED, R.ACCEPTED, R.SUPERSEDED}),
        R.QUERIED: frozenset({R.SUPERSEDED}),
        R.ACCEPTED: frozenset({R.SUPERSEDED}),
        R.SUPERSEDED: frozenset(),
    },
)

TASK = Lifecycle(
    "escalation task",
    TaskStatus,
    {
        T.OPEN: frozenset({T.SUSPENDED, T.CLOSED}),
        T.SUSPENDED: frozenset({T.CLOSED}),
        T.CLOSED: frozenset(),
    },
)


def check_constraint(states: type[StrEnum]) -> str:
    """The CHECK constraint that keeps the database to the same states."""
    return "status IN (" + ", ".join(f"'{state.value}'" for state in states) + ")"
