"""Bank details in a dry run. An import never changes where money goes by itself: new bank
details become a change waiting for a second finance officer (accounts/bank_changes, as the
bank details form makes it), so the four eyes hold however the details arrive. Reads only."""

from __future__ import annotations

from sqlalchemy import select

from ..accounts.bank_changes import Proposed
from ..accounts.models import BankDetailsChange, ChangeStatus
from ..core.bank_numbers import NeedsConfirmation, mask_account_number, sort_code_display
from ..core.bank_numbers import standardise as standardised
from ..core.bank_numbers import vet as vetted
from ..core.errors import RuleError
from ..extensions import db
from .fields import Kind
from .plan import Context, Rows, chunks, keyed_rows, reference
from .plan_accounts import accounts_for
from .report import Action
from .rows import RowReader

WAITS = "waits for a second finance officer's approval"
CONVERTED = "; the account number was not 8 digits and was converted by its bank's rule"


def no_account(key: str) -> str:
    return (
        f"no account has the reference {key}: add it on the accounts sheet, or check the reference"
    )


def with_reason(ctx: Context, cells: dict[str, str]) -> dict[str, str]:
    given = dict(cells)
    if not (given.get("reason") or "").strip():
        given["reason"] = f"Imported from {ctx.source}"[:500]
    return given


def _pending(account_ids: list[int]) -> dict[int, BankDetailsChange]:
    found = {}
    for batch in chunks(sorted(account_ids)):
        query = select(BankDetailsChange).where(
            BankDetailsChange.account_id.in_(batch),
            BankDetailsChange.status == ChangeStatus.PENDING,
        )
        found.update({c.account_id: c for c in db.session.execute(query).scalars()})
    return found


def _bank_changes(old: tuple, new: tuple) -> list[tuple[str, str, str]]:
    def shown(details: tuple) -> tuple[str, str, str]:
        name, sort_code, number = details
        return (
            name or "",
            sort_code_display(sort_code) if sort_code else "",
            mask_account_number(number) if number else "",
        )

    labels = ("name on the account", "sort code", "account number")
    return [
        (label, before, after)
        for label, before, after in zip(labels, shown(old), shown(new), strict=True)
        if before != after
    ]


def _vet(ctx: Context, number: int, data: dict) -> tuple[tuple, str, str] | None:
    """(the details as they would be paid, the confirmation token the form would carry, the
    note for the report), or None after reporting why the numbers are refused."""
    try:
        result = standardised(data["sort_code"], data["account_number"])
        token = NeedsConfirmation(result).token
        vetted(data["sort_code"], data["account_number"], confirmed=token, tables=ctx.tables)
    except RuleError as exc:
        name = "sort_code" if "sort code of 6" in str(exc) else "account_number"
        ctx.problem(Kind.BANK_DETAILS, number, name, str(exc))
        return None
    note = WAITS + (CONVERTED if result.changed else "")
    return (data["payee_name"], result.sort_code, result.account_number), token, note


def plan_bank_details(ctx: Context, rows: Rows) -> None:
    kind = Kind.BANK_DETAILS
    rows = keyed_rows(ctx, kind, rows, lambda cells: reference(cells["account_reference"]))
    accounts = accounts_for(ctx, {reference(c["account_reference"]) for _, c in rows})
    held = [accounts.get(reference(c["account_reference"])) for _, c in rows]
    pending = _pending([r.obj.id for r in held if r is not None and r.obj is not None])
    reader = RowReader(kind)
    for number, cells in rows:
        key = reference(cells["account_reference"])
        target = accounts.get(key)
        if target is None:
            ctx.problem(kind, number, "account_reference", no_account(key))
            continue
        read = reader.read(with_reason(ctx, cells))
        for name, message in read.problems:
            ctx.problem(kind, number, name, message)
        vetted_details = None if read.problems else _vet(ctx, number, read.data)
        if vetted_details is None:
            continue
        new, token, note = vetted_details
        data = {"proposed": Proposed(*(read.data[n] for n in _PROPOSED)), "confirmed": token}
        account = target.obj
        old = (None, None, None)
        if account is not None:
            old = (account.payee_name, account.sort_code, account.account_number)
            waiting = pending.get(account.id)
            if new == old:
                ctx.outcome(kind, number, key, Action.UNCHANGED, note="we already pay into these")
                continue
            if waiting is not None:
                _already_waiting(ctx, number, key, waiting, new)
                continue
        action = Action.CREATE if old == (None, None, None) else Action.UPDATE
        ctx.outcome(kind, number, key, action, _bank_changes(old, new), note)
        ctx.step(kind, action, number, target, data, key)


_PROPOSED = ("payee_name", "sort_code", "account_number", "reason")


def _already_waiting(ctx: Context, number: int, key: str, waiting, new: tuple) -> None:
    if (waiting.payee_name, waiting.sort_code, waiting.account_number) == new:
        ctx.outcome(
            Kind.BANK_DETAILS, number, key, Action.UNCHANGED, note="already waiting for approval"
        )
        return
    ctx.problem(
        Kind.BANK_DETAILS,
        number,
        "account_number",
        "A change of bank details is already waiting for approval. Another officer must "
        "approve or reject it (or it can be withdrawn) before a new one is made",
    )
