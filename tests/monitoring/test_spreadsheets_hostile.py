"""Every way a return workbook can fail to parse ends in a message naming the sheet and the
cell where known, and nothing saved: read directly, and uploaded through the web (never a
500). Each file is built here, as a foreign program or an attacker would write it."""

from __future__ import annotations

import io

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from dp_portal.auth.models import Role
from dp_portal.core.spreadsheets import SpreadsheetError
from dp_portal.monitoring.models import MonitoringReturn

from ..conftest import sign_in_as
from ..hostile_files import (
    PDF,
    build_zip,
    compound_file,
    duplicate_part,
    encrypted_workbook,
    flag_encrypted,
    zip_parts,
)
from ..hostile_workbooks import (
    MAIN,
    cell,
    external_link,
    shared_strings,
    sheet_xml,
    strict_open_xml,
    swap_rows,
    with_openpyxl,
    without,
)
from .test_return_spreadsheets import CORPUS, END, REF, START, read, template

# Building and reading these files makes zipfile and openpyxl warn, as they should.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Duplicate name:UserWarning", "ignore:Cell .* is marked as a date:UserWarning"
)


SAVE_AGAIN = "save the workbook again as .xlsx and upload it again"

HOSTILE = [
    # (case, file, message the reader gives)
    (
        "sheet XML not well formed",
        sheet_xml(lambda x: x.replace("</sheetData>", '<row r="30"><c r="A30">')),
        f"Sheet Return, cell A30: the sheet is damaged just after this cell and cannot be "
        f"read: {SAVE_AGAIN}",
    ),
    (
        "mismatched tags in the sheet",
        sheet_xml(lambda x: x.replace("</row>", "</rw>", 12)),
        "Sheet Return, cell B1: the sheet is damaged just after this cell",
    ),
    (
        "an entity declaration in the sheet",
        sheet_xml(lambda x: '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>' + x),
        "Sheet Return: the sheet is damaged near its start and cannot be read",
    ),
    (
        "a shared-string index past the end",
        lambda: shared_strings("7"),
        "Sheet Return, cell B2: this cell points to text that is not in the file",
    ),
    (
        "a negative shared-string index",
        lambda: shared_strings("-1"),
        "Sheet Return, cell B2: this cell points to text that is not in the file",
    ),
    (
        "NaN in a number cell",
        cell("B12", '<c r="B12"><v>NaN</v></c>'),
        'Sheet Return, cell B12: this cell should hold a number but holds "NaN"',
    ),
    (
        "text in a number cell",
        cell("B13", '<c r="B13" t="n"><v>12,50</v></c>'),
        'Sheet Return, cell B13: this cell should hold a number but holds "12,50"',
    ),
    (
        "an infinite number",
        cell("B14", '<c r="B14"><v>1e999</v></c>'),
        "Sheet Return, cell B14: this number is infinite",
    ),
    (
        "minus infinity",
        cell("B7", '<c r="B7"><v>-1E+400</v></c>'),
        "Sheet Return, cell B7: this number is infinite",
    ),
    (
        "a number too large to be money",
        cell("B15", '<c r="B15"><v>1E+300</v></c>'),
        "Sheet Return, cell B15: this number is too large to be an amount on a return",
    ),
    (
        "an amount too large for a return",
        lambda: template(B16=25_000_000),
        "Sheet Return, cell B16: this amount is too large for a return",
    ),
    (
        "a boolean that is neither 0 nor 1",
        cell("B17", '<c r="B17" t="b"><v>yes</v></c>'),
        'Sheet Return, cell B17: this cell should be TRUE or FALSE but holds "yes"',
    ),
    (
        "TRUE for an amount",
        cell("B18", '<c r="B18" t="b"><v>1</v></c>'),
        "Sheet Return, cell B18: enter an amount in pounds and pence",
    ),
    (
        "an unknown cell type",
        cell("B19", '<c r="B19" t="x"><v>42</v></c>'),
        'Sheet Return, cell B19: this cell has a type ("x") that spreadsheet programs do not write',
    ),
    (
        "an ISO date that is not a date",
        cell("B21", '<c r="B21" t="d"><v>2026-13-45</v></c>'),
        'Sheet Return, cell B21: this cell should hold a date but holds "2026-13-45"',
    ),
    (
        "a date past the year 9999",
        cell("B3", '<c r="B3" s="2"><v>99999999</v></c>'),
        "Sheet Return, cell B3: the period should be 06/04/2026 to 30/06/2026",
    ),
    (
        "an error value where an amount goes",
        cell("B22", '<c r="B22" t="e"><v>#DIV/0!</v></c>'),
        "Sheet Return, cell B22: this cell shows the error #DIV/0!",
    ),
    (
        "the same cell twice",
        sheet_xml(lambda x: x.replace('<c r="B12"', '<c r="B12" t="n"><v>5</v></c><c r="B12"')),
        "Sheet Return, cell B12: this cell appears twice in the file",
    ),
    (
        "rows out of order (openpyxl drops the late one)",
        sheet_xml(swap_rows),
        "Sheet Return: the rows are stored out of order (row 8 after row 12)",
    ),
    (
        "a cell filed under another row",
        sheet_xml(lambda x: x.replace('<c r="B12"', '<c r="B13"', 1)),
        "Sheet Return, cell A12: cell B13 is stored in row 12",
    ),
    (
        "a cell reference that is not a cell",
        sheet_xml(lambda x: x.replace('<c r="B12"', '<c r="B$12"', 1)),
        'Sheet Return, cell A12: a cell is labelled "B$12"',
    ),
    (
        "cells in a foreign namespace",
        sheet_xml(lambda x: x.replace(f'xmlns="{MAIN}"', 'xmlns="urn:not-excel"', 1)),
        "Sheet Return: the sheet is damaged and cannot be read reliably",
    ),
    (
        "the sheet's part is missing",
        lambda: without("xl/worksheets/sheet1.xml"),
        "Sheet Return: The workbook is damaged: this sheet is missing",
    ),
    ("an empty file", lambda: b"", "The file is empty"),
    (
        "a password-protected workbook",
        lambda: encrypted_workbook(template(B12=100)),
        "This file is password-protected: save a copy without a password",
    ),
    (
        "a zip saved with a password",
        lambda: flag_encrypted(template()),
        "This file is password-protected: save a copy without a password",
    ),
    (
        "an Excel 97-2003 workbook",
        lambda: compound_file({"Workbook": b"\x09\x08" * 200}),
        "The file is an Excel 97-2003 workbook (.xls): open it and save it as an Excel "
        "Workbook (.xlsx)",
    ),
    (
        "Strict Open XML",
        strict_open_xml,
        'The workbook is saved as "Strict Open XML Spreadsheet". Open it and save it again '
        'as an ordinary "Excel Workbook (.xlsx)"',
    ),
    (
        "merged cells over two amounts",
        with_openpyxl(lambda sheet: sheet.merge_cells("B7:B8")),
        "Sheet Return, cells B7:B8: these cells are merged. Unmerge them",
    ),
    (
        "merged cells over a label and an amount",
        with_openpyxl(lambda sheet: sheet.merge_cells("A21:C21")),
        "Sheet Return, cells A21:C21: these cells are merged",
    ),
    (
        "a formula linking to another workbook",
        lambda: external_link("[1]Sheet1!A1*2"),
        "Sheet Return, cell B12: this formula links to another workbook",
    ),
    (
        "a formula naming another workbook's file",
        cell("B12", "<c r=\"B12\"><f>'C:\\x\\[Budget.xlsx]Sheet1'!A1</f><v>5</v></c>"),
        "Sheet Return, cell B12: this formula links to another workbook",
    ),
    (
        "a link to another workbook with no formula using it",
        lambda: external_link(None),
        "The workbook has formulas that link to another workbook: copy the figures in as values",
    ),
    (
        "an embedded object",
        lambda: build_zip(zip_parts(template()) | {"xl/embeddings/oleObject1.bin": b"\0" * 64}),
        "The workbook contains embedded objects or controls",
    ),
    (
        "two parts with the same name",
        lambda: duplicate_part(template(), "xl/workbook.xml", b"<workbook/>"),
        "The file is damaged: it holds two parts with the same name",
    ),
]


