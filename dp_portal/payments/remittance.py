"""Payments as the person reads them: paid, or due to be paid on a date that has not come
yet (never shown as paid), and the remittance advice for each (page and PDF)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..accounts.correspondents import correspondents
from ..core.letters import html_to_pdf, render_html
from ..extensions import db
from .ledger_models import Payment


def remittance_parts(payment: Payment) -> tuple[list[Payment], list[Payment]]:
    """The other payments of the same run for the account (arrears paid with it), and the
    corrections recorded against this payment. `payment` comes from the scoped loader."""
    related = (
        db.session.execute(
            select(Payment).where(
                Payment.run_id == payment.run_id,
                Payment.account_id == payment.account_id,
                Payment.id != payment.id,
            )
        )
        .scalars()
        .all()
        if payment.run_id
        else []
    )
    corrections = (
        db.session.execute(
            select(Payment).where(Payment.corrects_payment_id == payment.id).order_by(Payment.id)
        )
        .scalars()
        .all()
    )
    return list(related), list(corrections)


@dataclass(frozen=True)
class PaymentsPage:
    """An account's payments as a person should read them: what has been paid (its pay date
    has come) and what is due to be paid, each total the sum of the lines listed with it."""

    paid: list[Payment]
    due: list[Payment]

    @property
    def paid_total(self) -> Decimal:
        return sum((p.amount for p in self.paid), Decimal("0.00"))

    @property
    def due_total(self) -> Decimal:
        return sum((p.amount for p in self.due), Decimal("0.00"))


def payments_page(account_id: int, today: date) -> PaymentsPage:
    """A payment is paid once its pay date has come (the council sends the bank file ahead
    of it); until then it is due, never shown as paid."""
    rows = db.session.execute(
        select(Payment)
        .where(Payment.account_id == account_id)
        .order_by(Payment.pay_date.desc(), Payment.id.desc())
    ).scalars()
    paid, due = [], []
    for payment in rows:
        (paid if payment.pay_date <= today else due).append(payment)
    return PaymentsPage(paid, due[::-1])


def remittance_pdf(payment: Payment, today: date) -> tuple[bytes, str]:
    """The remittance advice as a PDF for the account's correspondent, and its file name."""
    account = payment.account
    recipient = correspondents([account.id])[account.id]
    paid = payment.pay_date <= today
    html = render_html(
        "remittance",
        recipient.letter_format,
        payment=payment,
        paid=paid,
        recipient_name=recipient.name,
        address_lines=recipient.address_lines,
        # Advice of a payment still to come is dated the day it is given, not the pay date.
        letter_date=payment.pay_date if paid else today,
        subject="Remittance advice",
        reference=account.reference,
    )
    name = f"remittance-{account.reference}-{payment.pay_date.isoformat()}.pdf"
    return html_to_pdf(html), name
