"""What other packages want done when a payment run commits, in the same transaction.

Payments knows nothing of who registers here (third_party posts the run's payments to the
sub-ledgers of the people whose money an organisation manages), so payments never imports
them, and the money and what follows from it commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable

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