@pytest.mark.parametrize(("case", "make", "message"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hostile_workbooks_are_refused_naming_sheet_and_cell(case, make, message):
    with pytest.raises(SpreadsheetError) as raised:
        read(make())
    assert str(raised.value).startswith(message), str(raised.value)


def test_what_the_scan_lets_through_is_read_as_before():
    # Text kept as shared strings, as Excel writes it, merged cells away from the figures, and
    # a formula whose saved result is empty text.
    assert read(shared_strings("0"))["opening"] == 100
    assert read(with_openpyxl(lambda sheet: sheet.merge_cells("A5:C5"))())["council_payments"]
    blank = cell("B12", '<c r="B12" t="str"><f>IF(B7&gt;0,"",1)</f><v></v></c>')
    assert read(blank())["spend_pa_wages"] == 0


# Through the web: the upload rules speak first about what the file is, then the reader.
WEB_ONLY = [
    (
        "a PDF named .xlsx",
        lambda: PDF,
        "The file is a PDF document, but it must be the return spreadsheet, saved as .xlsx",
    ),
    (
        "a real workbook named .pdf",
        lambda: template(),
        "The file is called return.pdf, but it is an Excel workbook (.xlsx)",
        "return.pdf",
    ),
    (
        "a double extension",
        lambda: template(),
        "The file is called return.xlsx.exe, but it is an Excel workbook (.xlsx)",
        "return.xlsx.exe",
    ),
]
# The reader's own message differs where the upload rules already know what the file is.
WEB_MESSAGES = {
    "a PDF": "The file is a PDF document, but it must be the return spreadsheet",
    "a renamed program": "The file is a Windows program, but it must be the return spreadsheet",
    "a zip that is not a workbook": "The file is a zip archive, but it must be the return",
    "too big": "The file must be smaller than 2 MB",
    "an Excel 97-2003 workbook": "The file is an Excel 97-2003 workbook (.xls), but it must be",
}
WEB = [
    (case, make, WEB_MESSAGES.get(case, message), "return.xlsx")
    for case, make, message in [*CORPUS, *HOSTILE]
] + [(*c, "return.xlsx")[:4] for c in WEB_ONLY]


@pytest.mark.parametrize(("case", "make", "message", "name"), WEB, ids=[c[0] for c in WEB])
def test_hostile_workbooks_through_the_upload_page(
    client, factory, db_session, case, make, message, name
):
    account = factory.account(reference=REF, start_date=START)
    me = factory.user(Role.RECIPIENT)
    factory.access(me, account)
    sign_in_as(client, me)
    response = client.post(
        f"/accounts/{account.id}/returns/{START.isoformat()}/upload",
        data={"workbook": (io.BytesIO(make()), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem with the spreadsheet" in page
    assert str(escape(message)) in page, message
    assert db_session.execute(select(func.count(MonitoringReturn.id))).scalar() == 0
    assert END  # the period the template is for
