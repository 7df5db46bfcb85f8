"""Paying providers' approved invoices and agreed corrections through the payment runs (issue
14, part B), by the runs' own hooks (payments never imports isf):

- building a run: an account with approved invoice lines not yet paid, or an agreed change
  request's adjustment not yet paid, is paid to the provider's approved bank account (the
  payee snapshot, the runs' approval by a second officer) instead of its priced period
  (payments.hooks.Replacement). A run pays one payee for a person, so when two of the
  person's providers are due money, the one whose money has waited longer is paid first.
  Each adjustment is an arrears item naming the sealed period it corrects, so the commit
  writes it as an arrears payment of that period: never an edit of what was paid for it;
- committing it: the lines and adjustments it paid are marked with their payments, and an
  invoice whose lines are all paid becomes paid. A line or adjustment already paid by another
  run stops the commit (the request rolls back whole), so nothing is paid twice.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy import select

from ..core.errors import RuleError
from ..extensions import db
from ..payments.hooks import Redirect, Replacement, on_run_committed
from ..payments.ledger_models import Payment
from ..payments.run_build import payment_schedule
from ..payments.run_models import RunLine
from ..third_party.models import Organisation
from .delivery_models import IsfAdjustment, IsfInvoice, IsfInvoiceLine, IsfPeriod
from .lifecycles import (
    AdjustmentStatus,
    InvoiceStatus,
    LineState,
    move_adjustment,
    move_invoice,
)
from .models import IsfAgreement

KEY = "isf_invoice"
NO_ACCOUNT = "{name} has no approved bank account: its approved invoice cannot be paid yet"


def _lines() -> list:
    return db.session.execute(
        select(
            IsfInvoiceLine.account_id,
            IsfInvoice.organisation_id,
            IsfInvoiceLine.id,
            IsfInvoice.provider_reference,
            IsfInvoice.period_start,
            IsfInvoice.period_end,
            IsfInvoiceLine.service_type,
            IsfInvoiceLine.hours_hundredths,
            IsfInvoiceLine.amount_pence,
            IsfInvoice.decided_at,
        )
        .join(IsfInvoice, IsfInvoice.id == IsfInvoiceLine.invoice_id)
        .where(
            IsfInvoice.status == InvoiceStatus.APPROVED,
            IsfInvoiceLine.state.in_([LineState.ACCEPTED, LineState.RELEASED]),
            IsfInvoiceLine.payment_id.is_(None),
        )
        .order_by(IsfInvoiceLine.id)
    ).all()


def _adjustments() -> list:
    return db.session.execute(
        select(
            IsfAgreement.account_id,
            IsfAgreement.organisation_id,
            IsfAdjustment.id,
            IsfAdjustment.description,
            IsfPeriod.period_start,
            IsfPeriod.period_end,
            IsfAdjustment.amount_pence,
            IsfAdjustment.created_at,
        )
        .join(IsfAgreement, IsfAgreement.id == IsfAdjustment.agreement_id)
        .join(IsfPeriod, IsfPeriod.id == IsfAdjustment.period_id)
        .where(IsfAdjustment.status == AdjustmentStatus.PENDING)
        .order_by(IsfAdjustment.id)
    ).all()


def due(period_start: date) -> dict[int, Redirect]:
    """{account id: what the run pays the provider for it} for every account with approved
    lines or agreed adjustments not yet paid (or why they cannot be paid yet)."""
    schedule = payment_schedule(current_app.config)
    items: dict[tuple[int, int], dict] = defaultdict(lambda: {"lines": [], "arrears": []})
    oldest: dict[tuple[int, int], datetime] = {}  # when its first item was approved
    for account_id, org_id, line_id, ref, start, end, kind, hours, amount, at in _lines():
        _first((account_id, org_id), at, oldest)
        items[(account_id, org_id)]["lines"].append(
            {
                "id": line_id,
                "invoice": ref,
                "from": start.isoformat(),
                "to": end.isoformat(),
                "service_type": kind,
                "hours_hundredths": hours,
                "amount_pence": amount,
            }
        )
    for account_id, org_id, adj_id, text, start, end, amount, at in _adjustments():
        _first((account_id, org_id), at, oldest)
        items[(account_id, org_id)]["arrears"].append(
            {
                "period_index": schedule.index_of(start),
                "from": start.isoformat(),
                "to": end.isoformat(),
                "due_pence": amount,
                "isf_adjustment_id": adj_id,
                "description": text,
            }
        )
    orgs = {
        org.id: org
        for org in db.session.execute(
            select(Organisation).where(Organisation.id.in_({org for _, org in items}))
        ).scalars()
    }
    found: dict[int, Redirect] = {}
    # A run pays one payee for a person (payments' run lines and its exactly-once index are
    # one an account and period). When two of a person's providers are due money, the one
    # whose approved money has waited longer is paid, and the other in the next run: each
    # waits one run at most, and neither waits behind the other for good.
    for (account_id, org_id), _at in sorted(oldest.items(), key=lambda kv: (kv[1], kv[0])):
        if account_id not in found:
            found[account_id] = _replacement(orgs[org_id], items[(account_id, org_id)])
    return found


def _first(key: tuple[int, int], at: datetime | None, oldest: dict) -> None:
    at = at or datetime.max.replace(tzinfo=UTC)
    if key not in oldest or at < oldest[key]:
        oldest[key] = at


def _replacement(org: Organisation, found: dict) -> Redirect:
    if not org.pooled_sort_code:
        return NO_ACCOUNT.format(name=org.name)
    return Replacement(
        (org.pooled_payee_name, org.pooled_sort_code, org.pooled_account_number),
        sum(line["amount_pence"] for line in found["lines"]),
        sum(item["due_pence"] for item in found["arrears"]),
        {KEY: {"provider": org.name, "lines": found["lines"]}, "arrears": found["arrears"]},
    )


@on_run_committed
def paid_in_run(run_id: int) -> None:
    """Mark what the run paid: each line with its payment, each adjustment with its arrears
    payment; an invoice with every line paid becomes paid."""
    invoice_ids: set[int] = set()
    for account_id, breakdown_json in db.session.execute(
        select(RunLine.account_id, RunLine.breakdown_json).where(
            RunLine.run_id == run_id,
            RunLine.outcome == "pay",
            # A provider is paid as an organisation: only those lines' breakdowns are read
            # (a council's run has 90,000 lines paid to people).
            RunLine.payee_type == "organisation",
            RunLine.breakdown_json.contains(f'"{KEY}"'),
        )
    ).all():
        breakdown = json.loads(breakdown_json)
        payments = _payments(run_id, account_id)
        invoice_ids |= _mark_lines(breakdown[KEY]["lines"], payments.get(None))
        _mark_adjustments(breakdown.get("arrears", []), payments, run_id)
    for invoice in db.session.execute(
        select(IsfInvoice).where(IsfInvoice.id.in_(invoice_ids))
    ).scalars():
        waiting = [x for x in invoice.lines if x.state in (LineState.ACCEPTED, LineState.RELEASED)]
        if all(x.payment_id is not None for x in waiting):
            move_invoice(invoice, InvoiceStatus.PAID)


def _payments(run_id: int, account_id: int) -> dict[int | None, int]:
    """{adjustment id: its arrears payment, None: the regular payment} of the run."""
    found: dict[int | None, int] = {}
    for payment_id, kind, breakdown_json in db.session.execute(
        select(Payment.id, Payment.kind, Payment.breakdown_json).where(
            Payment.run_id == run_id, Payment.account_id == account_id
        )
    ):
        if kind == "regular":
            found[None] = payment_id
        else:
            adjustment = json.loads(breakdown_json).get("isf_adjustment_id")
            if adjustment is not None:
                found[adjustment] = payment_id
    return found


ALREADY_PAID = (
    "Part of this run has already been paid by another run ({what}). Cancel this run and "
    "build it again"
)


def _mark_lines(items: list[dict], payment_id: int | None) -> set[int]:
    ids = [item["id"] for item in items]
    lines = db.session.execute(select(IsfInvoiceLine).where(IsfInvoiceLine.id.in_(ids))).scalars()
    invoice_ids = set()
    for line in lines:
        if line.payment_id is not None:
            raise RuleError(ALREADY_PAID.format(what="an invoice line"))
        line.payment_id = payment_id
        invoice_ids.add(line.invoice_id)
    return invoice_ids


def _mark_adjustments(items: list[dict], payments: dict, run_id: int) -> None:
    for item in items:
        adjustment = db.session.get(IsfAdjustment, item["isf_adjustment_id"])
        if adjustment.status != AdjustmentStatus.PENDING:
            raise RuleError(ALREADY_PAID.format(what="an agreed correction"))
        adjustment.payment_id = payments[item["isf_adjustment_id"]]
        adjustment.run_id = run_id
        move_adjustment(adjustment, AdjustmentStatus.PAID)
