"""What an invoice's lines should become, worked out the plain way: one person at a time, a
query for each figure, the whole rate book loaded (the path invoice_services took before it
was made quick). The equivalence tests compare the service's lines with this on small
invoices, so a quicker path that decides any line differently fails.

Read only: it writes nothing, so it runs on the same data just before the service does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from dp_portal.accounts.models import Account
from dp_portal.core.calendar import Period, financial_year_end, financial_year_start
from dp_portal.core.money import to_pence
from dp_portal.extensions import db
from dp_portal.isf import invoices
from dp_portal.isf.delivery_models import IsfAdjustment, IsfInvoiceLine, IsfPeriod
from dp_portal.isf.models import IsfAgreement, IsfAgreementVersion
from dp_portal.payments.ledger_models import Payment
from dp_portal.payments.plans import rate_book


@dataclass(frozen=True)
class Expected:
    account_id: int
    agreement_id: int
    service_type: str
    hours_hundredths: int
    rate_pence: int
    amount_pence: int
    state: str
    hold_reason: str | None


def _agreement(org, reference: str, day):
    for version in db.session.execute(
        select(IsfAgreementVersion)
        .join(IsfAgreement, IsfAgreement.id == IsfAgreementVersion.agreement_id)
        .join(Account, Account.id == IsfAgreement.account_id)
        .where(
            IsfAgreement.organisation_id == org.id,
            func.upper(Account.reference) == reference.strip().upper(),
        )
    ).scalars():
        if version.is_in_force(day) and version.payment_basis == "invoice":
            return version
    raise AssertionError(f"{reference} is not paid on invoice")


def _others_payments(agreement) -> set[int]:
    """Payments to the person's other providers: for their lines or corrections, or to
    their bank accounts."""
    others = [
        a
        for a in db.session.execute(
            select(IsfAgreement).where(IsfAgreement.account_id == agreement.account_id)
        ).scalars()
        if a.organisation_id != agreement.organisation_id
    ]
    found = set()
    for other in others:
        for row in (IsfInvoiceLine, IsfAdjustment):
            found |= set(
                db.session.execute(
                    select(row.payment_id).where(row.agreement_id == other.id)
                ).scalars()
            )
        bank = (other.provider.pooled_sort_code, other.provider.pooled_account_number)
        for payment in db.session.execute(
            select(Payment).where(Payment.account_id == agreement.account_id)
        ).scalars():
            if (payment.sort_code, payment.account_number) == bank:
                found.add(payment.id)
    return found


def _remaining(version, day) -> invoices.Remaining:
    """What remains for this agreement: its budget less what was paid to organisations for
    the account this financial year (but for the person's other providers), what is waiting
    to be paid (accepted or released) or held for an officer on this provider's invoices of
    this year, and this provider's agreed corrections not yet paid."""
    agreement = version.agreement
    start, end = financial_year_start(day), financial_year_end(day)
    others = _others_payments(agreement)
    paid = sum(
        p.amount_pence
        for p in db.session.execute(
            select(Payment).where(Payment.account_id == agreement.account_id)
        ).scalars()
        if p.payee_type == "organisation" and start <= p.pay_date <= end and p.id not in others
    )
    waiting = held = 0
    for line in db.session.execute(
        select(IsfInvoiceLine).where(IsfInvoiceLine.account_id == agreement.account_id)
    ).scalars():
        invoice = line.invoice
        if (
            line.payment_id is not None
            or not start <= invoice.period_start <= end
            or invoice.organisation_id != agreement.organisation_id
        ):
            continue
        if line.state in ("accepted", "released") and invoice.status in ("received", "approved"):
            waiting += line.amount_pence
        elif line.state == "held" and invoice.status == "received":
            held += line.amount_pence
    corrections = sum(
        adjustment.amount_pence
        for adjustment in db.session.execute(select(IsfAdjustment)).scalars()
        if adjustment.status == "pending"
        and db.session.get(IsfAgreement, adjustment.agreement_id).account_id == agreement.account_id
        and db.session.get(IsfAgreement, adjustment.agreement_id).organisation_id
        == agreement.organisation_id
    )
    return invoices.Remaining(version.annual_budget_pence, paid, waiting, held, corrections)


def expected_lines(org, data) -> list[Expected]:
    """Each line of `data` (an InvoiceIn that passes every check) as the service should
    write it, in order: the cap is used up line by line."""
    book = rate_book()
    remaining: dict[int, invoices.Remaining] = {}
    found = []
    for line in data.lines:
        version = _agreement(org, line.reference, data.period_start)
        account_id = version.agreement.account_id
        if account_id not in remaining:
            remaining[account_id] = _remaining(version, data.period_start)
        rate = to_pence(book.provider_rate_on(org.id, data.period_start, line.service_type))
        amount = invoices.line_amount_pence(line.hours_hundredths, rate)
        reason = invoices.hold_reason(amount, remaining[account_id])
        if reason is None:
            remaining[account_id] = remaining[account_id].after(amount)
        else:
            remaining[account_id] = remaining[account_id].after_held(amount)
        found.append(
            Expected(
                account_id,
                version.agreement_id,
                line.service_type,
                line.hours_hundredths,
                rate,
                amount,
                "held" if reason else "accepted",
                reason,
            )
        )
    return found


def expected_planned(org, data) -> dict[int, int]:
    """{agreement id: planned hours} of the invoice's period: an existing period's own, or
    the funded hours a week pro rata for a period the invoice makes."""
    planned = {}
    for line in data.lines:
        version = _agreement(org, line.reference, data.period_start)
        existing = db.session.execute(
            select(IsfPeriod.planned_hours_hundredths).where(
                IsfPeriod.agreement_id == version.agreement_id,
                IsfPeriod.period_start == data.period_start,
            )
        ).scalar_one_or_none()
        if existing is None:
            weekly = sum(f.budget_line.hours_hundredths for f in version.funded_lines)
            existing = invoices.planned_hours(weekly, Period(data.period_start, data.period_end))
        planned[version.agreement_id] = existing
    return planned
