"""Importing the pooled client account's bank statement: the file checked and read by the
same parsers, column mapping and classification as a recipient's statement
(monitoring/statement_services.py, statements.py), council payments matched to the council's
committed payments, and each line assigned to a client (pooled_rules.py). Nothing is posted
here: staff check the lines, then post them (pooled_posting.py). Never commits.

Imported whole or not at all: a refusal saves nothing, not even the file. Lines imported
before (the same fingerprint in the organisation's statements) are passed over; a file with
no new line is refused, changing nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, or_, select

from ..accounts.models import Account
from ..core import audit, storage
from ..core.bank_statements import Columns, NeedsColumns, Statement, read_statement
from ..core.bulk import cycle_collector_paused, insert_tuples
from ..core.money import from_pence, to_pence
from ..core.permissions import Viewer
from ..core.uploads import STATEMENT, Checked, UploadError, check_upload, store
from ..extensions import db
from ..monitoring.statement_services import remember_layout, remembered_layouts
from ..monitoring.statements import (
    MATCH_DAYS_AFTER,
    MATCH_DAYS_BEFORE,
    Category,
    CouncilPayment,
    ImportStatus,
    classify,
    description_key,
    fingerprints,
    move_import,
    pence,
)
from ..third_party.models import Mandate, Organisation
from ..third_party.money_statement_models import (
    PooledStatement,
    PooledStatementChoice,
    PooledStatementLine,
)
from . import pooled_rules, scope
from .reconciliation import council_payments

# A month of a pooled account for a thousand clients is about 100,000 lines (a personal
# account's statement is refused above core/bank_statements.MAX_LINES).
POOLED_MAX_LINES = 120_000


def managed_query(org_id: int, first: date, last: date) -> Select:
    """SQL: (account id, reference) of each person whose money the organisation managed on
    any day from `first` to `last`."""
    return (
        select(Account.id, Account.reference)
        .join(Mandate, Mandate.account_id == Account.id)
        .where(
            Mandate.organisation_id == org_id,
            Mandate.scope == "manage_money",
            Mandate.withdrawn_at.is_(None),
            Mandate.starts_on <= last,
            or_(Mandate.ends_on.is_(None), Mandate.ends_on >= first),
        )
    )


def managed_ids(org_id: int, first: date, last: date) -> Select:
    """SQL: the account ids of managed_query."""
    return managed_query(org_id, first, last).with_only_columns(Account.id)


def managed_clients(org_id: int, first: date, last: date) -> dict[int, str]:
    """account id -> reference, for each person whose money the organisation managed on
    any day from `first` to `last`."""
    return dict(db.session.execute(managed_query(org_id, first, last)).all())


def _payments(org_id: int, first: date, last: date) -> tuple[list[CouncilPayment], dict]:
    """The council's payments into the pooled account a line could be, not matched yet, and
    each one's account."""
    paid = council_payments(
        org_id, first - timedelta(days=MATCH_DAYS_AFTER), last + timedelta(days=MATCH_DAYS_BEFORE)
    ).subquery()
    rows = db.session.execute(
        select(
            paid.c.id, paid.c.account_id, paid.c.amount_pence, paid.c.pay_date, Account.reference
        )
        .join(Account, Account.id == paid.c.account_id)
        .outerjoin(PooledStatementLine, PooledStatementLine.payment_id == paid.c.id)
        .where(PooledStatementLine.id.is_(None))
        .order_by(paid.c.pay_date, paid.c.id)
    ).all()
    payments = [CouncilPayment(i, day, from_pence(p), ref) for i, _, p, day, ref in rows]
    return payments, {row[0]: row[1] for row in rows}


def _choices(org_id: int) -> tuple[dict[str, Category], dict[str, int]]:
    rows = db.session.execute(
        select(
            PooledStatementChoice.description_key,
            PooledStatementChoice.category,
            PooledStatementChoice.account_id,
        ).where(PooledStatementChoice.organisation_id == org_id)
    ).all()
    categories = {key: Category(category) for key, category, _ in rows if category}
    return categories, {key: account for key, _, account in rows if account}


