"""The state machines of what happens under an agreement (issue 14, part B), each a state
enum, one table of allowed moves and one function that moves a row. Pure: no Flask, no
session.

A period (`move_period`):

    open ──(reconciled against the provider's invoice)──> sealed

A sealed period is never edited: a correction is a change request.

An invoice (`move_invoice`):

    received ──(an officer approves it: every line accepted, released or refused)──> approved
    received ──(an officer rejects it whole, with a note)──> rejected
    approved ──(a payment run pays its lines)──> paid

An invoice line (`move_line`):

    (read from the invoice) accepted, when within what remains of the budget for the year
    (read from the invoice) held, when over it (the reason shown)
    held ──(an officer releases it, with a note)──> released
    held ──(an officer refuses it, with a note)──> refused

A change request to a sealed period (`move_change_request`):

    open ──(the other side answers)──> answered
    answered ──(the raiser replies)──> open
    open | answered | overdue ──(the council agrees: an adjustment in the next run)──> agreed
    open | answered | overdue ──(the council refuses, with a note)──> refused
    open | answered ──(10 working days pass unanswered)──> overdue
    overdue ──(answered at last)──> answered

An adjustment (`move_adjustment`):

    pending ──(paid in a run)──> paid
    pending ──(the agreed change is cancelled before a run pays it)──> cancelled
"""

from __future__ import annotations

from ..core.errors import RuleError
from ..core.types import LabelledEnum

# A change request unanswered this many working days is overdue (issue 14).
CHANGE_REQUEST_WORKING_DAYS = 10


class PeriodStatus(LabelledEnum):
    OPEN = "open", "Open"
    SEALED = "sealed", "Sealed"


class InvoiceStatus(LabelledEnum):
    RECEIVED = "received", "Received, waiting for approval"
    APPROVED = "approved", "Approved, waiting for payment"
    PAID = "paid", "Paid"
    REJECTED = "rejected", "Rejected"


class LineState(LabelledEnum):
    ACCEPTED = "accepted", "Accepted"
    HELD = "held", "Held for an officer"
    RELEASED = "released", "Released by an officer"
    REFUSED = "refused", "Refused by an officer"


class ChangeStatus(LabelledEnum):
    OPEN = "open", "Waiting for an answer"
    ANSWERED = "answered", "Answered"
    AGREED = "agreed", "Agreed"
    REFUSED = "refused", "Refused"
    OVERDUE = "overdue", "Overdue"


class AdjustmentStatus(LabelledEnum):
    PENDING = "pending", "To be paid in the next run"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled"


PERIOD_TRANSITIONS = {
    PeriodStatus.OPEN: frozenset({PeriodStatus.SEALED}),
    PeriodStatus.SEALED: frozenset(),
}
INVOICE_TRANSITIONS = {
    InvoiceStatus.RECEIVED: frozenset({InvoiceStatus.APPROVED, InvoiceStatus.REJECTED}),
    InvoiceStatus.APPROVED: frozenset({InvoiceStatus.PAID}),
    InvoiceStatus.PAID: frozenset(),
    InvoiceStatus.REJECTED: frozenset(),
}
LINE_TRANSITIONS = {
    LineState.ACCEPTED: frozenset(),
    LineState.HELD: frozenset({LineState.RELEASED, LineState.REFUSED}),
    LineState.RELEASED: frozenset(),
    LineState.REFUSED: frozenset(),
}
_DECIDED = frozenset({ChangeStatus.AGREED, ChangeStatus.REFUSED})
CHANGE_TRANSITIONS = {
    ChangeStatus.OPEN: frozenset({ChangeStatus.ANSWERED, ChangeStatus.OVERDUE}) | _DECIDED,
    ChangeStatus.ANSWERED: frozenset({ChangeStatus.OPEN, ChangeStatus.OVERDUE}) | _DECIDED,
    ChangeStatus.OVERDUE: frozenset({ChangeStatus.ANSWERED}) | _DECIDED,
    ChangeStatus.AGREED: frozenset(),
    ChangeStatus.REFUSED: frozenset(),
}
ADJUSTMENT_TRANSITIONS = {
    AdjustmentStatus.PENDING: frozenset({AdjustmentStatus.PAID, AdjustmentStatus.CANCELLED}),
    AdjustmentStatus.PAID: frozenset(),
    AdjustmentStatus.CANCELLED: frozenset(),
}


def _move(row, attribute: str, states: type[LabelledEnum], table: dict, to, what: str) -> None:
    current = states(getattr(row, attribute))
    if to not in table[current]:
        raise RuleError(
            f"This {what} is {current.label.lower()}, so it cannot become {to.label.lower()}"
        )
    setattr(row, attribute, str(to))


def move_period(period, to: PeriodStatus) -> None:
    _move(period, "status", PeriodStatus, PERIOD_TRANSITIONS, to, "period")


def move_invoice(invoice, to: InvoiceStatus) -> None:
    _move(invoice, "status", InvoiceStatus, INVOICE_TRANSITIONS, to, "invoice")


def move_line(line, to: LineState) -> None:
    _move(line, "state", LineState, LINE_TRANSITIONS, to, "invoice line")


def move_change_request(change, to: ChangeStatus) -> None:
    _move(change, "status", ChangeStatus, CHANGE_TRANSITIONS, to, "change request")


def move_adjustment(adjustment, to: AdjustmentStatus) -> None:
    _move(adjustment, "status", AdjustmentStatus, ADJUSTMENT_TRANSITIONS, to, "adjustment")
