"""Rules for the pooled client account's statement: which client's sub-ledger each line
belongs to, and what kind of sub-ledger line it becomes. Pure: no Flask, no database
(pooled_import.py reads and writes).

A line is assigned, in this order (each line says why, beside it on the review page):
1. a council payment matched to the council's committed payment: that payment's account;
2. bank charges and fees stay on the statement: they are no client's spending, and the
   organisation's fee reaches each sub-ledger from the fee policy (fees.py), never a line;
3. a client's reference in the description (how a pooled account tells its clients apart:
   shared/design.md 2.5, "with the person's reference");
4. the client staff chose before for lines like it (statements.description_key);
otherwise it stays unassigned until staff choose, and an unassigned line stays on the
statement (a reconciliation difference until explained).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from ..core.errors import RuleError
from ..monitoring.statements import Category, Classified
from ..third_party.money_models import PostingKind

# What a statement category becomes in a sub-ledger. Bank charges have no kind: they are
# never posted to a client.
KIND_OF: dict[Category, PostingKind] = {
    Category.COUNCIL_PAYMENT: PostingKind.COUNCIL_PAYMENT,
    Category.CONTRIBUTIONS: PostingKind.CONTRIBUTION,
    Category.OTHER_INCOME: PostingKind.REFUND_RECEIVED,
    Category.PA_WAGES: PostingKind.PA_WAGES,
    Category.HMRC: PostingKind.HMRC,
    Category.PENSION: PostingKind.PENSION,
    Category.PROVIDER_INVOICES: PostingKind.PROVIDER_INVOICE,
    Category.INSURANCE: PostingKind.OTHER_AGREED,
    Category.PAYROLL: PostingKind.OTHER_AGREED,
    Category.OTHER_AGREED: PostingKind.OTHER_AGREED,
}
NOT_POSTED = (
    "Bank charges and fees stay on the statement: the fee reaches each client from the fee policy"
)
UNMATCHED_COUNCIL = (
    "A council payment the council's records do not show cannot be posted: choose another category"
)


_WORDS = re.compile(r"[A-Z0-9]+")


def squash(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def references_in(description: str, references: dict[str, int]) -> int | None:
    """The account whose reference the description shows (squashed: spaces and punctuation
    ignored), looking at each word and each pair of neighbouring words; None when it shows
    none, or several different ones."""
    words = _WORDS.findall(description.upper())
    found = {references[w] for w in words if w in references}
    found |= {references[a + b] for a, b in pairwise(words) if a + b in references}
    return found.pop() if len(found) == 1 else None


class ReferenceFinder:
    """references_in for one import's clients, worked out once per distinct description (a
    pooled statement repeats its payees: 100,000 lines show a few thousand descriptions)."""

    def __init__(self, references: dict[str, int]):
        self.references = references
        self._found: dict[str, int | None] = {}

    def __call__(self, description: str) -> int | None:
        if description not in self._found:
            self._found[description] = references_in(description, self.references)
        return self._found[description]


@dataclass(frozen=True)
class Assigned:
    account_id: int | None
    reason: str


def assign(
    classified: Classified,
    *,
    payment_account: int | None,
    references: Callable[[str], int | None],
    remembered: int | None,
    names: dict[int, str],
) -> Assigned:
    """The client a classified line belongs to, and why (see the module's order)."""
    if classified.payment_id is not None and payment_account is not None:
        return Assigned(payment_account, f"The council's payment for {names[payment_account]}")
    if (problem := postable_problem(classified.category, classified.payment_id)) is not None:
        return Assigned(None, problem)
    by_reference = references(classified.line.description)
    if by_reference is not None:
        return Assigned(by_reference, f"The description shows {names[by_reference]}")
    if remembered is not None and remembered in names:
        return Assigned(remembered, f"You chose {names[remembered]} for lines like it before")
    return Assigned(None, "No client's reference in the description: choose the client")


class Assigner:
    """assign for one import's lines. A line that is no council payment of the council's
    records is assigned by its category and description alone, so each pair is worked out
    once (a pooled statement repeats its payees)."""

    def __init__(
        self,
        paid_to: dict[int, int],
        references: Callable[[str], int | None],
        remembered: Callable[[str], int | None],
        names: dict[int, str],
    ):
        self.paid_to, self.references, self.remembered, self.names = (
            paid_to,
            references,
            remembered,
            names,
        )
        self._done: dict[tuple[Category, str], Assigned] = {}

    def __call__(self, classified: Classified) -> Assigned:
        if classified.payment_id is not None:
            return self._assign(classified)
        key = (classified.category, classified.line.description)
        if (done := self._done.get(key)) is None:
            done = self._done[key] = self._assign(classified)
        return done

    def _assign(self, classified: Classified) -> Assigned:
        return assign(
            classified,
            payment_account=self.paid_to.get(classified.payment_id),
            references=self.references,
            remembered=self.remembered(classified.line.description),
            names=self.names,
        )


def postable_problem(category: Category, payment_id: int | None) -> str | None:
    """Why a line of this category cannot go into a client's sub-ledger (None: it can)."""
    if category not in KIND_OF:
        return NOT_POSTED
    if category == Category.COUNCIL_PAYMENT and payment_id is None:
        return UNMATCHED_COUNCIL
    return None


def check_assignable(category: Category, payment_id: int | None, row: int) -> None:
    """Staff choosing a client for a line that cannot be posted are told why, by row."""
    problem = postable_problem(category, payment_id)
    if problem is not None:
        raise RuleError(f"Row {row}: {problem}")
