"""A provider's invoice of delivered hours (issue 14, part B): every line checked before
anything is written (bad input changes nothing, and every problem is named at once), each
priced at the agreed rate and capped by what remains of the person's budget for the year;
held lines released or refused by an officer; the invoice approved (its periods sealed) or
rejected. The rules are invoices.py's; the run pays approved lines (invoice_payments.py).
Never commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy.exc import IntegrityError

from ..core import audit
from ..core.calendar import PaymentSchedule
from ..core.errors import RuleError
from ..core.money import from_pence
from ..core.types import utcnow
from ..core.uploads import KINDS, store
from ..extensions import db
from ..third_party.models import Organisation
from . import invoices, sealing
from .delivery_models import INVOICES_AREA, IsfInvoice, IsfInvoiceLine
from .invoice_checks import Checked, InvoiceProblems, check_invoice
from .invoice_queries import WAITING
from .invoice_writes import write_invoice
from .lifecycles import InvoiceStatus, LineState, move_invoice, move_line

__all__ = ["InvoiceIn", "InvoiceProblems", "LineIn", "submit_invoice"]


@dataclass(frozen=True)
class LineIn:
    reference: str  # the person's account reference
    service_type: str
    hours_hundredths: int
    where: str  # how to name the line in a problem: "Line 2" or "Sheet Invoice, cell A8"


@dataclass(frozen=True)
class InvoiceIn:
    reference: str
    period_start: date
    period_end: date
    lines: list[LineIn]
    source: str = "form"
    original_name: str | None = None
    stored_name: str | None = None
    sha256: str | None = None
    upload: bytes | None = field(default=None, repr=False)  # the XLSX file, kept when sent


def _kept(data: InvoiceIn) -> InvoiceIn:
    """The invoice with its uploaded file stored (core/storage, removed again if the request
    rolls back), so the council and the provider can open exactly what was sent."""
    if data.upload is None:
        return data
    stored = store(data.upload, INVOICES_AREA, KINDS["xlsx"])
    return replace(data, upload=None, stored_name=stored.stored_name, sha256=stored.sha256)


def _priced(data: InvoiceIn, checked: Checked) -> list[tuple]:
    """Each line as (person, row, kind, hours, rate, amount, state, reason), capped in turn by
    what remains of the person's budget (a line within it uses it up)."""
    remaining = {p.agreement_id: p.remaining() for p in checked.people.values()}
    amounts: dict[tuple[int, int], int] = {}  # an invoice repeats few (hours, rate) pairs
    lines = []
    for number, line in enumerate(data.lines, start=1):
        person = checked.people[line.reference.strip().upper()]
        rate = checked.rates[line.service_type]
        key = (line.hours_hundredths, rate)
        if key not in amounts:
            amounts[key] = invoices.line_amount_pence(*key)
        amount = amounts[key]
        left = remaining[person.agreement_id]
        reason = invoices.hold_reason(amount, left)
        # Accepted or held, the line now counts against what remains for the next one.
        remaining[person.agreement_id] = left.after_held(amount) if reason else left.after(amount)
        state = str(LineState.HELD if reason else LineState.ACCEPTED)
        lines.append(
            (person, number, line.service_type, line.hours_hundredths, rate, amount, state, reason)
        )
    return lines


# Said when another invoice was written between this one's checks and its write.
SENT_AT_THE_SAME_TIME = (
    "Another invoice with this reference, or for the same people and period, was sent at "
    "the same time, so nothing from this one was saved. Check your invoices, and send this "
    "one again if it is still needed"
)


