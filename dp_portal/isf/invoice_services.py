"""A provider's invoice of delivered hours (issue 14, part B): every line checked before
anything is written (bad input changes nothing, and every problem is named at once), each
priced at the agreed rate and capped by what remains of the person's budget for the year;
held lines released or refused by an officer; the invoice approved (its periods sealed) or
rejected. The rules are invoices.py's; the run pays approved lines (invoice_payments.py).
Never commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, insert, select

from ..accounts.models import Account
from ..core import audit
from ..core.calendar import PaymentSchedule, Period, financial_year_end, financial_year_start
from ..core.errors import RuleError
from ..core.money import from_pence, to_pence
from ..core.types import utcnow
from ..extensions import db
from ..payments.ledger_models import Payment
from ..payments.models import BudgetLine
from ..payments.plans import rate_book
from ..third_party.models import Organisation
from . import invoices, sealing
from .agreements import PaymentBasis
from .delivery_models import IsfInvoice, IsfInvoiceLine, IsfPeriod
from .lifecycles import InvoiceStatus, LineState, PeriodStatus, move_invoice, move_line
from .models import IsfAgreement, IsfAgreementVersion, IsfFundedLine

WAITING = (LineState.ACCEPTED, LineState.RELEASED)


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


class InvoiceProblems(RuleError):
    """Every problem found in an invoice, each naming its line or cell. Nothing was saved."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problems: " + "; ".join(problems))
        self.problems = problems


@dataclass
class _Funded:
    agreement_id: int
    account_id: int
    version_id: int
    budget_pence: int


@dataclass
class _Checked:
    funded: dict[str, _Funded]
    sealed: set[int] = field(default_factory=set)  # agreement ids whose period is sealed
    rates: dict[str, int] = field(default_factory=dict)


def _funded(org: Organisation, day: date, references=None) -> dict[str, _Funded]:
    """The people the provider is paid on invoice for, on `day`, by account reference (of
    those `references` only, when given: an invoice looks up only the people it names)."""
    query = (
        select(
            Account.reference,
            IsfAgreement.id,
            Account.id,
            IsfAgreementVersion.id,
            IsfAgreementVersion.annual_budget_pence,
        )
        .join(IsfAgreementVersion, IsfAgreementVersion.agreement_id == IsfAgreement.id)
        .join(Account, Account.id == IsfAgreement.account_id)
        .where(
            IsfAgreement.organisation_id == org.id,
            IsfAgreementVersion.in_force_on(day),
            IsfAgreementVersion.payment_basis == PaymentBasis.INVOICE,
        )
    )
    if references is not None:
        query = query.where(Account.reference.in_(list(references)))
    return {ref.upper(): _Funded(*rest) for ref, *rest in db.session.execute(query)}


def _context(org: Organisation, data: InvoiceIn) -> _Checked:
    # As typed and in capitals: the reference index answers either, and a match is by capitals.
    named = {x.reference.strip() for x in data.lines} | {
        x.reference.strip().upper() for x in data.lines
    }
    checked = _Checked(_funded(org, data.period_start, named))
    ids = [f.agreement_id for f in checked.funded.values()]
    checked.sealed = set(
        db.session.execute(
            select(IsfPeriod.agreement_id).where(
                IsfPeriod.agreement_id.in_(ids),
                IsfPeriod.period_start == data.period_start,
                IsfPeriod.status == PeriodStatus.SEALED,
            )
        ).scalars()
    )
    book = rate_book()
    for kind in {line.service_type for line in data.lines}:
        rate = book.provider_rate_on(org.id, data.period_start, kind)
        if rate is not None:
            checked.rates[kind] = to_pence(rate)
    return checked