def _fresh(org_id: int, statement: Statement) -> tuple[list, int]:
    """(line, fingerprint) for each line not imported before, and how many were. A
        fingerprint holds the line's day (statements.fingerprints) and a saved line is dated that
        day, so only the organisation's lines saved for the statement's days can share one: they
        are read through the (organisation, day) index instead of each fingerprint being looked
    up."""
    prints = fingerprints(statement.lines)
    known: set[str] = set()
    if statement.lines:
        days = [line.day for line in statement.lines]
        known.update(
            db.session.execute(
                select(PooledStatementLine.fingerprint).where(
                    PooledStatementLine.organisation_id == org_id,
                    PooledStatementLine.line_date.between(min(days), max(days)),
                )
            ).scalars()
        )
    fresh = [(line, p) for line, p in zip(statement.lines, prints, strict=True) if p not in known]
    if not fresh:
        raise UploadError(
            f"Every line in this statement ({len(prints)}) has been imported before, so "
            "nothing has changed"
        )
    return fresh, len(prints) - len(fresh)


# The saved lines' columns, in the order _rows gives each line's values.
COLUMNS = (
    "statement_id",
    "organisation_id",
    "row_number",
    "line_date",
    "description",
    "amount_pence",
    "balance_pence",
    "fingerprint",
    "category",
    "reason",
    "payment_id",
    "account_id",
    "assigned_reason",
)
_ACCOUNT = COLUMNS.index("account_id")
_TEXT = {category: category.value for category in Category}  # an enum's .value is Python code


def _rows(row: PooledStatement, fresh: list) -> list[tuple]:
    """The new lines of money (not those of £0.00) classified, matched and assigned, as
    rows to insert."""
    lines = [line for line, _ in fresh]
    first, last = min(line.day for line in lines), max(line.day for line in lines)
    payments, paid_to = _payments(row.organisation_id, first, last)
    categories, clients = _choices(row.organisation_id)
    names = managed_clients(row.organisation_id, first, last)
    references = pooled_rules.ReferenceFinder(
        {pooled_rules.squash(ref): account for account, ref in names.items()}
    )
    assigner = pooled_rules.Assigner(
        paid_to,
        references,
        lambda description: clients.get(description_key(description)) if clients else None,
        names,
    )
    statement_id, org_id = row.id, row.organisation_id  # read once, not per line
    result = []
    for classified, (line, fingerprint) in zip(
        classify(lines, payments, categories, ""), fresh, strict=True
    ):
        if (amount := pence(line.amount)) == 0:
            continue
        assigned = assigner(classified)
        result.append(
            (
                statement_id,
                org_id,
                line.row,
                line.day,
                line.description[:300],
                amount,
                None if line.balance is None else to_pence(line.balance),
                fingerprint,
                _TEXT[classified.category],
                classified.reason[:200],
                classified.payment_id,
                assigned.account_id,
                assigned.reason[:200],
            )
        )
    return result


def _save_lines(row: PooledStatement, statement: Statement, fresh: list, duplicates: int, actor):
    rows = _rows(row, fresh)
    insert_tuples(db.session, PooledStatementLine.__table__, COLUMNS, rows)
    row.line_count, row.duplicate_count = len(rows), duplicates
    if statement.closing_balance is not None:
        row.closing_balance_pence = to_pence(statement.closing_balance)
    assigned = sum(1 for r in rows if r[_ACCOUNT] is not None)
    audit.record(
        actor,
        "pooled_statement.imported",
        row,
        summary=f"Pooled account statement {row.original_name} imported: {len(rows)} new "
        f"lines, {assigned} assigned to a client"
        + (f", {duplicates} already imported" if duplicates else ""),
        after={"lines": len(rows), "assigned": assigned, "duplicates": duplicates},
    )


