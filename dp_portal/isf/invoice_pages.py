"""What each party reads about invoices (issue 14, part B): the provider's invoices, open
change requests, payments with their remittance advice (CSV and PDF) and XLSX export; the
finance officers' work (invoices awaiting approval, held lines, unsealed periods, change
requests by age, each provider's total paid by period, XLSX). Never commits."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from flask import render_template
from sqlalchemy import func, select, union

from ..accounts.models import Account
from ..core.letters import html_to_pdf
from ..core.money import from_pence
from ..core.pagination import count_rows
from ..core.spreadsheets import workbook_bytes
from ..extensions import db
from ..payments.ledger_models import Payment
from ..third_party.models import Organisation
from . import change_requests, sealing
from .delivery_models import IsfAdjustment, IsfInvoice, IsfInvoiceLine, IsfPeriod
from .invoice_checks import funded_people
from .invoices import hours_text
from .lifecycles import InvoiceStatus, LineState, PeriodStatus
from .models import IsfAgreement
from .scope import in_force


def template_people(org: Organisation, day: date) -> list[tuple[str, str, str]]:
    """(reference, name, kind of support) of each person paid on invoice, for the template."""
    ids = [p.account_id for p in funded_people(org, day).values()]
    accounts = db.session.execute(select(Account).where(Account.id.in_(ids))).scalars()
    return sorted((a.reference, a.person.full_name, "day") for a in accounts)


@dataclass(frozen=True)
class ProviderInvoices:
    invoices: list[IsfInvoice]
    changes: list
    payments: list[Payment]
    periods: list  # (agreement, [sealing.PeriodRow])


def provider_invoices(org: Organisation, today: date) -> ProviderInvoices:
    invoices = list(
        db.session.execute(
            select(IsfInvoice)
            .where(IsfInvoice.organisation_id == org.id)
            .order_by(IsfInvoice.submitted_at.desc(), IsfInvoice.id.desc())
        ).scalars()
    )
    agreements = list(
        db.session.execute(
            select(IsfAgreement).where(IsfAgreement.organisation_id == org.id, in_force(today))
        ).scalars()
    )
    every = list(
        db.session.execute(
            select(IsfAgreement.id).where(IsfAgreement.organisation_id == org.id)
        ).scalars()
    )
    rows = sealing.planned_against_delivered([a.id for a in agreements])
    return ProviderInvoices(
        invoices,
        change_requests.requests_for(every, live_only=True),
        provider_payments(org.id),
        [(a, rows.get(a.id, [])) for a in agreements],
    )


def provider_payments(org_id: int) -> list[Payment]:
    lines = (
        select(IsfInvoiceLine.payment_id)
        .join(IsfInvoice, IsfInvoice.id == IsfInvoiceLine.invoice_id)
        .where(IsfInvoice.organisation_id == org_id)
    )
    adjustments = (
        select(IsfAdjustment.payment_id)
        .join(IsfAgreement, IsfAgreement.id == IsfAdjustment.agreement_id)
        .where(IsfAgreement.organisation_id == org_id)
    )
    # One IN of the two lists: `IN (lines) OR IN (adjustments)` cannot be made a join, so
    # PostgreSQL read every payment the council ever made to find the provider's.
    return list(
        db.session.execute(
            select(Payment)
            .where(Payment.id.in_(union(lines, adjustments)))
            .order_by(Payment.pay_date.desc(), Payment.id.desc())
        ).scalars()
    )


def remittance_rows(payment: Payment) -> list[list]:
    """What a payment to the provider paid, line by line (invoice lines or a correction)."""
    rows = []
    for line, invoice in db.session.execute(
        select(IsfInvoiceLine, IsfInvoice)
        .join(IsfInvoice, IsfInvoice.id == IsfInvoiceLine.invoice_id)
        .where(IsfInvoiceLine.payment_id == payment.id)
        .order_by(IsfInvoiceLine.id)
    ).all():
        rows.append(
            [
                invoice.provider_reference,
                payment.account.reference,
                f"{invoice.period_start:%d/%m/%Y} to {invoice.period_end:%d/%m/%Y}",
                line.service_type,
                hours_text(line.hours_hundredths),
                from_pence(line.amount_pence),
            ]
        )
    for adjustment in db.session.execute(
        select(IsfAdjustment).where(IsfAdjustment.payment_id == payment.id)
    ).scalars():
        rows.append(
            [
                f"Correction {adjustment.change_request_id}",
                payment.account.reference,
                adjustment.description,
                "",
                hours_text(adjustment.hours_hundredths) if adjustment.hours_hundredths else "",
                from_pence(adjustment.amount_pence),
            ]
        )
    return rows


REMITTANCE_HEADINGS = ["Invoice", "Person's reference", "For", "Kind of support", "Hours", "Amount"]


def remittance_csv(payment: Payment) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Paid on", payment.pay_date.isoformat(), "Total", f"{payment.amount:.2f}"])
    writer.writerow(REMITTANCE_HEADINGS)
    for row in remittance_rows(payment):
        # Text that a spreadsheet would run as a formula is quoted as text.
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in "=+-@" else c for c in row])
    return out.getvalue()


def remittance_pdf(payment: Payment, org: Organisation, config) -> bytes:
    html = render_template(
        "isf/remittance_pdf.html",
        payment=payment,
        org=org,
        rows=remittance_rows(payment),
        headings=REMITTANCE_HEADINGS,
        council=config,
    )
    return html_to_pdf(html)


def provider_export(org: Organisation) -> bytes:
    rows = db.session.execute(
        select(IsfInvoice, IsfInvoiceLine, Account.reference)
        .join(IsfInvoiceLine, IsfInvoiceLine.invoice_id == IsfInvoice.id)
        .join(Account, Account.id == IsfInvoiceLine.account_id)
        .where(IsfInvoice.organisation_id == org.id)
        .order_by(IsfInvoice.period_start, IsfInvoice.id, IsfInvoiceLine.id)
    ).all()
    heads = [
        "Invoice",
        "Status",
        "Period start",
        "Person's reference",
        "Kind",
        "Hours",
        "Amount",
        "Line",
        "Held because",
    ]
    return workbook_bytes(
        {
            "Invoices": (
                heads,
                (
                    [
                        inv.provider_reference,
                        InvoiceStatus(inv.status).label,
                        inv.period_start,
                        ref,
                        line.service_type,
                        hours_text(line.hours_hundredths),
                        from_pence(line.amount_pence),
                        LineState(line.state).label,
                        line.hold_reason or "",
                    ]
                    for inv, line, ref in rows
                ),
            )
        }
    )


# How many of the held lines and of the unsealed periods the finance page lists (the oldest
# first); it says how many there are in all. A council has tens of thousands of periods
# open at once, and listing every one (with two queries each for its person) took the
# page minutes.
SHOWN = 50


@dataclass(frozen=True)
class HeldLine:
    invoice_id: int
    invoice_reference: str
    row_number: int | None
    hold_reason: str


@dataclass(frozen=True)
class OpenPeriod:
    reference: str  # the person's account
    provider: str
    period_start: date
    period_end: date


@dataclass(frozen=True)
class FinanceWork:
    awaiting: list[IsfInvoice]
    held: list[HeldLine]
    held_count: int
    unsealed: list[OpenPeriod]
    unsealed_count: int
    changes: list
    paid: list[tuple[str, date, int]]  # provider, period start, pence


def paid_by_period() -> list[tuple[str, date, int]]:
    """Each provider's total paid by the runs, by period (scheduled and invoiced)."""
    return [
        (name, start, int(total))
        for name, start, total in db.session.execute(
            select(Organisation.name, Payment.period_start, func.sum(Payment.amount_pence))
            .join(IsfAgreement, IsfAgreement.account_id == Payment.account_id)
            .join(Organisation, Organisation.id == IsfAgreement.organisation_id)
            .where(
                Payment.payee_type == "organisation",
                Payment.sort_code == Organisation.pooled_sort_code,
                Payment.account_number == Organisation.pooled_account_number,
            )
            .group_by(Organisation.name, Payment.period_start)
            .order_by(Organisation.name, Payment.period_start.desc())
        ).all()
    ]