def _invoiced(org: Organisation, data: InvoiceIn) -> set[tuple[int, str]]:
    """(agreement, kind of support) already on another invoice for this period."""
    return set(
        db.session.execute(
            select(IsfInvoiceLine.agreement_id, IsfInvoiceLine.service_type)
            .join(IsfInvoice, IsfInvoice.id == IsfInvoiceLine.invoice_id)
            .where(
                IsfInvoice.organisation_id == org.id,
                IsfInvoice.period_start == data.period_start,
                IsfInvoice.status != InvoiceStatus.REJECTED,
                IsfInvoiceLine.state != LineState.REFUSED,
            )
        ).all()
    )


def _problems(org: Organisation, data: InvoiceIn, checked: _Checked) -> list[str]:
    problems, seen = [], set()
    earlier = _invoiced(org, data)
    for line in data.lines:
        funded = checked.funded.get(line.reference.strip().upper())
        key = (funded.agreement_id if funded else None, line.service_type)
        if funded is None:
            problems.append(
                f"{line.where}: {line.reference or 'no reference'} is not a person you are "
                f"paid on invoice for on {data.period_start:%d %B %Y}"
            )
        elif funded.agreement_id in checked.sealed:
            problems.append(
                f"{line.where}: the period for {line.reference} is sealed; ask for a "
                "correction with a change request instead"
            )
        elif key in seen or key in earlier:
            problems.append(
                f"{line.where}: {line.reference} already has {line.service_type} hours "
                "invoiced for this period"
            )
        elif line.service_type not in checked.rates:
            problems.append(
                f"{line.where}: there is no agreed rate for {line.service_type} support "
                f"on {data.period_start:%d %B %Y}"
            )
        seen.add(key)
    return problems


def check_invoice(org: Organisation, data: InvoiceIn, schedule: PaymentSchedule) -> _Checked:
    """Every check, before anything is written: InvoiceProblems names each problem."""
    problems = []
    try:
        invoices.check_period(schedule, data.period_start, data.period_end)
    except RuleError as exc:
        problems.append(str(exc))
    if not data.reference.strip():
        problems.append("Enter your invoice reference")
    elif db.session.execute(
        select(IsfInvoice.id).where(
            IsfInvoice.organisation_id == org.id,
            IsfInvoice.provider_reference == data.reference.strip(),
        )
    ).first():
        problems.append(f"You have already sent an invoice with the reference {data.reference}")
    if not data.lines:
        problems.append("The invoice has no lines of delivered hours")
    checked = _context(org, data)
    problems += _problems(org, data, checked)
    if problems:
        raise InvoiceProblems(problems)
    return checked


def remaining_budgets(funded: list[_Funded], day: date) -> dict[int, invoices.Remaining]:
    """What remains of each person's budget for the financial year of `day`, by account."""
    ids = [f.account_id for f in funded]
    start, end = financial_year_start(day), financial_year_end(day)
    paid = dict(
        db.session.execute(
            select(Payment.account_id, func.sum(Payment.amount_pence))
            .where(
                Payment.account_id.in_(ids),
                Payment.payee_type == "organisation",
                Payment.pay_date.between(start, end),
            )
            .group_by(Payment.account_id)
        ).all()
    )
    waiting = dict(
        db.session.execute(
            select(IsfInvoiceLine.account_id, func.sum(IsfInvoiceLine.amount_pence))
            .join(IsfInvoice, IsfInvoice.id == IsfInvoiceLine.invoice_id)
            .where(
                IsfInvoiceLine.account_id.in_(ids),
                IsfInvoiceLine.state.in_(WAITING),
                IsfInvoiceLine.payment_id.is_(None),
                IsfInvoice.status.in_([InvoiceStatus.RECEIVED, InvoiceStatus.APPROVED]),
                IsfInvoice.period_start.between(start, end),
            )
            .group_by(IsfInvoiceLine.account_id)
        ).all()
    )
    return {
        f.account_id: invoices.Remaining(
            f.budget_pence, int(paid.get(f.account_id, 0)), int(waiting.get(f.account_id, 0))
        )
        for f in funded
    }


