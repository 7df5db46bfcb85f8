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

from sqlalchemy import insert
from sqlalchemy.orm import make_transient_to_detached

from ..core import audit
from ..core.calendar import PaymentSchedule, Period
from ..core.errors import RuleError
from ..core.money import from_pence
from ..core.types import utcnow
from ..core.uploads import KINDS, store
from ..extensions import db
from ..payments.council_scale import insert_tuples
from ..third_party.models import Organisation
from . import invoices, sealing
from .delivery_models import INVOICES_AREA, IsfInvoice, IsfInvoiceLine
from .invoice_checks import Checked, InvoiceProblems, Person, check_invoice
from .invoice_queries import WAITING
from .lifecycles import InvoiceStatus, LineState, PeriodStatus, move_invoice, move_line

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


def _new_periods(data: InvoiceIn, people: list[Person]) -> None:
    """Make the invoice's period of each agreement that has none yet, with its planned hours
    (the funded hours a week, pro rata), and note each one's id: one statement."""
    missing = {p.agreement_id: p for p in people if p.period_id is None}
    if not missing:
        return
    period = Period(data.period_start, data.period_end)
    planned = {
        weekly: invoices.planned_hours(weekly, period)  # few people differ in hours a week
        for weekly in {p.weekly_hundredths for p in missing.values()}
    }
    made = _insert_periods(
        [(p.agreement_id, planned[p.weekly_hundredths]) for p in missing.values()], period
    )
    for agreement_id, period_id in made:
        missing[agreement_id].period_id = period_id


PERIOD_INSERT = (
    'INSERT INTO "isf_periods" ("agreement_id", "period_start", "period_end", '
    '"planned_hours_hundredths", "status") '
)
RETURNING = ' RETURNING "agreement_id", "id"'
PERIODS_FROM_ARRAYS = (
    'INSERT INTO "isf_periods" ("agreement_id", "period_start", "period_end", '
    '"planned_hours_hundredths", "status") '
    "SELECT a, %s::date, %s::date, h, %s FROM unnest(%s::integer[], %s::integer[]) AS t(a, h)"
    ' RETURNING "agreement_id", "id"'
)


def _insert_periods(rows: list[tuple[int, int]], period: Period) -> list:
    """Open periods from `period` for (agreement id, planned hours) rows, in one statement of
    the driver's own, in the session's transaction: (agreement id, period id) of each.
    SQLAlchemy's own insert worked out each row's parameters one by one, as long again as
    the rest of an invoice's checks; on PostgreSQL the rows go as two arrays (hundreds of
    parameters cost psycopg and the server more than the rows)."""
    connection = db.session.connection()
    status = str(PeriodStatus.OPEN)
    if connection.dialect.name == "postgresql":
        ids, hours = (list(column) for column in zip(*rows, strict=True))
        values = (period.start, period.end, status, ids, hours)
        return connection.exec_driver_sql(PERIODS_FROM_ARRAYS, values).all()
    # SQLite: dates as the text it keeps them as (SQLAlchemy's own format for Date columns).
    sql = PERIOD_INSERT + "VALUES " + ", ".join("(?, ?, ?, ?, ?)" for _ in rows) + RETURNING
    start, end = period.start.isoformat(), period.end.isoformat()
    values = tuple(v for a, h in rows for v in (a, start, end, h, status))
    return connection.exec_driver_sql(sql, values).all()


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


LINE_COLUMNS = (
    "invoice_id",
    "agreement_id",
    "period_id",
    "account_id",
    "row_number",
    "service_type",
    "hours_hundredths",
    "rate_pence",
    "amount_pence",
    "state",
    "hold_reason",
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
    data = _kept(data)  # only once every line has passed: a refused file is not kept
    invoice = _write(data, org, actor, total)
    _new_periods(data, list({p.agreement_id: p for p, *_ in priced}.values()))
    insert_tuples(
        db.session,
        IsfInvoiceLine.__table__,
        LINE_COLUMNS,
        [(invoice.id, p.agreement_id, p.period_id, p.account_id, *rest) for p, *rest in priced],
    )
    held = sum(line[6] == LineState.HELD for line in priced)
    audit.record(
        actor,
        "isf.invoice_received",
        object_type=IsfInvoice.__tablename__,
        object_id=invoice.id,
        summary=f"Invoice {data.reference.strip()} from {org.name} received: "
        f"{len(priced)} lines, {from_pence(total)} pounds, {held} held over the cap",
        after={"lines": len(priced), "total_pence": total, "held": held},
    )
    return invoice


def _write(data: InvoiceIn, org: Organisation, actor, total: int) -> IsfInvoice:
    """The invoice's own row (its lines follow), by the session's connection, and the
    invoice as the session's object: what was written, with no query to read it back."""
    values = {
        "organisation_id": org.id,
        "provider_reference": data.reference.strip(),
        "period_start": data.period_start,
        "period_end": data.period_end,
        "status": str(InvoiceStatus.RECEIVED),
        "source": data.source,
        "original_name": data.original_name,
        "stored_name": data.stored_name,
        "sha256": data.sha256,
        "total_pence": total,
        "submitted_by_id": actor.id,
        "submitted_at": utcnow(),
    }
    invoice = IsfInvoice(
        id=db.session.connection().execute(_INSERT_INVOICE, values).scalar_one(), **values
    )
    make_transient_to_detached(invoice)  # a row the database holds, whose id is known
    db.session.add(invoice)
    return invoice


_INSERT_INVOICE = insert(IsfInvoice.__table__).returning(IsfInvoice.__table__.c.id)


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
