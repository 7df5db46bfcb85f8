"""The workbook a provider uploads is kept as it was sent (core/storage): its provider's staff
and finance officers download exactly those bytes from the invoice's page; another provider
gets "Page not found"; the person and their representative cannot open it; an invoice typed
on the form, or a refused upload, keeps no file."""

from __future__ import annotations

import hashlib
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.isf.delivery_models import IsfInvoice

from .helpers import living_wage, provider
from .helpers import signed_in_as as _as
from .invoice_helpers import invoiced, send


@pytest.fixture
def world(factory, db_session):
    living_wage(db_session)
    org, account, _row, staff, officer = invoiced(factory, annual_budget_pence=50000)
    stranger = factory.user(Role.PROVIDER_STAFF, organisation_id=provider(factory, name="Else").id)
    person = factory.user(Role.RECIPIENT)
    factory.access(person, account)
    representative = factory.user(Role.RECIPIENT)
    factory.access(representative, account, capacity="representative")
    return org, account, staff, officer, stranger, (person, representative)


def _workbook(client, staff, cells: dict) -> bytes:
    template = _as(client, staff).get("/provider/invoices/template.xlsx?start=2026-04-06")
    book = load_workbook(io.BytesIO(template.data))
    for ref, value in cells.items():
        book["Invoice"][ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, data: bytes, name: str = "April hours.xlsx"):
    return client.post(
        "/provider/invoices/upload",
        data={"workbook": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_provider_and_finance_download_exactly_what_was_uploaded(client, world, db_session):
    _org, _account, staff, officer, stranger, people = world
    data = _workbook(client, staff, {"B2": "INV-7", "D7": 40})
    assert _upload(client, data).status_code == 302
    invoice = db_session.execute(select(IsfInvoice)).scalar_one()
    assert invoice.sha256 == hashlib.sha256(data).hexdigest()
    url = f"/isf/invoices/{invoice.id}/original.xlsx"
    assert url in client.get(f"/isf/invoices/{invoice.id}").get_data(as_text=True)
    for reader in (staff, officer):
        got = _as(client, reader).get(url)
        assert got.status_code == 200
        assert got.data == data
        assert "April hours.xlsx" in got.headers["Content-Disposition"]
    assert _as(client, stranger).get(url).status_code == 404
    for person in people:
        assert _as(client, person).get(url).status_code in (403, 404)


def test_a_form_invoice_or_a_refused_upload_keeps_no_file(
    client, world, db_session, app, own_storage
):
    org, account, staff, officer, _stranger, _people = world
    with app.app_context():
        typed = send(org, staff, [(account.reference, "day", 40)])
        db_session.flush()
    assert typed.stored_name is None
    assert _as(client, officer).get(f"/isf/invoices/{typed.id}/original.xlsx").status_code == 404
    assert "original.xlsx" not in client.get(f"/isf/invoices/{typed.id}").get_data(as_text=True)
    refused = _workbook(client, staff, {"B2": "INV-8", "D7": "lots"})
    assert _upload(client, refused).status_code == 200
    assert (
        db_session.execute(select(IsfInvoice).where(IsfInvoice.source == "upload")).first() is None
    )
    assert list(own_storage.names()) == []