def submit_invoice(
    org: Organisation, data: InvoiceIn, *, actor, schedule: PaymentSchedule
) -> IsfInvoice:
    """Record the provider's invoice: each line accepted within the cap, or held with the
    reason. InvoiceProblems (nothing written) when any line or the header is wrong. The
    lines are written in one statement, with no object each (a provider's invoice may list
    hundreds of people)."""
    checked = check_invoice(org, data, schedule)
    priced = _priced(data, checked)
    total = sum(line[5] for line in priced)
    held = sum(line[6] == LineState.HELD for line in priced)
    data = _kept(data)  # only once every line has passed: a refused file is not kept
    received = audit.row_values(
        actor,
        "isf.invoice_received",
        object_type=IsfInvoice.__tablename__,
        summary=f"Invoice {data.reference.strip()} from {org.name} received: "
        f"{len(priced)} lines, {from_pence(total)} pounds, {held} held over the cap",
        after={"lines": len(priced), "total_pence": total, "held": held},
    )
    try:
        return write_invoice(data, org, actor, priced, received)
    except IntegrityError:
        # Another invoice took this reference, or made one of these periods, between the
        # checks and the write (two uploads at once): nothing of this one is kept, the file
        # included (core/storage.put_undoable), and the provider is told rather than shown
        # an error page.
        db.session.rollback()
        raise InvoiceProblems([SENT_AT_THE_SAME_TIME]) from None


def decide_line(line: IsfInvoiceLine, release: bool, note: str, *, actor) -> None:
    """An officer releases a held line (it is paid) or refuses it (it is not), with a note."""
    if not note.strip():
        raise RuleError("Say why you are releasing or refusing this line")
    if line.invoice.status != InvoiceStatus.RECEIVED:
        raise RuleError("This invoice has already been decided")
    move_line(line, LineState.RELEASED if release else LineState.REFUSED)
    line.decided_by_id, line.decided_at = actor.id, utcnow()
    line.decision_note = note.strip()
    audit.record(
        actor,
        "isf.invoice_line_released" if release else "isf.invoice_line_refused",
        line,
        account_id=line.account_id,
        summary=f"Held line of invoice {line.invoice.provider_reference} "
        f"{'released' if release else 'refused'}: {note.strip()}",
        before={"state": "held"},
        after={"state": line.state, "amount_pence": line.amount_pence},
    )


def approve_invoice(invoice: IsfInvoice, *, actor) -> None:
    """Approve an invoice whose held lines have all been decided: the next payment run pays
    its accepted and released lines, and its periods are sealed (reconciled)."""
    if any(line.state == LineState.HELD for line in invoice.lines):
        raise RuleError("Release or refuse every held line before approving the invoice")
    move_invoice(invoice, InvoiceStatus.APPROVED)
    _decided(invoice, actor, "")
    invoice.total_pence = sum(x.amount_pence for x in invoice.lines if x.state in WAITING)
    sealed = sealing.seal_invoice_periods(invoice, actor=actor)
    accounts = sorted({line.account_id for line in invoice.lines})
    for account_id in accounts:  # the runs read this to know they are out of date
        audit.record(
            actor,
            "isf.invoice_approved",
            invoice,
            account_id=account_id,
            summary=f"Invoice {invoice.provider_reference} approved: paid in the next run",
            after={"total_pence": invoice.total_pence, "periods_sealed": sealed},
        )


def reject_invoice(invoice: IsfInvoice, note: str, *, actor) -> None:
    if not note.strip():
        raise RuleError("Say why the invoice is rejected: the provider reads it")
    move_invoice(invoice, InvoiceStatus.REJECTED)
    _decided(invoice, actor, note.strip())
    audit.record(
        actor,
        "isf.invoice_rejected",
        invoice,
        summary=f"Invoice {invoice.provider_reference} rejected: {note.strip()}",
        after={"status": "rejected"},
    )


def _decided(invoice: IsfInvoice, actor, note: str) -> None:
    invoice.decided_by_id, invoice.decided_at = actor.id, utcnow()
    invoice.decision_note = note or None


def lines_by_state(invoice: IsfInvoice) -> dict[str, list[IsfInvoiceLine]]:
    grouped: dict[str, list[IsfInvoiceLine]] = defaultdict(list)
    for line in invoice.lines:
        grouped[line.state].append(line)
    return grouped
