"""What other packages want done when a payment run commits, in the same transaction, and
whom else a run pays.

Payments knows nothing of who registers here (third_party posts the run's payments to the
sub-ledgers of the people whose money an organisation manages; isf has the run pay a
provider under an individual service fund agreement), so payments never imports them, and
the money and what follows from it commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

RunCommitted = Callable[[int], None]
_on_run_committed: list[RunCommitted] = []


def on_run_committed(function: RunCommitted) -> RunCommitted:
    """Register `function(run_id)` to run after a run's payments are written (a decorator)."""
    if function not in _on_run_committed:
        _on_run_committed.append(function)
    return function


def run_committed(run_id: int) -> None:
    for function in _on_run_committed:
        function(run_id)


@dataclass(frozen=True)
class Replacement:
    """What another package has the run pay for an account instead of the priced period (an
    ISF provider's approved invoice): to whom (an approved account, snapshotted like any
    payee), the period's amount, and the breakdown the approver reads. Items under
    "arrears" in the breakdown are paid as arrears payments of the earlier periods they
    name (period_index, from, to, due_pence), as the run's own arrears are."""

    payee: tuple[str | None, str | None, str | None]
    amount_pence: int
    arrears_pence: int
    breakdown: dict


# An account's payee for a period other than the person: (name, sort code, account number)
# of an approved bank account, or a sentence saying why the period is withheld instead, or
# a Replacement of what the period pays.
Redirect = tuple[str | None, str | None, str | None] | str | Replacement
PayeesFor = Callable[[date], dict[int, Redirect]]
_payees: list[PayeesFor] = []


def redirects_payees(function: PayeesFor) -> PayeesFor:
    """Register `function(period_start)` -> {account id: Redirect} (a decorator)."""
    if function not in _payees:
        _payees.append(function)
    return function


def redirected_payees(period_start: date) -> dict[int, Redirect]:
    found: dict[int, Redirect] = {}
    for function in _payees:
        found.update(function(period_start))
    return found
