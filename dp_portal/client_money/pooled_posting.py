"""Checking an imported pooled statement's lines and posting them to the clients'
sub-ledgers. Staff correct a line's category or client (remembered for lines like it, as a
recipient's category corrections are); then the lines given a client post together through
batch.post_batch, all or none: a line that would take its client below zero refuses the
whole statement, naming the row. Lines with no client stay on the statement. Never commits.

A line is posted when a sub-ledger line names it (ClientPosting.statement_line_id), or, for
a council payment already posted when its run committed, when the payment is in a
sub-ledger: posting again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from ..core import audit
from ..core.errors import RuleError
from ..core.money import from_pence
from ..core.pagination import BoundedPage, bounded_page
from ..core.permissions import Viewer
from ..extensions import db
from ..monitoring.statements import Category, check_choice, description_key
from ..third_party.money_models import ClientPosting
from ..third_party.money_statement_models import (
    PooledStatement,
    PooledStatementChoice,
    PooledStatementLine,
)
from . import batch, ledger, pooled_rules, scope
from .pooled_import import managed_clients

PER_PAGE = 100
Line = PooledStatementLine
# A statement's category and sub-ledger kind by the category's text, and pounds by pence:
# dict look-ups for each of 100,000 lines (an enum's hash is Python code).
_KIND = {category.value: (category, pooled_rules.KIND_OF.get(category)) for category in Category}
_pounds = lru_cache(maxsize=8192)(from_pence)


def posted() -> ColumnElement[bool]:
    """SQL: the pooled statement line is in a sub-ledger."""
    return or_(
        exists().where(ClientPosting.statement_line_id == Line.id),
        and_(
            Line.payment_id.is_not(None),
            exists().where(ClientPosting.payment_id == Line.payment_id),
        ),
    )


@dataclass(frozen=True)
class ReviewPage:
    statement: PooledStatement
    lines: BoundedPage
    posted: set[int]  # the page's lines already in a sub-ledger
    names: dict[int, str]  # account id -> reference
    waiting: int  # lines given a client, not yet posted (the whole statement)
    unassigned: int  # lines with no client (the whole statement)


def _count(statement_id: int, *conditions) -> int:
    return db.session.execute(
        select(func.count()).where(Line.statement_id == statement_id, *conditions)
    ).scalar_one()


def _names(row: PooledStatement) -> dict[int, str]:
    first, last = db.session.execute(
        select(func.min(Line.line_date), func.max(Line.line_date)).where(
            Line.statement_id == row.id
        )
    ).one()
    return managed_clients(row.organisation_id, first, last) if first else {}


def review_page(viewer: Viewer, statement_id: int, page: int) -> ReviewPage:
    row = scope.load_pooled_statement(viewer, statement_id)
    lines = bounded_page(
        select(Line).where(Line.statement_id == row.id).order_by(Line.row_number, Line.id),
        page,
        per_page=PER_PAGE,
        cap=1_000_000,
    )
    ids = [line.id for line in lines.items]
    done = set(db.session.execute(select(Line.id).where(Line.id.in_(ids), posted())).scalars())
    return ReviewPage(
        statement=row,
        lines=lines,
        posted=done,
        names=_names(row),
        waiting=_count(row.id, Line.account_id.is_not(None), ~posted()),
        unassigned=_count(row.id, Line.account_id.is_(None)),
    )


def _remember(org_id: int, description: str, user, **chosen) -> None:
    key = description_key(description)
    choice = db.session.execute(
        select(PooledStatementChoice).where(
            PooledStatementChoice.organisation_id == org_id,
            PooledStatementChoice.description_key == key,
        )
    ).scalar()
    if choice is None:
        choice = PooledStatementChoice(organisation_id=org_id, description_key=key)
        db.session.add(choice)
    for name, value in chosen.items():
        setattr(choice, name, value)
    choice.chosen_by_id = user.id


def _change(line: Line, category: Category, account_id: int | None, names) -> tuple | None:
    """The change staff asked for on one line, checked (RuleError naming the row)."""
    if category.value == line.category and account_id == line.account_id:
        return None
    row = f"Row {line.row_number}"
    if category.value != line.category:
        try:
            check_choice(category, line.money())
        except RuleError as exc:
            raise RuleError(f"{row}: {exc}") from exc
    payment_id = line.payment_id if category == Category.COUNCIL_PAYMENT else None
    if line.payment_id is not None and payment_id is not None and account_id != line.account_id:
        raise RuleError(
            f"{row} is the council's payment for {names.get(line.account_id, 'a client')}: "
            "it belongs to their sub-ledger"
        )
    if account_id is not None:
        pooled_rules.check_assignable(category, payment_id, line.row_number)
    return line, category, account_id, payment_id


def save_choices(viewer: Viewer, statement_id: int, chosen: dict[int, tuple[str, str]]) -> int:
    """Save the categories and clients staff chose for lines not yet posted, every one
    checked before any is changed; each remembered for lines like it. Returns how many
    lines changed."""
    row = scope.load_pooled_statement(viewer, statement_id)
    names = _names(row)
    by_reference = {pooled_rules.squash(ref): account for account, ref in names.items()}
    lines = db.session.execute(
        select(Line).where(Line.statement_id == row.id, Line.id.in_(list(chosen)), ~posted())
    ).scalars()
    changes = []
    for line in lines:
        category_text, reference = chosen[line.id]
        account_id = by_reference.get(pooled_rules.squash(reference)) if reference else None
        if reference and account_id is None:
            raise RuleError(
                f"Row {line.row_number}: none of your clients has the reference {reference}"
            )
        change = _change(line, Category(category_text), account_id, names)
        if change is not None:
            changes.append(change)
    for line, category, account_id, payment_id in changes:
        _apply(row, line, category, account_id, payment_id, viewer.user)
    return len(changes)


def _apply(row, line: Line, category: Category, account_id, payment_id, user) -> None:
    before = {"category": line.category, "account_id": line.account_id}
    if category.value != line.category:
        line.category, line.reason = category.value, "You chose this"
        _remember(row.organisation_id, line.description, user, category=category.value)
    if account_id != line.account_id:
        line.assigned_reason = (
            "You chose this client" if account_id else "You left it with no client"
        )
        _remember(row.organisation_id, line.description, user, account_id=account_id)
    line.account_id, line.payment_id = account_id, payment_id
    audit.record(
        user,
        "pooled_statement.line_corrected",
        line,
        account_id=account_id,
        summary=f"Row {line.row_number} ({line.description}): {category.label}",
        before=before,
        after={"category": category.value, "account_id": account_id},
    )


def _batch_line(line, managed: dict[int, str]) -> batch.Line:
    """One statement line (its columns) as a sub-ledger line, or RuleError naming its row."""
    row = f"Row {line.row_number} of the statement"
    if line.account_id not in managed:
        raise RuleError(f"{row}: your organisation does not manage this person's money")
    category, kind = _KIND[line.category]
    if kind is None or (category is Category.COUNCIL_PAYMENT and line.payment_id is None):
        pooled_rules.check_assignable(category, line.payment_id, line.row_number)  # refuses
    entry = ledger.Entry(kind, _pounds(abs(line.amount_pence)), line.line_date, line.description)
    return batch.Line(line.account_id, entry, line.payment_id, line.id, row)


def post_statement(viewer: Viewer, statement_id: int) -> int:
    """Post every line given a client and not yet posted, all or none. Returns how many."""
    row = scope.load_pooled_statement(viewer, statement_id)
    by_line, by_payment = aliased(ClientPosting), aliased(ClientPosting)
    lines = db.session.execute(
        select(
            Line.id,
            Line.row_number,
            Line.line_date,
            Line.description,
            Line.amount_pence,
            Line.category,
            Line.payment_id,
            Line.account_id,
        )
        # Anti-joins on the two unique indexes: the lines no sub-ledger line holds yet.
        .outerjoin(by_line, by_line.statement_line_id == Line.id)
        .outerjoin(by_payment, by_payment.payment_id == Line.payment_id)
        .where(
            Line.statement_id == row.id,
            Line.account_id.is_not(None),
            by_line.id.is_(None),
            by_payment.id.is_(None),
        )
        # Day by day, money in before money out: the bank's order within a day is its own.
        .order_by(Line.line_date, Line.amount_pence.desc(), Line.row_number)
    ).all()
    if not lines:
        raise RuleError(
            "Every line with a client has been posted: choose a client for a line first"
        )
    managed = managed_clients(row.organisation_id, lines[0].line_date, lines[-1].line_date)
    count = batch.post_batch(
        row.organisation_id,
        [_batch_line(line, managed) for line in lines],
        actor=viewer.user,
        what=f"statement {row.original_name}",
    )
    audit.record(
        viewer.user,
        "pooled_statement.posted",
        row,
        summary=f"{count} lines of {row.original_name} posted to the clients' sub-ledgers",
        after={"posted": count},
    )
    return count


def check_and_post(
    viewer: Viewer, statement_id: int, chosen: dict[int, tuple[str, str]], *, post: bool
) -> int:
    """Save staff's choices; then, if asked, post the lines. Returns lines changed, or
    posted. A refusal of either changes nothing: both run in a savepoint, undone whole
    when either refuses (the refusal is shown on a page that still commits)."""
    with db.session.begin_nested():
        changed = save_choices(viewer, statement_id, chosen)
        if not post:
            return changed
        db.session.flush()
        return post_statement(viewer, statement_id)
