"""Correcting a committed payment without editing it (payments are append-only)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from ..core import audit
from ..core.errors import RuleError
from ..core.money import to_pence
from ..extensions import db
from .ledger_models import LedgerEntry, Payment


def record_adjustment(
    payment: Payment, *, amount: Decimal, on: date, reason: str, actor
) -> Payment:
    """Money returned by the bank (negative) or paid outside a run (positive), recorded
    beside the payment it corrects. The next run pays or nets off what is then owed."""
    if payment.kind == "adjustment":
        raise RuleError("Correct the original payment, not a correction")
    if amount == 0:
        raise RuleError("Enter an amount that is not zero")
    adjustment = Payment(
        account_id=payment.account_id,
        run_id=None,
        period_index=payment.period_index,
        period_start=payment.period_start,
        period_end=payment.period_end,
        payee_type=payment.payee_type,
        kind="adjustment",
        amount_pence=to_pence(amount),
        pay_date=on,
        breakdown_json=json.dumps({"reason": reason, "corrects": payment.id}),
        corrects_payment_id=payment.id,
        payee_name=payment.payee_name,
        sort_code=payment.sort_code,
        account_number=payment.account_number,
    )
    db.session.add(adjustment)
    db.session.flush()
    db.session.add(
        LedgerEntry(
            account_id=payment.account_id,
            entry_date=on,
            kind="adjustment",
            amount_pence=adjustment.amount_pence,
            payment_id=adjustment.id,
            description=f"Correction: {reason}"[:200],
        )
    )
    audit.record(
        actor,
        "payment.adjusted",
        adjustment,
        account_id=payment.account_id,
        summary=f"Correction of {amount} pounds to the payment of {payment.pay_date:%d %B %Y}",
        after={"corrects": payment.id, "amount": str(amount), "reason": reason},
    )
    return adjustment