@dataclass(frozen=True)
class Imported:
    row: PooledStatement
    needs_columns: NeedsColumns | None = None


def _abandon_waiting(org_id: int) -> None:
    for waiting in db.session.execute(
        select(PooledStatement).where(
            PooledStatement.organisation_id == org_id,
            PooledStatement.status == ImportStatus.AWAITING_COLUMNS,
        )
    ).scalars():
        move_import(waiting, ImportStatus.ABANDONED)


@cycle_collector_paused()  # 100,000 lines' objects live until it ends (core/bulk.py)
def import_statement(viewer: Viewer, *, data: bytes, filename: str) -> Imported:
    """Check, read, classify, match and assign a statement of the pooled account; or ask for
    its columns (the file is kept until they are chosen); or raise UploadError (a
    StatementError names the row and column), saving nothing."""
    org = db.session.get(Organisation, scope.own_organisation(viewer))
    checked = check_upload(data, filename, STATEMENT)
    try:
        statement = read_statement(
            data,
            remembered=remembered_layouts(viewer.user),
            account_number=org.pooled_account_number,
            max_lines=POOLED_MAX_LINES,
        )
    except NeedsColumns as asked:
        _abandon_waiting(org.id)
        row = _record(org.id, data, checked, viewer, ImportStatus.AWAITING_COLUMNS)
        row.layout_key = asked.layout_key
        return Imported(row, asked)
    fresh, duplicates = _fresh(org.id, statement)  # refuse a file of known lines first
    _abandon_waiting(org.id)
    row = _record(org.id, data, checked, viewer, ImportStatus.IMPORTED)
    row.layout_key = statement.layout_key
    _save_lines(row, statement, fresh, duplicates, viewer.user)
    return Imported(row)


def _record(org_id, data: bytes, checked: Checked, viewer, status) -> PooledStatement:
    stored = store(data, PooledStatement.STORAGE_AREA, checked.kind)
    row = PooledStatement(
        organisation_id=org_id,
        status=status.value,
        source="OFX" if checked.kind.key == "ofx" else "CSV",
        original_name=checked.name,
        stored_name=stored.stored_name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=stored.size,
        imported_by_id=viewer.user.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def columns_question(viewer: Viewer, statement_id: int) -> NeedsColumns:
    """What to ask about a waiting file: its first rows and how many columns."""
    row = scope.load_pooled_statement(viewer, statement_id, waiting=True)
    try:
        read_statement(storage.current().get(row.storage_key), max_lines=POOLED_MAX_LINES)
    except NeedsColumns as asked:
        return asked
    raise UploadError("This statement's columns are known: import it again")  # pragma: no cover


@cycle_collector_paused()
def choose_columns(viewer: Viewer, statement_id: int, columns: Columns) -> PooledStatement:
    """Read the waiting file with the columns chosen, remember them, and import it."""
    row = scope.load_pooled_statement(viewer, statement_id, waiting=True)
    org = db.session.get(Organisation, row.organisation_id)
    data = storage.current().get(row.storage_key)
    statement = read_statement(
        data,
        columns=columns,
        account_number=org.pooled_account_number,
        max_lines=POOLED_MAX_LINES,
    )
    fresh, duplicates = _fresh(org.id, statement)
    remember_layout(viewer.user, row.layout_key, columns)
    move_import(row, ImportStatus.IMPORTED)
    _save_lines(row, statement, fresh, duplicates, viewer.user)
    return row


def statements(viewer: Viewer) -> list[PooledStatement]:
    """The organisation's imported statements, newest first."""
    return list(
        db.session.execute(
            select(PooledStatement)
            .where(
                PooledStatement.organisation_id == scope.own_organisation(viewer),
                PooledStatement.status == ImportStatus.IMPORTED,
            )
            .order_by(PooledStatement.id.desc())
        ).scalars()
    )
