"""Recoveries: money the council asks back, raised by monitoring through payments' services
and taken by offset from the next payment runs (never below zero), or invoiced.

Recoveries belong to payments so that payments never imports monitoring.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select

from ..accounts.models import Account
from ..accounts.services import correspondents
from ..core import audit
from ..core.errors import RuleError
from ..core.letters import letter_row, record_letters
from ..core.money import from_pence, round_money, to_pence
from ..extensions import db
from .ledger_models import Recovery
from .lifecycles import RecoveryStatus, move
from .run_models import RunLine
from .schedule import PeriodAmount


def raise_recovery(
    account: Account,
    *,
    amount: Decimal,
    method: str,
    reason: str,
    source: str,
    working: dict,
    actor,
):
    """Ask for money back. By offset, the next payment runs deduct it (never below zero); by
    invoice, the correspondent is sent an invoice. Either way they get a letter showing the
    working and how to question it."""
    if amount <= 0:
        raise RuleError("A recovery must be more than £0.00")
    recovery = Recovery(
        account_id=account.id,
        amount_pence=to_pence(amount),
        method=method,
        reason=reason,
        source=source,
        created_by_id=actor.id,
    )
    db.session.add(recovery)
    db.session.flush()
    recipient = correspondents([account.id])[account.id]
    record_letters(
        [
            letter_row(
                account_id=account.id,
                kind="recovery",
                subject="We are asking for some of your direct payment back",
                to=recipient,
                context={
                    "reference": account.reference,
                    "amount": str(amount),
                    "method": method,
                    "reason": reason,
                    "source": source,
                    **{key: str(value) for key, value in working.items()},
                },
            )
        ]
    )
    audit.record(
        actor,
        "recovery.raised",
        recovery,
        account_id=account.id,
        summary=f"Recovery of {amount} pounds by {method}: {reason}"[:300],
        after={"amount": str(amount), "method": method, "source": source},
    )
    return recovery


def open_offsets() -> dict[int, list[tuple[int, int]]]:
    """Open recoveries to take from payments: account -> [(recovery id, pence outstanding)]."""
    offsets: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for recovery_id, account_id, amount, recovered in db.session.connection().execute(
        select(Recovery.id, Recovery.account_id, Recovery.amount_pence, Recovery.recovered_pence)
        .where(Recovery.status == RecoveryStatus.OPEN, Recovery.method == "offset")
        .order_by(Recovery.id)
    ):
        offsets[account_id].append((recovery_id, amount - recovered))
    return offsets


def with_offsets(amount: PeriodAmount, open_recoveries: list[tuple[int, int]]) -> PeriodAmount:
    """Take what is owed from this payment, never below zero, oldest recovery first."""
    available = to_pence(round_money(amount.budget - amount.contribution))
    offsets = []
    for recovery_id, outstanding in open_recoveries:
        take = min(outstanding, available)
        if take <= 0:
            break
        offsets.append((f"Recovery {recovery_id}", from_pence(take)))
        available -= take
    return PeriodAmount(amount.period, amount.segments, tuple(offsets))


def apply_offsets(run_id: int) -> None:
    """At commit: record what each offset recovered, closing recoveries paid in full."""
    for (breakdown_json,) in db.session.connection().execute(
        select(RunLine.breakdown_json).where(
            RunLine.run_id == run_id, RunLine.outcome == "pay", RunLine.offset_pence > 0
        )
    ):
        for label, amount in json.loads(breakdown_json).get("offsets", []):
            recovery = db.session.get(Recovery, int(label.split()[-1]))
            recovery.recovered_pence += to_pence(Decimal(amount))
            if recovery.recovered_pence >= recovery.amount_pence:
                move(recovery, RecoveryStatus.RECOVERED)
