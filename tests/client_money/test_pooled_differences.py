"""The month's reconciliation lists its differences from the statement by itself: lines not
in any sub-ledger, sub-ledger lines not on the statement, council payments not yet received;
each needs an explanation before sign-off, and one that clears drops off the list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dp_portal.client_money import pooled_import, pooled_posting, reconcile
from dp_portal.core.errors import RuleError
from dp_portal.third_party.money_models import PostingKind

from .conftest import committed_payment, put

CSV = """Date,Description,Amount
01/10/2026,BRAMBLE COUNCIL DIRECT PAYMENT {ref},1234.56
02/10/2026,{ref} CONTRIBUTION,50.00
05/10/2026,J SMITH WAGES {ref},-400.00
06/10/2026,A JONES WAGES,-80.00
07/10/2026,MONTHLY ACCOUNT CHARGES,-5.00
"""


@pytest.fixture
def october(office, db_session):
    """October: the statement imported and posted; £10 entered by hand and a second council
    payment that the statement does not show; two lines left with no client."""
    committed_payment(db_session, office.account, date(2026, 10, 1), 123456, office.checker)
    data = CSV.format(ref=office.account.reference).encode()
    done = pooled_import.import_statement(office.viewer(), data=data, filename="oct.csv")
    pooled_posting.post_statement(office.viewer(), done.row.id)
    put(office, PostingKind.CONTRIBUTION, "10.00", date(2026, 10, 15))
    committed_payment(db_session, office.account, date(2026, 10, 20), 10000, office.checker)
    rec = reconcile.start_month(office.viewer(), "2026-10-01")
    reconcile.enter_closing(office.viewer(), rec, Decimal("799.56"))  # the statement's sum
    return rec, done.row


def _listed(office, rec) -> list[tuple[str, Decimal]]:
    page = reconcile.month_page(office.viewer(), rec)
    return sorted((item.kind, item.amount) for item in page.differences.items)


def test_every_difference_is_listed_from_the_statement_and_explains_the_gap(office, october):
    rec, _ = october
    assert _listed(office, rec) == [
        ("council_payment_not_received", Decimal("-100.00")),
        ("posting_not_on_statement", Decimal("-10.00")),
        ("statement_line_not_in_ledger", Decimal("-80.00")),
        ("statement_line_not_in_ledger", Decimal("-5.00")),
    ]
    page = reconcile.month_page(office.viewer(), rec)
    assert page.figures.unexplained == 0  # 799.56 on the statement, 994.56 in the ledgers
    assert "Explain every difference" in page.problems


def test_each_listed_difference_needs_an_explanation_before_sign_off(office, october):
    rec, _ = october
    with pytest.raises(RuleError, match="Explain every difference"):
        reconcile.send_for_sign_off(office.viewer(), rec)
    for item in reconcile.month_page(office.viewer(), rec).differences.items:
        reconcile.explain(office.viewer(), rec, item.id, "Checked with the bank")
    reconcile.send_for_sign_off(office.viewer(), rec)
    reconcile.sign_off(office.viewer(office.checker), rec)
    assert rec.status == "signed_off"


def test_a_line_given_a_client_and_posted_drops_off_the_list(office, october):
    rec, statement = october
    jones = next(
        line
        for line in pooled_posting.review_page(office.viewer(), statement.id, 1).lines.items
        if line.row_number == 5
    )
    pooled_posting.check_and_post(
        office.viewer(),
        statement.id,
        {jones.id: ("pa_wages", office.account.reference)},
        post=True,
    )
    kinds = [kind for kind, _ in _listed(office, rec)]
    assert kinds.count("statement_line_not_in_ledger") == 1
