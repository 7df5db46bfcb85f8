"""Strict isolation between organisations (no URL, id or export shows another's clients or
months), view-only staff write nothing, and the pages staff use: entering a line, being told
why one is refused, the spreadsheets, and a return built from the sub-ledger that the finance
officer sees came from it."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select

from dp_portal.auth.models import Role
from dp_portal.client_money import reconcile
from dp_portal.core.audit import AuditEvent
from dp_portal.extensions import db
from dp_portal.third_party.money_models import ClientPosting, LedgerReturn, PostingKind

from ..conftest import sign_in_as
from .conftest import make_office, put


def _two_offices(factory):
    ours, theirs = make_office(factory), make_office(factory)
    put(ours, PostingKind.CONTRIBUTION, "10.00", date(2026, 11, 2))
    line = put(theirs, PostingKind.CONTRIBUTION, "20.00", date(2026, 11, 2))
    month = reconcile.start_month(theirs.viewer(), "2026-10-01")
    return ours, theirs, line, month


def test_staff_of_one_organisation_never_reach_anothers_clients_or_months(client, factory, app_ctx):
    ours, theirs, line, month = _two_offices(factory)
    sign_in_as(client, ours.preparer)
    account = theirs.account.id
    for url in (
        f"/accounts/{account}/client-money",
        f"/accounts/{account}/client-money.xlsx",
        f"/accounts/{account}/client-money/new",
        f"/accounts/{account}/client-money/{line.id}/correct",
        f"/accounts/{ours.account.id}/client-money/{line.id}/correct",  # their line, our client
        f"/accounts/{account}/client-money/returns/2026-10-01",
        f"/money/reconciliations/{month.id}",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/accounts/{account}/client-money/new",
        f"/money/reconciliations/{month.id}/closing",
        f"/money/reconciliations/{month.id}/send",
        f"/money/reconciliations/{month.id}/sign-off",
    ):
        assert client.post(url, data={"amount": "1", "closing": "1"}).status_code == 404, url
    book = load_workbook(io.BytesIO(client.get("/money/clients.xlsx").data))
    references = [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert references == [ours.account.reference]
    home = client.get("/money").get_data(as_text=True)
    assert ours.account.reference in home and theirs.account.reference not in home


def test_view_only_staff_see_the_account_but_cannot_post(client, factory, app_ctx):
    office = make_office(factory)
    watched = factory.account()
    factory.mandate(watched, office.org, scope="view_only")
    sign_in_as(client, office.preparer)
    assert client.get(f"/accounts/{watched.id}/client-money").status_code == 200
    response = client.post(
        f"/accounts/{watched.id}/client-money/new",
        data={"kind": "contribution", "amount": "5", "description": "x"},
    )
    assert response.status_code == 403
    assert client.application and _lines() == 0


def _lines() -> int:
    return db.session.execute(select(func.count(ClientPosting.id))).scalar_one()


def _form(kind, amount, description="Morag's contribution"):
    return {
        "kind": kind,
        "amount": amount,
        "entry_date": ["2", "11", "2026"],
        "description": description,
    }


def test_staff_enter_lines_on_the_form_and_are_told_plainly_what_is_wrong(
    client, office, db_session
):
    sign_in_as(client, office.preparer)
    url = f"/accounts/{office.account.id}/client-money/new"
    first = client.post(url, data=_form("contribution", "250.00"))
    assert first.status_code == 302, first.get_data(as_text=True)[-3000:]
    refused = client.post(url, data=_form("pa_wages", "250.01", "Wages"))
    assert refused.status_code == 200
    assert "This would take the balance below zero" in refused.get_data(as_text=True)
    bad = client.post(url, data=_form("pa_wages", "12.345", "Wages"))
    assert "no more than 2 decimal places" in bad.get_data(as_text=True)
    forged = client.post(url, data=_form("council_payment", "1"))
    assert forged.status_code == 200
    assert _lines() == 1
    page = client.get(f"/accounts/{office.account.id}/client-money").get_data(as_text=True)
    assert "£250.00" in page and "The person&#39;s contribution" in page


def test_the_sub_ledger_spreadsheet_has_every_line_and_its_download_is_audited(
    client, office, db_session
):
    put(office, PostingKind.CONTRIBUTION, "100.00", date(2026, 11, 2))
    put(office, PostingKind.FEE, "12.00", date(2026, 11, 30))
    sign_in_as(client, office.checker)
    response = client.get(f"/accounts/{office.account.id}/client-money.xlsx")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert [(r[2], r[4], r[5]) for r in rows[1:]] == [
        ("The person's contribution", 100, 100),
        ("Our fee", -12, 88),
    ]
    assert (
        db_session.execute(
            select(func.count()).where(AuditEvent.action == "download.sub_ledger")
        ).scalar_one()
        == 1
    )


def test_a_return_built_from_the_sub_ledger_goes_to_review_saying_where_it_came_from(
    app, client, factory, db_session
):
    office = make_office(factory)
    with app.app_context():  # set-up only: each request below gets its own context
        put(office, PostingKind.CONTRIBUTION, "500.00", date(2026, 4, 10))
        put(office, PostingKind.PA_WAGES, "300.00", date(2026, 5, 10))
        put(office, PostingKind.FEE, "12.00", date(2026, 6, 30))
        put(office, PostingKind.FEE, "12.00", date(2026, 7, 31))  # the next period: left out
        db.session.commit()  # a savepoint: the test's transaction is still rolled back
    sign_in_as(client, office.preparer)
    url = f"/accounts/{office.account.id}/client-money/returns/2026-04-06"
    page = client.get(url).get_data(as_text=True)
    assert "£188.00" in page and "Not every month in this period" in page
    response = client.post(url)
    assert response.status_code == 302
    built = db_session.execute(select(LedgerReturn)).scalar_one()
    assert (built.postings, built.reconciled) == (3, False)
    client.delete_cookie("session")
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    review = client.get(response.location).get_data(as_text=True)
    assert "from the 3 lines of the client-money sub-ledger" in review
    assert "Accept" in review  # the finance officer's review form
    row = built.return_id
    from dp_portal.monitoring.models import MonitoringReturn

    sent = db_session.get(MonitoringReturn, row)
    assert (sent.status, sent.closing_pence, sent.spend_payroll_pence) == ("submitted", 18800, 1200)
    assert sent.money("contributions_pence") == Decimal("500.00")


def test_on_a_shared_account_each_organisation_sees_only_its_own_sub_ledger(
    app, client, factory, db_session
):
    """A person who moved from one money management service to another: the new one holds
    the money now; neither sees the other's lines (the council sees both)."""
    ours, theirs = make_office(factory), make_office(factory)
    factory.mandate(theirs.account, ours.org, scope="manage_money")
    with app.app_context():  # set-up only: each request below gets its own context
        their_line = put(theirs, PostingKind.CONTRIBUTION, "77.00", date(2026, 11, 2))
        put(ours, PostingKind.CONTRIBUTION, "5.00", date(2026, 11, 3), account=theirs.account)
        their_line_id = their_line.id
        db.session.commit()  # a savepoint: the test's transaction is still rolled back
    sign_in_as(client, ours.preparer)
    page = client.get(f"/accounts/{theirs.account.id}/client-money").get_data(as_text=True)
    assert "£5.00" in page and "£77.00" not in page and theirs.org.name not in page
    url = f"/accounts/{theirs.account.id}/client-money/{their_line_id}/correct"
    assert client.get(url).status_code == 404
    client.delete_cookie("session")
    sign_in_as(client, factory.user(Role.TEAM_LEADER))
    page = client.get(f"/accounts/{theirs.account.id}/client-money").get_data(as_text=True)
    assert "£77.00" in page and "£5.00" in page
