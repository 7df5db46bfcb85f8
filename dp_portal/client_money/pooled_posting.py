"""Checking an imported pooled statement's lines and posting them to the clients'
sub-ledgers. Staff correct a line's category or client (remembered for lines like it, as a
recipient's category corrections are); then the lines given a client post together, all or
none (batch.post_selected, straight from the saved statement rows: the database works out
each line's kind, sign and running balance): a line that would take its client below zero
refuses the whole statement, naming the row. Lines with no client stay on the statement.
Never commits.

A line is posted when a sub-ledger line names it (ClientPosting.statement_line_id), or, for
a council payment already posted when its run committed, when the payment is in a
sub-ledger: posting again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Subquery, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from ..core import audit
from ..core.errors import RuleError
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
from . import batch, pooled_rules, scope
from .pooled_import import managed_clients, managed_ids

PER_PAGE = 100
Line = PooledStatementLine
# A line's sub-ledger kind (NULL for bank charges: never posted) and its pence signed as that
# kind moves money (ledger.signed_pence), worked out by the database for each line posted.
_KIND = case(
    {category.value: kind.value for category, kind in pooled_rules.KIND_OF.items()},
    value=Line.category,
)
_POSTABLE = frozenset(category.value for category in pooled_rules.KIND_OF)
_SIGNED = case(
    (
        Line.category.in_([c.value for c, k in pooled_rules.KIND_OF.items() if k.money_in]),
        func.abs(Line.amount_pence),
    ),
    else_=-func.abs(Line.amount_pence),
)


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


def _waiting(statement_id: int) -> Subquery:
    """SQL: the statement's lines given a client and not yet in a sub-ledger, as sub-ledger
    lines (batch.post_selected's columns, and the line's row and amount as on the
    statement, for _order)."""
    by_line, by_payment = aliased(ClientPosting), aliased(ClientPosting)
    return (
        select(
            Line.id.label("statement_line_id"),
            Line.row_number,
            Line.category,
            Line.account_id,
            Line.line_date.label("entry_date"),
            _KIND.label("kind"),
            _SIGNED.label("amount_pence"),
            Line.amount_pence.label("line_pence"),
            Line.description,
            Line.payment_id,
        )
        # Anti-joins on the two unique indexes: the lines no sub-ledger line holds yet.
        .outerjoin(by_line, by_line.statement_line_id == Line.id)
        .outerjoin(by_payment, by_payment.payment_id == Line.payment_id)
        .where(
            Line.statement_id == statement_id,
            Line.account_id.is_not(None),
            by_line.id.is_(None),
            by_payment.id.is_(None),
        )
        .subquery("waiting")
    )


def _order(c) -> list:
    """Day by day, money in before money out: the bank's order within a day is its own."""
    return [c.entry_date, c.line_pence.desc(), c.row_number, c.statement_line_id]


def _check_postable(org_id: int, lines: Subquery) -> None:
    """Refuse, naming its row, the first line (in posting order) for a person the
    organisation did not manage in the statement's days, or of a category that cannot be
    posted. One pass over the lines by person and category; the row is looked for only when
    there is one."""
    council = Category.COUNCIL_PAYMENT.value
    groups = db.session.execute(
        select(
            lines.c.account_id,
            lines.c.category,
            lines.c.payment_id.is_(None),
            func.min(lines.c.entry_date),
            func.max(lines.c.entry_date),
        ).group_by(lines.c.account_id, lines.c.category, lines.c.payment_id.is_(None))
    ).all()
    if not groups:
        raise RuleError(
            "Every line with a client has been posted: choose a client for a line first"
        )
    first, last = min(g[3] for g in groups), max(g[4] for g in groups)
    managed = managed_clients(org_id, first, last)
    if all(
        account in managed and category in _POSTABLE and not (category == council and unpaid)
        for account, category, unpaid, *_ in groups
    ):
        return
    unmanaged = lines.c.account_id.not_in(managed_ids(org_id, first, last))
    bad = db.session.execute(
        select(lines.c.row_number, lines.c.category, lines.c.payment_id, unmanaged)
        .where(
            or_(
                unmanaged,
                lines.c.kind.is_(None),
                and_(lines.c.category == council, lines.c.payment_id.is_(None)),
            )
        )
        .order_by(*_order(lines.c))
        .limit(1)
    ).first()
    if bad is None:  # put right meanwhile by someone else: post_selected sees what is there now
        return
    row_number, category, payment_id, not_managed = bad
    if not_managed:
        raise RuleError(
            f"Row {row_number} of the statement: your organisation does not manage this "
            "person's money"
        )
    pooled_rules.check_assignable(Category(category), payment_id, row_number)


def _label(line) -> str:
    return f"Row {line.row_number} of the statement"


def post_statement(viewer: Viewer, statement_id: int) -> int:
    """Post every line given a client and not yet posted, all or none. Returns how many."""
    row = scope.load_pooled_statement(viewer, statement_id)
    lines = _waiting(row.id)
    _check_postable(row.organisation_id, lines)
    count = batch.post_selected(
        row.organisation_id,
        lines,
        order=_order,
        actor=viewer.user,
        what=f"statement {row.original_name}",
        label=_label,
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
