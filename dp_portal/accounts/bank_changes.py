"""Changing where an account's money goes: four eyes on bank details (shared/design.md 2.7).

One officer asks for the change (the account number typed twice, any non-standard number
standardised and confirmed); it waits, and payments keep going to the current details, until
a different finance officer approves it. On approval the details take effect and the
correspondent is written to at the address on file when the change was asked for, saying
what changed and whom to call if they did not ask for it. Never commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..auth.models import User
from ..core import audit
from ..core.bank_numbers import NeedsConfirmation, require_second_person, vet
from ..core.errors import RuleError
from ..core.letters import LetterRecipient, letter_row, record_letters
from ..core.modulus import ModulusTables
from ..core.types import local_today, utcnow
from ..extensions import db
from .correspondents import correspondents
from .models import Account, BankDetailsChange, ChangeStatus, mask_account_number


@dataclass(frozen=True)
class Proposed:
    """What an officer typed, before anything is saved."""

    payee_name: str
    sort_code: str
    account_number: str  # as typed: 6 to 10 digits
    reason: str


def _masked(name: str | None, sort_code: str | None, number: str | None) -> dict[str, Any]:
    # Auditors see that the details changed and to what sort code; the full account number
    # stays out of the log.
    return {
        "payee_name": name,
        "sort_code": sort_code,
        "account_number": mask_account_number(number) if number else None,
    }


def pending_for(account_id: int) -> BankDetailsChange | None:
    return db.session.execute(
        select(BankDetailsChange).where(
            BankDetailsChange.account_id == account_id,
            BankDetailsChange.status == ChangeStatus.PENDING,
        )
    ).scalar_one_or_none()


def request_change(
    account: Account,
    proposed: Proposed,
    *,
    confirmed: str,
    tables: ModulusTables | None,
    actor: User,
) -> BankDetailsChange | NeedsConfirmation | None:
    """Record a change waiting for a second officer. Returns NeedsConfirmation when the number
    was standardised and `confirmed` does not name the result; None when nothing changes."""
    result = vet(proposed.sort_code, proposed.account_number, confirmed=confirmed, tables=tables)
    if isinstance(result, NeedsConfirmation):
        return result
    if pending_for(account.id) is not None:
        raise RuleError(
            "A change of bank details is already waiting for approval. Another officer must "
            "approve or reject it (or you can withdraw it) before a new one is made"
        )
    new = (proposed.payee_name, result.sort_code, result.account_number)
    if new == (account.payee_name, account.sort_code, account.account_number):
        return None
    recipient = correspondents([account.id])[account.id]
    change = BankDetailsChange(
        account_id=account.id,
        payee_name=proposed.payee_name,
        sort_code=result.sort_code,
        account_number=result.account_number,
        bank_check="not_checked" if tables is None else "passed",
        standardised_note=result.masked_note,
        previous_payee_name=account.payee_name,
        previous_sort_code=account.sort_code,
        previous_account_number=account.account_number,
        correspondent_json=json.dumps(recipient.__dict__),
        status=ChangeStatus.PENDING,
        reason=proposed.reason,
        requested_by_id=actor.id,
    )
    db.session.add(change)
    audit.record(
        actor,
        "bank_details.change_requested",
        change,
        account_id=account.id,
        summary="New bank details waiting for a second officer",
        before=_masked(account.payee_name, account.sort_code, account.account_number),
        after=_masked(*new) | {"reason": proposed.reason, "standardised": result.masked_note},
    )
    return change


def decide(change: BankDetailsChange, *, approve: bool, note: str, actor: User) -> None:
    """A second officer approves (the details take effect, and the letter goes) or rejects."""
    if change.status != ChangeStatus.PENDING:
        raise RuleError("This change has already been decided")
    require_second_person(change.requested_by_id, actor.id, "another finance officer")
    change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    change.decided_by_id, change.decided_at, change.decision_note = actor.id, utcnow(), note
    account = change.account
    before = _masked(account.payee_name, account.sort_code, account.account_number)
    if not approve:
        audit.record(
            actor,
            "bank_details.change_rejected",
            change,
            account_id=account.id,
            summary="New bank details rejected by a second officer",
            after={"note": note},
        )
        return
    account.payee_name = change.payee_name
    account.sort_code = change.sort_code
    account.account_number = change.account_number
    account.bank_check = change.bank_check
    account.bank_details_changed_at = change.decided_at
    audit.record(
        actor,
        "account.bank_details_changed",
        account,
        account_id=account.id,
        summary="Bank details changed (approved by a second officer)",
        before=before,
        after=_masked(change.payee_name, change.sort_code, change.account_number)
        | {"requested_by": change.requested_by.email, "change": change.id, "note": note},
    )
    _write_to_correspondent(change)


def withdraw(change: BankDetailsChange, *, actor: User) -> None:
    if change.status != ChangeStatus.PENDING:
        raise RuleError("This change has already been decided")
    if change.requested_by_id != actor.id:
        raise RuleError("Only the officer who asked for the change can withdraw it")
    change.status = ChangeStatus.WITHDRAWN
    change.decided_by_id, change.decided_at = actor.id, utcnow()
    audit.record(
        actor,
        "bank_details.change_withdrawn",
        change,
        account_id=change.account_id,
        summary="New bank details withdrawn by the officer who asked for them",
    )


def _write_to_correspondent(change: BankDetailsChange) -> None:
    """The letter goes to whoever received letters, at the address on file, when the change
    was asked for: someone who changes an address and then the bank details does not get to
    read the warning."""
    recipient = LetterRecipient(**json.loads(change.correspondent_json))
    record_letters(
        [
            letter_row(
                account_id=change.account_id,
                kind="bank_details_changed",
                subject="We have changed the bank account we pay into",
                to=recipient,
                context={
                    "reference": change.account.reference,
                    "payee_name": change.payee_name,
                    "sort_code": change.sort_code_display,
                    "last_four": change.account_number[-4:],
                    "changed_on": local_today().isoformat(),
                },
            )
        ]
    )


def pending_changes() -> list[BankDetailsChange]:
    return list(
        db.session.execute(
            select(BankDetailsChange)
            .where(BankDetailsChange.status == ChangeStatus.PENDING)
            .order_by(BankDetailsChange.requested_at, BankDetailsChange.id)
        ).scalars()
    )


def history(account_id: int) -> list[BankDetailsChange]:
    return list(
        db.session.execute(
            select(BankDetailsChange)
            .where(BankDetailsChange.account_id == account_id)
            .order_by(BankDetailsChange.id.desc())
        ).scalars()
    )
