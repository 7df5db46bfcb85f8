"""Uploading an invoice from the council's XLSX template (issue 14, part B): the returns'
upload rules and spreadsheet reader apply, every problem is named by sheet and cell, and
nothing is saved when there is one."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from dp_portal.core.filetypes import SpreadsheetError
from dp_portal.core.uploads import UploadError
from dp_portal.extensions import db
from dp_portal.isf import invoice_services
from dp_portal.isf.delivery_models import IsfInvoice
from dp_portal.isf.invoice_upload import build_template, read_invoice

from ..payments.test_run_controls import SCHEDULE
from .helpers import living_wage
from .invoice_helpers import PERIOD, invoiced


def _filled(rows, reference="INV-9", people=(("X-1", "Ann", "day"),)) -> bytes:
    book = load_workbook(io.BytesIO(build_template(list(people), *PERIOD)))
    sheet = book["Invoice"]
    sheet["B2"] = reference
    for cell, value in rows.items():
        sheet[cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_template_reads_back_as_an_invoice():
    data = read_invoice(_filled({"D7": 12.5}), "invoice.xlsx")
    assert (data.reference, data.period_start, data.period_end) == ("INV-9", *PERIOD)
    (line,) = data.lines
    assert (line.reference, line.service_type, line.hours_hundredths) == ("X-1", "day", 1250)
    assert line.where == "Sheet Invoice, cell A7"


def test_every_bad_cell_is_named():
    people = (("X-1", "Ann", "day"), ("X-2", "Bob", "lunch"), ("X-3", "Cy", "day"))
    with pytest.raises(SpreadsheetError) as caught:
        read_invoice(_filled({"D7": "lots", "D8": 3, "D9": 0.001}, people=people), "i.xlsx")
    assert caught.value.problems == [
        "Sheet Invoice, cell D7: enter the hours as a number",
        "Sheet Invoice, cell C8: enter the kind of support: day, night, sleepover or two_to_one",
        "Sheet Invoice, cell D9: enter hours with no more than 2 decimal places, like 7.25",
    ]


def test_a_workbook_that_is_not_the_template_is_refused():
    with pytest.raises(SpreadsheetError, match="cell B1: this is not the council's invoice"):
        read_invoice(_filled({"B1": "SOMETHING"}), "i.xlsx")
    with pytest.raises(UploadError, match="must be the invoice spreadsheet"):
        read_invoice(b"%PDF-1.4 not a workbook", "i.xlsx")


def test_an_uploaded_line_for_someone_else_saves_nothing(app_ctx, db_session, factory):
    living_wage(db_session)
    org, account, _row, staff, _officer = invoiced(factory)
    people = ((account.reference, "A", "day"), ("NOBODY", "B", "day"))
    data = read_invoice(_filled({"D7": 10, "D8": 4}, people=people), "i.xlsx")
    with pytest.raises(invoice_services.InvoiceProblems) as caught:
        invoice_services.submit_invoice(org, data, actor=staff, schedule=SCHEDULE)
    assert caught.value.problems == [
        "Sheet Invoice, cell A8: NOBODY is not a person you are paid on invoice for on "
        "06 April 2026"
    ]
    assert db.session.execute(select(func.count(IsfInvoice.id))).scalar_one() == 0
