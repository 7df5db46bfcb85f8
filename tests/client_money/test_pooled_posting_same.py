"""Posting a pooled statement straight from its saved lines (the database works out each
line's kind, sign and running balance: pooled_posting.post_statement through
batch.post_selected) gives exactly what posting the same lines one by one through
batch.post_batch gave (the way it was done until then, kept here as the reference): the
same sub-ledger lines in the same order, the same balances to the penny, and the same
refusal, word for word, when a line cannot be posted."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from dp_portal.client_money import batch, ledger, pooled_import, pooled_posting, pooled_rules
from dp_portal.client_money.pooled_import import managed_clients
from dp_portal.core.errors import RuleError
from dp_portal.core.money import from_pence
from dp_portal.extensions import db
from dp_portal.monitoring.statements import Category
from dp_portal.third_party.money_models import ClientBalance, ClientPosting
from dp_portal.third_party.money_statement_models import PooledStatementLine as Line

from .conftest import committed_payment

LONG = "CARE AGENCY INVOICE " + "X" * 230  # a sub-ledger line keeps its first 200 characters
# Two clients ({a} and {b}); one day with money in and out in the bank's own order; lines
# with no client (stay on the statement), a bank charge, a council payment.
CSV = """Date,Description,Amount
01/10/2026,BRAMBLE COUNCIL DIRECT PAYMENT {a},1234.56
01/10/2026,{b} CONTRIBUTION,300.01
02/10/2026,{a} J SMITH WAGES,-400.00
02/10/2026,{b} WAGES,-120.10
02/10/2026,{b} REFUND,20.00
02/10/2026,{b} HMRC PAYE,-199.90
03/10/2026,{a} NEST PENSION,-12.34
03/10/2026,{a} NEST PENSION,-12.34
04/10/2026,{a} {long},-0.01
05/10/2026,A JONES WAGES,-80.00
06/10/2026,MONTHLY ACCOUNT CHARGES,-5.00
07/10/2026,{b} CARE AGENCY INV,-0.01
"""


@pytest.fixture
def statement(office, factory, own_storage):
    """The office's two clients, the council's payment for the first, and the statement."""
    other = factory.account()
    factory.mandate(other, office.org, scope="manage_money")
    committed_payment(db.session, office.account, date(2026, 10, 1), 123456, office.checker)
    text = CSV.format(a=office.account.reference, b=other.reference, long=LONG)
    done = pooled_import.import_statement(
        office.viewer(), data=text.encode(), filename="pooled.csv"
    )
    db.session.flush()
    return done.row.id


def _posted_one_by_one(viewer, statement_id: int) -> int:
    """The reference: post_statement as it was before (main at 74f9897), each line read and
    made a batch.Line, then posted through batch.post_batch."""
    row = db.session.get(pooled_posting.PooledStatement, statement_id)
    posted = pooled_posting.posted()
    lines = db.session.execute(
        select(Line)
        .where(Line.statement_id == statement_id, Line.account_id.is_not(None), ~posted)
        .order_by(Line.line_date, Line.amount_pence.desc(), Line.row_number)
    ).scalars()
    lines = list(lines)
    if not lines:
        raise RuleError("Every line with a client has been posted")
    managed = managed_clients(row.organisation_id, lines[0].line_date, lines[-1].line_date)
    made = []
    for line in lines:
        label = f"Row {line.row_number} of the statement"
        if line.account_id not in managed:
            raise RuleError(f"{label}: your organisation does not manage this person's money")
        category = Category(line.category)
        kind = pooled_rules.KIND_OF.get(category)
        if kind is None or (category is Category.COUNCIL_PAYMENT and line.payment_id is None):
            pooled_rules.check_assignable(category, line.payment_id, line.row_number)
        entry = ledger.Entry(
            kind, from_pence(abs(line.amount_pence)), line.line_date, line.description
        )
        made.append(batch.Line(line.account_id, entry, line.payment_id, line.id, label))
    return batch.post_batch(row.organisation_id, made, actor=viewer.user, what="reference")


def _outcome(post) -> tuple:
    """What posting did (how many, or the refusal), the sub-ledger lines in the order
    written, and every balance; then undone, so the other way starts from the same place."""
    savepoint = db.session.begin_nested()
    try:
        did = ("posted", post())
    except RuleError as refused:
        did = ("refused", str(refused))
    db.session.flush()
    lines = db.session.execute(
        select(  # (not the balance row's id: PostgreSQL's sequences go on after a rollback)
            ClientPosting.account_id,
            ClientPosting.entry_date,
            ClientPosting.kind,
            ClientPosting.amount_pence,
            ClientPosting.balance_after_pence,
            ClientPosting.description,
            ClientPosting.payment_id,
            ClientPosting.statement_line_id,
            ClientPosting.created_by_id,
        ).order_by(ClientPosting.id)
    ).all()
    balances = db.session.execute(
        select(ClientBalance.account_id, ClientBalance.balance_pence).order_by(ClientBalance.id)
    ).all()
    savepoint.rollback()
    db.session.expire_all()
    return did, lines, balances


def _both(office, statement_id: int) -> tuple[tuple, tuple]:
    viewer = office.viewer()
    before = _outcome(lambda: _posted_one_by_one(viewer, statement_id))
    after = _outcome(lambda: pooled_posting.post_statement(viewer, statement_id))
    return before, after


def test_posting_from_the_saved_lines_gives_the_same_sub_ledgers_as_line_by_line(office, statement):
    before, after = _both(office, statement)
    assert after == before
    did, lines, balances = after
    assert did == ("posted", 9)  # the council payment was posted by its run
    assert len(lines) == 10 and lines[-2].description == f"{office.account.reference} {LONG}"[:200]
    # The second client's money is spent to the penny: £0.00 is not below zero.
    assert dict(balances) == {office.account.id: 123456 - 40000 - 2 * 1234 - 1, lines[1][0]: 0}


def test_a_line_below_zero_is_refused_the_same_way_naming_the_same_row(office, statement):
    db.session.execute(  # the second client's contribution was £3.00, not £300.01
        Line.__table__.update()
        .where(Line.statement_id == statement, Line.row_number == 3)
        .values(amount_pence=300)
    )
    wages = db.session.execute(
        select(Line.description).where(Line.statement_id == statement, Line.row_number == 5)
    ).scalar_one()
    before, after = _both(office, statement)
    assert after == before
    assert after[0] == (  # money in before money out on 2 October: £3.00 + £20.00 - £120.10
        "refused",
        f"Row 5 of the statement ({wages}) would take the balance below zero by £97.10: "
        "nothing was posted",
    )
    assert len(after[1]) == 1  # only the council payment, posted by its run


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"category": "bank_charges"}, "Row 8: Bank charges and fees stay on the statement"),
        ({"category": "council_payment"}, "Row 8: A council payment the council's records"),
        ({"account_id": "stranger"}, "Row 8 of the statement: your organisation does not"),
    ],
)
def test_a_line_that_cannot_be_posted_is_refused_the_same_way(
    office, statement, factory, change, refusal
):
    if change.get("account_id") == "stranger":
        change = {"account_id": factory.account().id}
    db.session.execute(
        Line.__table__.update()
        .where(Line.statement_id == statement, Line.row_number.in_([8, 12]))
        .values(**change)
    )
    before, after = _both(office, statement)
    assert after == before
    assert after[0][0] == "refused" and after[0][1].startswith(refusal)


def test_lines_already_posted_are_passed_over_the_same_way(office, statement):
    pooled_posting.post_statement(office.viewer(), statement)
    jones = db.session.execute(
        select(Line).where(Line.statement_id == statement, Line.row_number == 11)
    ).scalar_one()
    jones.account_id = office.account.id
    db.session.flush()
    before, after = _both(office, statement)
    assert after == before and after[0] == ("posted", 1)
    assert db.session.execute(select(func.count(ClientPosting.id))).scalar_one() == 10