def _periods(data: InvoiceIn, funded: list[_Funded]) -> dict[int, int]:
    """The invoice's period of each agreement ({agreement id: period id}), made with its
    planned hours (the funded hours a week, pro rata) the first time it is invoiced."""
    ids = [f.agreement_id for f in funded]
    existing = dict(
        db.session.execute(
            select(IsfPeriod.agreement_id, IsfPeriod.id).where(
                IsfPeriod.agreement_id.in_(ids), IsfPeriod.period_start == data.period_start
            )
        ).all()
    )
    missing = [f for f in funded if f.agreement_id not in existing]
    if missing:
        weekly = dict(
            db.session.execute(
                select(IsfFundedLine.version_id, func.sum(BudgetLine.hours_hundredths))
                .join(BudgetLine, BudgetLine.id == IsfFundedLine.budget_line_id)
                .where(IsfFundedLine.version_id.in_([f.version_id for f in missing]))
                .group_by(IsfFundedLine.version_id)
            ).all()
        )
        period = Period(data.period_start, data.period_end)
        rows = [
            {
                "agreement_id": f.agreement_id,
                "period_start": data.period_start,
                "period_end": data.period_end,
                "planned_hours_hundredths": invoices.planned_hours(
                    int(weekly.get(f.version_id, 0)), period
                ),
                "status": PeriodStatus.OPEN,
            }
            for f in missing
        ]
        db.session.execute(insert(IsfPeriod.__table__), rows)
        return _periods(data, funded)
    return existing


def submit_invoice(
    org: Organisation, data: InvoiceIn, *, actor, schedule: PaymentSchedule
) -> IsfInvoice:
    """Record the provider's invoice: each line accepted within the cap, or held with the
    reason. InvoiceProblems (nothing written) when any line or the header is wrong."""
    checked = check_invoice(org, data, schedule)
    by_ref = {ref: checked.funded[ref] for ref in {x.reference.strip().upper() for x in data.lines}}
    remaining = remaining_budgets(list(by_ref.values()), data.period_start)
    invoice = IsfInvoice(
        organisation_id=org.id,
        provider_reference=data.reference.strip(),
        period_start=data.period_start,
        period_end=data.period_end,
        status=InvoiceStatus.RECEIVED,
        source=data.source,
        original_name=data.original_name,
        stored_name=data.stored_name,
        sha256=data.sha256,
        submitted_by_id=actor.id,
    )
    db.session.add(invoice)
    db.session.flush()
    periods = _periods(data, list(by_ref.values()))
    rows, held = [], 0
    for number, line in enumerate(data.lines, start=1):
        funded = by_ref[line.reference.strip().upper()]
        rate = checked.rates[line.service_type]
        amount = invoices.line_amount_pence(line.hours_hundredths, rate)
        reason = invoices.hold_reason(amount, remaining[funded.account_id])
        if reason is None:
            remaining[funded.account_id] = remaining[funded.account_id].after(amount)
        held += reason is not None
        rows.append(
            {
                "invoice_id": invoice.id,
                "agreement_id": funded.agreement_id,
                "period_id": periods[funded.agreement_id],
                "account_id": funded.account_id,
                "row_number": number,
                "service_type": line.service_type,
                "hours_hundredths": line.hours_hundredths,
                "rate_pence": rate,
                "amount_pence": amount,
                "state": LineState.HELD if reason else LineState.ACCEPTED,
                "hold_reason": reason,
            }
        )
    db.session.execute(insert(IsfInvoiceLine.__table__), rows)
    invoice.total_pence = sum(row["amount_pence"] for row in rows)
    audit.record(
        actor,
        "isf.invoice_received",
        invoice,
        summary=f"Invoice {invoice.provider_reference} from {org.name} received: "
        f"{len(rows)} lines, {from_pence(invoice.total_pence)} pounds, {held} held over the cap",
        after={"lines": len(rows), "total_pence": invoice.total_pence, "held": held},
    )
    return invoice


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