def finance_work() -> FinanceWork:
    awaiting = list(
        db.session.execute(
            select(IsfInvoice)
            .where(IsfInvoice.status == InvoiceStatus.RECEIVED)
            .order_by(IsfInvoice.submitted_at)
        ).scalars()
    )
    held = (
        select(IsfInvoice.id, IsfInvoice.provider_reference)
        .join(IsfInvoiceLine, IsfInvoiceLine.invoice_id == IsfInvoice.id)
        .where(IsfInvoiceLine.state == LineState.HELD, IsfInvoice.status == InvoiceStatus.RECEIVED)
    )
    unsealed = select(IsfPeriod.id).where(IsfPeriod.status == PeriodStatus.OPEN)
    return FinanceWork(
        awaiting,
        _held_lines(held),
        count_rows(held),
        _open_periods(),
        count_rows(unsealed),
        change_requests.requests_for(live_only=True),
        paid_by_period(),
    )


def _held_lines(held) -> list[HeldLine]:
    """The SHOWN oldest lines held over the cap, with their invoice's reference."""
    rows = db.session.execute(
        held.add_columns(IsfInvoiceLine.row_number, IsfInvoiceLine.hold_reason)
        .order_by(IsfInvoiceLine.id)
        .limit(SHOWN)
    )
    return [HeldLine(*row) for row in rows]


def _open_periods() -> list[OpenPeriod]:
    """The SHOWN periods not sealed yet that started longest ago, with their person and
    provider (joined: each period's agreement and account were two queries more)."""
    rows = db.session.execute(
        select(Account.reference, Organisation.name, IsfPeriod.period_start, IsfPeriod.period_end)
        .join(Account, Account.id == IsfPeriod.account_id)
        .join(IsfAgreement, IsfAgreement.id == IsfPeriod.agreement_id)
        .join(Organisation, Organisation.id == IsfAgreement.organisation_id)
        .where(IsfPeriod.status == PeriodStatus.OPEN)
        .order_by(IsfPeriod.period_start, IsfPeriod.id)
        .limit(SHOWN)
    )
    return [OpenPeriod(*row) for row in rows]


def finance_export() -> bytes:
    return workbook_bytes(
        {
            "Paid by period": (
                ["Provider", "Period start", "Paid"],
                ([name, start, from_pence(pence)] for name, start, pence in paid_by_period()),
            )
        }
    )


def year_end_export(rows: list[sealing.YearEndRow]) -> bytes:
    return workbook_bytes(
        {
            "Unused hours": (
                [
                    "Person's reference",
                    "Provider",
                    "Bankable limit",
                    "Left in the bank",
                    "Over the limit",
                    "Planned, period not sealed",
                ],
                (
                    [
                        r.reference,
                        r.provider,
                        hours_text(r.limit),
                        hours_text(r.left_in_bank),
                        hours_text(r.over_limit),
                        hours_text(r.not_sealed),
                    ]
                    for r in rows
                ),
            )
        }
    )
