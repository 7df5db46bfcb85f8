"""A month with thousands of differences (an organisation paid for thousands of clients, each
council payment not yet on a statement) is read a page at a time, and its counts and the
sign-off rule still cover every page."""

from __future__ import annotations

from datetime import date

import pytest

from dp_portal.client_money import reconcile
from dp_portal.core.errors import RuleError
from dp_portal.extensions import db
from dp_portal.third_party.money_models import PostingKind, ReconciliationDifference

from ..conftest import sign_in_as
from .conftest import put


@pytest.fixture
def busy_month(office):
    put(office, PostingKind.CONTRIBUTION, "10.00", date(2026, 10, 1))
    rec = reconcile.start_month(office.viewer(), "2026-10-01")
    db.session.add_all(
        ReconciliationDifference(
            reconciliation_id=rec.id,
            kind="council_payment_not_received",
            amount_pence=100 + n,
            description=f"Bank line {n:03d}",
            created_by_id=office.preparer.id,
        )
        for n in range(1, 231)
    )
    db.session.flush()
    return rec


def test_a_page_lists_a_hundred_differences_and_counts_every_one(client, office, busy_month):
    sign_in_as(client, office.preparer)
    url = f"/money/reconciliations/{busy_month.id}"
    first = client.get(url).get_data(as_text=True)
    assert "230 differences, 230 not explained yet. Showing 1 to 100." in first
    assert "Bank line 100" in first and "Bank line 101" not in first
    assert f'href="{url}?page=2#differences"' in first
    last = client.get(f"{url}?page=3").get_data(as_text=True)
    assert "Showing 201 to 230." in last and "Bank line 230" in last
    assert "Bank line 200" not in last
    # A page past the end is the last page; a page that is not a number is the first.
    assert "Showing 201 to 230." in client.get(f"{url}?page=99").get_data(as_text=True)
    assert "Showing 1 to 100." in client.get(f"{url}?page=two").get_data(as_text=True)


def test_the_first_differences_to_explain_are_offered_whichever_page_is_shown(
    client, office, busy_month
):
    sign_in_as(client, office.preparer)
    page = client.get(f"/money/reconciliations/{busy_month.id}?page=3").get_data(as_text=True)
    assert "230 differences are not explained yet. Here are the first 10" in page
    first = reconcile.month_page(office.viewer(), busy_month).to_explain[0]
    # Not in this page of the table, but offered to explain, with its form.
    assert first.description == "Bank line 001" and "Bank line 001" in page
    assert f"/money/reconciliations/{busy_month.id}/differences/{first.id}" in page
    reconcile.explain(office.viewer(), busy_month, first.id, "Paid on 3 November")
    again = reconcile.month_page(office.viewer(), busy_month, page=3)
    assert again.unexplained == 229 and again.to_explain[0].description == "Bank line 002"


def test_a_month_cannot_be_sent_while_a_difference_on_any_page_is_unexplained(office, busy_month):
    viewer = office.viewer()
    for item in reconcile.differences(busy_month)[:-1]:
        reconcile.explain(viewer, busy_month, item.id, "On the November statement")
    page = reconcile.month_page(viewer, busy_month)  # page 1: every difference on it explained
    assert all(item.explanation for item in page.differences.items)
    assert page.unexplained == 1 and "Explain every difference" in page.problems
    with pytest.raises(RuleError):
        reconcile.send_for_sign_off(viewer, busy_month)
