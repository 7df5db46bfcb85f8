"""Lines imported before are found by reading the organisation's saved lines for the
statement's days (a fingerprint holds its line's day): the same lines are passed over as
when each fingerprint was looked up among all of the organisation's lines (the way it was
done until then, kept here as the reference), and the same lines are saved."""

from __future__ import annotations

from sqlalchemy import select

from dp_portal.client_money import pooled_import
from dp_portal.core.bank_statements import read_statement
from dp_portal.extensions import db
from dp_portal.monitoring.statements import fingerprints
from dp_portal.third_party.money_statement_models import PooledStatementLine as Line

OCTOBER = """Date,Description,Amount
01/10/2026,{a} CONTRIBUTION,50.00
02/10/2026,{a} J SMITH WAGES,-20.00
02/10/2026,{a} J SMITH WAGES,-20.00
05/10/2026,{a} HMRC PAYE,-10.00
"""
# Overlapping the first: two lines known; a third J SMITH line on 2 October (a new payment,
# not the same one again); the same HMRC line on another day; lines on days before and after.
LATER = """Date,Description,Amount
30/09/2026,{a} CONTRIBUTION,50.00
01/10/2026,{a} CONTRIBUTION,50.00
02/10/2026,{a} J SMITH WAGES,-20.00
02/10/2026,{a} J SMITH WAGES,-20.00
02/10/2026,{a} J SMITH WAGES,-20.00
06/10/2026,{a} HMRC PAYE,-10.00
07/11/2026,{a} HMRC PAYE,-10.00
"""


def _known_by_each_fingerprint(org_id: int, data: bytes) -> list[str]:
    """The reference: the statement's fingerprints not among any of the organisation's."""
    prints = fingerprints(read_statement(data).lines)
    known = set(
        db.session.execute(
            select(Line.fingerprint).where(
                Line.organisation_id == org_id, Line.fingerprint.in_(prints)
            )
        ).scalars()
    )
    return [p for p in prints if p not in known]


def test_lines_imported_before_are_passed_over_as_when_each_was_looked_up(office, own_storage):
    def data(text: str) -> bytes:
        return text.format(a=office.account.reference).encode()

    first = pooled_import.import_statement(
        office.viewer(), data=data(OCTOBER), filename="october.csv"
    )
    db.session.flush()
    expected = _known_by_each_fingerprint(office.org.id, data(LATER))
    later = pooled_import.import_statement(office.viewer(), data=data(LATER), filename="later.csv")
    db.session.flush()
    saved = db.session.execute(
        select(Line.fingerprint, Line.row_number)
        .where(Line.statement_id == later.row.id)
        .order_by(Line.row_number)
    ).all()
    assert [fingerprint for fingerprint, _ in saved] == expected
    assert [row for _, row in saved] == [2, 6, 7, 8]
    assert (later.row.line_count, later.row.duplicate_count) == (4, 3)
    assert first.row.line_count == 4


def test_each_line_is_assigned_as_assign_alone_assigns_it():
    """pooled_rules.Assigner (each category and description worked out once) against
    pooled_rules.assign for every line: council payments, references, remembered choices,
    charges and lines that repeat."""
    from datetime import date
    from decimal import Decimal

    from dp_portal.client_money import pooled_rules
    from dp_portal.core.bank_statements import Line as BankLine
    from dp_portal.monitoring.statements import Category, Classified

    names = {1: "DP1", 2: "DP2"}
    references = pooled_rules.ReferenceFinder({"DP1": 1, "DP2": 2})
    remembered = {"A JONES WAGES": 2}.get
    paid_to = {70: 1}
    lines = [
        ("COUNCIL DP1", "120", Category.COUNCIL_PAYMENT, 70),
        ("COUNCIL DP1", "120", Category.COUNCIL_PAYMENT, None),  # not in the council's records
        ("DP2 WAGES", "-20", Category.PA_WAGES, None),
        ("DP2 WAGES", "-20", Category.PA_WAGES, None),
        ("DP2 WAGES", "-20", Category.OTHER_AGREED, None),  # the same words, another category
        ("A JONES WAGES", "-5", Category.PA_WAGES, None),
        ("A JONES WAGES", "-5", Category.BANK_CHARGES, None),
        ("SUNDRY", "-1", Category.OTHER_AGREED, None),
        ("DP1 DP2 SHARED", "-1", Category.OTHER_AGREED, None),
    ]
    assigner = pooled_rules.Assigner(paid_to, references, remembered, names)
    for row, (text, amount, category, payment) in enumerate(lines, 2):
        line = BankLine(row, date(2026, 10, 1), text, Decimal(amount))
        classified = Classified(line, category, "why", payment)
        expected = pooled_rules.assign(
            classified,
            payment_account=paid_to.get(payment),
            references=references,
            remembered=remembered(text),
            names=names,
        )
        assert assigner(classified) == expected, text
