"""Importing a bank statement for an account, correcting its lines' categories (remembered),
and filling the period's return from them. Loads through the caller's scoped account; applies
the rules in statements.py; writes and audits; never commits.

A statement is imported whole or not at all: a refusal (core/uploads, core/bank_statements)
saves nothing, not even the file. Lines already imported (the same fingerprint on the same
account) are passed over; a file with no new line at all is refused, changing nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from ..accounts.models import Account
from ..auth.models import User
from ..core import audit, storage
from ..core.bank_statements import Columns, NeedsColumns, Statement, read_statement
from ..core.errors import NotFound, RuleError
from ..core.money import ZERO, from_pence, to_pence
from ..core.uploads import STATEMENT, Checked, UploadError, check_upload, store
from ..extensions import db
from ..payments.ledger_models import Payment
from . import drafts, statement_figures
from .models import STATEMENTS_AREA, MonitoringReturn
from .periods import ReturnPeriod
from .statement_models import StatementChoice, StatementImport, StatementLayout, StatementLine
from .statements import (
    MATCH_DAYS_AFTER,
    MATCH_DAYS_BEFORE,
    Category,
    CouncilPayment,
    ImportStatus,
    check_choice,
    classify,
    description_key,
    fingerprints,
    move_import,
)


@dataclass(frozen=True)
class Imported:
    row: StatementImport
    needs_columns: NeedsColumns | None = None


def remembered_layouts(user: User):
    """The columns `user` chose before, by layout (read_statement's `remembered`)."""

    def lookup(layout_key: str) -> Columns | None:
        text = db.session.execute(
            select(StatementLayout.columns_json).where(
                StatementLayout.user_id == user.id, StatementLayout.layout_key == layout_key
            )
        ).scalar()
        return Columns.from_json(text) if text else None

    return lookup


def _payments(account: Account, statement: Statement) -> list[CouncilPayment]:
    """The account's committed payments a line of this statement could be, not matched yet."""
    from datetime import timedelta

    days = [line.day for line in statement.lines]
    rows = db.session.execute(
        select(Payment.id, Payment.pay_date, Payment.amount_pence)
        .outerjoin(StatementLine, StatementLine.payment_id == Payment.id)
        .where(
            Payment.account_id == account.id,
            Payment.pay_date >= min(days) - timedelta(days=MATCH_DAYS_AFTER),
            Payment.pay_date <= max(days) + timedelta(days=MATCH_DAYS_BEFORE),
            StatementLine.id.is_(None),
        )
        .order_by(Payment.pay_date, Payment.id)
    ).all()
    return [CouncilPayment(i, day, from_pence(p), account.reference) for i, day, p in rows]


def _choices(account_id: int) -> dict[str, Category]:
    rows = db.session.execute(
        select(StatementChoice.description_key, StatementChoice.category).where(
            StatementChoice.account_id == account_id
        )
    ).all()
    return {key: Category(category) for key, category in rows}


def _new_lines(account: Account, statement: Statement):
    """The statement's lines not imported before, classified, with their fingerprints."""
    prints = fingerprints(statement.lines)
    known = set(
        db.session.execute(
            select(StatementLine.fingerprint).where(
                StatementLine.account_id == account.id, StatementLine.fingerprint.in_(prints)
            )
        ).scalars()
    )
    fresh = [(line, p) for line, p in zip(statement.lines, prints, strict=True) if p not in known]
    if not fresh:
        raise UploadError(
            f"Every line in this statement ({len(prints)}) has been imported before, so "
            "nothing has changed"
        )
    classified = classify(
        [line for line, _ in fresh],
        _payments(account, statement),
        _choices(account.id),
        account.reference,
    )
    return [(c, p) for c, (_, p) in zip(classified, fresh, strict=True)], len(known)


def _save_lines(row: StatementImport, account: Account, statement: Statement, actor: User):
    fresh, duplicates = _new_lines(account, statement)
    for classified, fingerprint in fresh:
        line = classified.line
        db.session.add(
            StatementLine(
                import_id=row.id,
                account_id=account.id,
                row_number=line.row,
                line_date=line.day,
                description=line.description[:300],
                amount_pence=to_pence(line.amount),
                balance_pence=None if line.balance is None else to_pence(line.balance),
                fingerprint=fingerprint,
                category=classified.category.value,
                reason=classified.reason,
                payment_id=classified.payment_id,
            )
        )
    row.line_count, row.duplicate_count = len(fresh), duplicates
    if statement.closing_balance is not None:
        row.closing_balance_pence = to_pence(statement.closing_balance)
    audit.record(
        actor,
        "statement.imported",
        row,
        account_id=account.id,
        summary=f"Bank statement {row.original_name} imported: {len(fresh)} new lines"
        + (f", {duplicates} already imported" if duplicates else ""),
        after={"lines": len(fresh), "duplicates": duplicates, "sha256": row.sha256},
    )


def _abandon_waiting(account: Account) -> None:
    for waiting in db.session.execute(
        select(StatementImport).where(
            StatementImport.account_id == account.id,
            StatementImport.status == ImportStatus.AWAITING_COLUMNS,
        )
    ).scalars():
        move_import(waiting, ImportStatus.ABANDONED)


def import_statement(account: Account, *, data: bytes, filename: str, actor: User) -> Imported:
    """Check, read, classify and save a statement; or ask for its columns (the file is kept
    until they are chosen); or raise UploadError / StatementError, saving nothing."""
    checked = check_upload(data, filename, STATEMENT)
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        statement = read_statement(
            data, remembered=remembered_layouts(actor), account_number=account.account_number
        )
    except NeedsColumns as asked:
        _abandon_waiting(account)
        row = _record(account, data, checked, sha256, actor, ImportStatus.AWAITING_COLUMNS)
        row.layout_key = asked.layout_key
        return Imported(row, asked)
    _new_lines(account, statement)  # refuse a file of lines all imported before, saving nothing
    _abandon_waiting(account)
    row = _record(account, data, checked, sha256, actor, ImportStatus.IMPORTED)
    row.layout_key = statement.layout_key
    _save_lines(row, account, statement, actor)
    return Imported(row)


def _record(
    account: Account,
    data: bytes,
    checked: Checked,
    sha256: str,
    actor: User,
    status: ImportStatus,
) -> StatementImport:
    stored = store(data, STATEMENTS_AREA, checked.kind)
    row = StatementImport(
        account_id=account.id,
        status=status.value,
        source="OFX" if checked.kind.key == "ofx" else "CSV",
        original_name=checked.name,
        stored_name=stored.stored_name,
        sha256=sha256,
        size=stored.size,
        imported_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def waiting_import(account: Account, import_id: int) -> StatementImport:
    """An import of this account still waiting for its columns (NotFound otherwise)."""
    row = db.session.get(StatementImport, import_id)
    if row is None or row.account_id != account.id:
        raise NotFound(f"statement import {import_id}")
    if row.status != ImportStatus.AWAITING_COLUMNS:
        raise RuleError("This statement has already been imported, or another was uploaded")
    return row


def choose_columns(
    account: Account, import_id: int, columns: Columns, *, actor: User
) -> StatementImport:
    """Read the waiting file with the columns the person chose, remember them for this
    layout, and import it (StatementError naming row and column if it still cannot be read)."""
    row = waiting_import(account, import_id)
    data = storage.current().get(row.storage_key)
    statement = read_statement(data, columns=columns, account_number=account.account_number)
    _new_lines(account, statement)  # refuse lines all imported before, before any change
    remember_layout(actor, row.layout_key, columns)
    move_import(row, ImportStatus.IMPORTED)
    _save_lines(row, account, statement, actor)
    return row


def remember_layout(actor: User, layout_key: str | None, columns: Columns) -> None:
    """Keep the columns `actor` chose for this layout, for their next file like it."""
    layout = db.session.execute(
        select(StatementLayout).where(
            StatementLayout.user_id == actor.id, StatementLayout.layout_key == layout_key
        )
    ).scalar()
    if layout is None:
        layout = StatementLayout(user_id=actor.id, layout_key=layout_key)
        db.session.add(layout)
    layout.columns_json = columns.to_json()


def correct_lines(
    account: Account, period: ReturnPeriod, chosen: dict[int, str], *, actor: User
) -> int:
    """Save the categories the person chose (remembered for lines like each one); the number
    changed. RuleError for a category that turns money in into spending (or back)."""
    changes = []
    for line in statement_figures.period_lines(account.id, period):
        category = Category(chosen.get(line.id, line.category))
        if category.value != line.category:
            check_choice(category, line.money())  # all checked before any is changed
            changes.append((line, category))
    for line, category in changes:
        before = line.category
        line.category, line.reason = category.value, "You chose this"
        line.payment_id = line.payment_id if category == Category.COUNCIL_PAYMENT else None
        _remember(account, line.description, category, actor)
        audit.record(
            actor,
            "statement.line_corrected",
            line,
            account_id=account.id,
            summary=f"{line.description} on {line.line_date:%d %B %Y}: {category.label}",
            before={"category": before},
            after={"category": category.value},
        )
    return len(changes)


def _remember(account: Account, description: str, category: Category, actor: User) -> None:
    key = description_key(description)
    choice = db.session.execute(
        select(StatementChoice).where(
            StatementChoice.account_id == account.id, StatementChoice.description_key == key
        )
    ).scalar()
    if choice is None:
        choice = StatementChoice(account_id=account.id, description_key=key)
        db.session.add(choice)
    choice.category, choice.chosen_by_id = category.value, actor.id


def fill_return(account: Account, period: ReturnPeriod, *, actor: User) -> MonitoringReturn:
    """Put the period's lines, added up by category, into the return's draft; the closing
    balance follows from them, and the bank balance is the statement's where it shows one."""
    found = statement_figures.figures(account.id, period)
    if found is None:
        raise RuleError("There are no statement lines for this period yet: import a statement")
    draft = drafts.draft_for(account, period)
    values = statement_figures.return_values(found, from_pence(draft.opening_pence))
    drafts.save_draft(draft, values, draft.explanation, actor=actor)
    return draft


@dataclass(frozen=True)
class StatementPage:
    lines: list[StatementLine]
    can_fill: bool  # the return can still be changed
    total_in: Decimal
    total_out: Decimal


def statement_page(account: Account, period: ReturnPeriod) -> StatementPage:
    lines = statement_figures.period_lines(account.id, period)
    try:
        drafts.draft_for(account, period, create=False)
        can_fill = True
    except RuleError:
        can_fill = False
    money = [line.money() for line in lines]
    return StatementPage(
        lines,
        can_fill,
        sum((m for m in money if m > 0), ZERO),
        sum((-m for m in money if m < 0), ZERO),
    )


def columns_page(account: Account, import_id: int) -> NeedsColumns:
    """The question to ask about a waiting file: its first rows and how many columns."""
    row = waiting_import(account, import_id)
    try:
        read_statement(storage.current().get(row.storage_key))
    except NeedsColumns as asked:
        return asked
    raise RuleError("This statement's columns are known: import it again")  # pragma: no cover


def save_and_fill(
    account: Account, period: ReturnPeriod, chosen: dict[int, str], *, actor: User
) -> MonitoringReturn:
    """Save the person's categories, then fill the return from the lines."""
    correct_lines(account, period, chosen, actor=actor)
    db.session.flush()
    return fill_return(account, period, actor=actor)
