"""The invoice pages through the app (issue 14, part B): the provider downloads its template,
uploads it and reads the invoice; an officer releases the held line and approves it; the
provider asks for a correction; another provider sees none of it ("Page not found")."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.isf.delivery_models import IsfChangeRequest, IsfInvoice, IsfPeriod

from .helpers import living_wage, provider
from .helpers import signed_in_as as _as
from .invoice_helpers import invoiced


@pytest.fixture
def world(factory, db_session):
    living_wage(db_session)
    org, account, _row, staff, officer = invoiced(factory, annual_budget_pence=50000)
    stranger = factory.user(Role.PROVIDER_STAFF, organisation_id=provider(factory, name="Else").id)
    return org, account, staff, officer, stranger


def _uploaded(client, staff, reference) -> bytes:
    template = _as(client, staff).get("/provider/invoices/template.xlsx?start=2026-04-06")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.data))
    sheet = book["Invoice"]
    assert sheet["A7"].value == reference
    sheet["B2"], sheet["D7"] = "INV-100", 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_upload_hold_release_approve_and_ask_for_a_correction(client, world, db_session):
    _org, account, staff, officer, stranger = world
    data = _uploaded(client, staff, account.reference)
    sent = client.post(
        "/provider/invoices/upload",
        data={"workbook": (io.BytesIO(data), "invoice.xlsx")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    invoice = db_session.execute(select(IsfInvoice)).scalar_one()
    page = client.get(f"/isf/invoices/{invoice.id}").get_data(as_text=True)
    assert "remains of the budget for the year" in page
    assert _as(client, stranger).get(f"/isf/invoices/{invoice.id}").status_code == 404
    _as(client, officer)
    line = invoice.lines[0]
    url = f"/isf/invoices/{invoice.id}/lines/{line.id}"
    assert client.post(url, data={"decision": "release", "note": "Agreed"}).status_code == 302
    assert client.post(f"/isf/invoices/{invoice.id}/approve").status_code == 302
    period = db_session.execute(select(IsfPeriod)).scalar_one()
    assert period.status == "sealed"
    assert "Lines held over the cap" in client.get("/isf/finance").get_data(as_text=True)
    assert _as(client, stranger).get(f"/isf/periods/{period.id}/change").status_code == 404
    _as(client, staff)
    asked = client.post(
        f"/isf/periods/{period.id}/change",
        data={"subject": "Two more hours", "amount": "45.00", "message": "Timesheet attached"},
    )
    assert asked.status_code == 302
    change = db_session.execute(select(IsfChangeRequest)).scalar_one()
    assert _as(client, stranger).get(f"/isf/change-requests/{change.id}").status_code == 404


def test_a_bad_upload_names_every_cell_and_saves_nothing(client, world, db_session):
    _org, account, staff, _officer, _stranger = world
    book = load_workbook(io.BytesIO(_uploaded(client, staff, account.reference)))
    book["Invoice"]["D7"], book["Invoice"]["C7"] = "lots", "lunch"
    out = io.BytesIO()
    book.save(out)
    page = client.post(
        "/provider/invoices/upload",
        data={"workbook": (io.BytesIO(out.getvalue()), "invoice.xlsx")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 200
    assert "Sheet Invoice, cell C7: enter the kind of support" in page.get_data(as_text=True)
    assert db_session.execute(select(IsfInvoice)).first() is None


def test_the_finance_page_lists_the_oldest_open_periods_and_says_how_many(
    client, factory, db_session, monkeypatch
):
    """A council has tens of thousands of periods open at once: the page lists the SHOWN that
    started longest ago, each with its person and provider, and says how many there are."""
    from datetime import date, timedelta

    from dp_portal.isf import invoice_pages

    living_wage(db_session)
    org, account, row, _staff, officer = invoiced(factory)
    monkeypatch.setattr(invoice_pages, "SHOWN", 2)
    for weeks in (8, 0, 4):  # made out of order: listed by start
        start = date(2026, 4, 6) + timedelta(weeks=weeks)
        db_session.add(
            IsfPeriod(
                agreement_id=row.id,
                account_id=account.id,
                period_start=start,
                period_end=start + timedelta(days=27),
            )
        )
    db_session.flush()
    page = _as(client, officer).get("/isf/finance").get_data(as_text=True)
    assert "3 periods are not sealed yet. The 2 that started longest ago:" in page
    assert f"{account.reference}, {org.name}: 6 April 2026 to 3 May 2026" in page
    assert f"{account.reference}, {org.name}: 4 May 2026 to 31 May 2026" in page
    assert "1 June 2026" not in page
