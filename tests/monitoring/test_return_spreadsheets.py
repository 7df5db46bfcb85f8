"""The return spreadsheet, filled in as a spreadsheet program would, and a corpus of bad files:
each refused with a message naming the sheet and cell (or the reason), and nothing saved."""

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from dp_portal.auth.models import Role
from dp_portal.core.spreadsheets import SpreadsheetError
from dp_portal.monitoring.models import MonitoringReturn
from dp_portal.monitoring.template import build_template, read_return

from ..conftest import sign_in_as

REF, START, END = "DP000042", date(2026, 4, 6), date(2026, 6, 30)


def template(**cells) -> bytes:
    data = build_template(
        reference=REF,
        period_start=START,
        period_end=END,
        opening=Decimal("100.00"),
        council_payments=Decimal("1200.00"),
    )
    if not cells:
        return data
    book = openpyxl.load_workbook(io.BytesIO(data))
    for ref, value in cells.items():
        book["Return"][ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_sheet(data: bytes, change) -> bytes:
    """Edit the sheet's XML directly, as a foreign program (or an attacker) might write it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content.decode()).encode()
            target.writestr(item, content)
    return out.getvalue()


def read(data: bytes):
    return read_return(data, reference=REF, period_start=START, period_end=END)


def test_a_filled_template_is_read_exactly():
    values = read(template(B12=950.5, B13="£1,000", B21=349.5, B22=349.5, B17=0.1 + 0.2))
    assert values["opening"] == Decimal("100.00")
    assert values["council_payments"] == Decimal("1200.00")
    assert values["spend_pa_wages"] == Decimal("950.50")
    assert values["spend_hmrc"] == Decimal("1000.00")
    # 0.1 + 0.2 is 0.30000000000000004 in binary: noise, not a fraction of a penny.
    assert values["spend_payroll"] == Decimal("0.30")
    assert values["contributions"] == Decimal("0.00")


def test_a_formula_with_a_saved_value_is_read():
    def formula_in_b12(xml: str) -> str:
        return re.sub(
            r'<c r="B12"([^>]*?)/>', r'<c r="B12"\1><f>50+25.5</f><v>75.5</v></c>', xml, count=1
        )

    data = rewrite_sheet(template(), formula_in_b12)
    assert (
        "<f>50+25.5</f>"
        in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    )
    assert read(data)["spend_pa_wages"] == Decimal("75.50")


def _lying_dimension(xml: str) -> str:
    xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:B5"/>', xml)
    return xml


def test_a_sheet_that_lies_about_its_size_is_still_read_in_full():
    data = rewrite_sheet(template(B21=12.34), _lying_dimension)
    assert read(data)["closing"] == Decimal("12.34")


CORPUS = [
    (
        "wrong sheet",
        lambda: _renamed_sheet(),
        "Sheet Return: The workbook has no sheet called Return",
    ),
    (
        "no marker",
        lambda: template(B1="Something else"),
        "Sheet Return, cell B1: this is not the council's return template",
    ),
    (
        "other account",
        lambda: template(B2="DP000099"),
        "Sheet Return, cell B2: this return is for DP000099",
    ),
    (
        "other period",
        lambda: template(B3=date(2026, 7, 1)),
        "Sheet Return, cell B3: the period should be 06/04/2026 to 30/06/2026",
    ),
    (
        "text for a number",
        lambda: template(B12="about fifty"),
        "Sheet Return, cell B12: enter an amount in pounds and pence",
    ),
    (
        "fraction of a penny",
        lambda: template(B13=10.125),
        "Sheet Return, cell B13: enter pounds and pence with no more than 2 decimal places",
    ),
    (
        "negative spending",
        lambda: template(B14=-5),
        "Sheet Return, cell B14: enter an amount of £0.00 or more",
    ),
    (
        "a date for money",
        lambda: template(B15=date(2026, 5, 1)),
        "Sheet Return, cell B15: enter an amount",
    ),
    (
        "formula, no saved value",
        lambda: template(B16="=B12*2"),
        "Sheet Return, cell B16: this formula has no saved value",
    ),
    (
        "rows past the return",
        lambda: rewrite_sheet(
            template(),
            lambda x: _lying_dimension(x).replace(
                "</sheetData>",
                '<row r="80"><c r="A80" t="inlineStr"><is><t>hidden</t></is></c></row></sheetData>',
            ),
        ),
        "Sheet Return, cell A80: there is something in row 80",
    ),
    (
        "macros",
        lambda: _with_part(template(), "xl/vbaProject.bin", b"\x00" * 100),
        "The workbook contains macros",
    ),
    ("a PDF", lambda: b"%PDF-1.7\n" + b"0" * 2000, "The file is not an Excel workbook (.xlsx)"),
    (
        "a renamed program",
        lambda: b"MZ\x90\x00" + b"\x00" * 4000,
        "The file is not an Excel workbook (.xlsx)",
    ),
    (
        "a zip that is not a workbook",
        lambda: _zip({"hello.txt": b"hi"}),
        "The file is not an Excel workbook (.xlsx)",
    ),
    ("damaged", lambda: template()[:3000], "The file is damaged"),
    (
        "too big",
        lambda: b"PK\x03\x04" + b"0" * (2 * 1024 * 1024 + 10),
        "The file is larger than 2 MB",
    ),
    (
        "zip bomb",
        lambda: _zip(
            {"xl/workbook.xml": b"<x/>", "xl/worksheets/sheet1.xml": b"0" * (25 * 1024 * 1024)}
        ),
        "The workbook unpacks to more than 20 MB",
    ),
    (
        "squeezed too hard",
        lambda: _zip({"xl/workbook.xml": b"<x/>", "xl/a.xml": b"0" * (5 * 1024 * 1024)}),
        "The workbook is compressed suspiciously hard",
    ),
]


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = {item.filename: source.read(item.filename) for item in source.infolist()}
    return _zip(parts | {name: content})


def _renamed_sheet() -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(template()))
    book["Return"].title = "Sheet1"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("case", "make", "message"), CORPUS, ids=[c[0] for c in CORPUS])
def test_bad_spreadsheets_are_refused_with_a_message(case, make, message):
    with pytest.raises(SpreadsheetError) as raised:
        read(make())
    assert str(raised.value).startswith(message), str(raised.value)


def test_upload_through_the_web_fills_the_form_or_saves_nothing(client, factory, db_session):
    account = factory.account(reference=REF, start_date=START)
    me = factory.user(Role.RECIPIENT)
    factory.access(me, account)
    sign_in_as(client, me)
    url = f"/accounts/{account.id}/returns/{START.isoformat()}"

    download = client.get(url + "/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.data))["Return"]
    assert sheet["B2"].value == REF and sheet["B1"].value == "DP-RETURN-1"

    bad = client.post(
        url + "/upload",
        data={"workbook": (io.BytesIO(template(B12="lots")), "r.xlsx")},
        content_type="multipart/form-data",
    )
    assert b"Sheet Return, cell B12" in bad.data
    assert db_session.execute(select(func.count(MonitoringReturn.id))).scalar() == 0

    good = client.post(
        url + "/upload",
        data={"workbook": (io.BytesIO(template(B12=100, B21=1200, B22=1200)), "r.xlsx")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    draft = db_session.execute(select(MonitoringReturn)).scalar_one()
    assert (draft.status, draft.spend_pa_wages_pence, draft.closing_pence) == (
        "draft",
        10000,
        120000,
    )


# --- The strict reader reads exactly what openpyxl reads -------------------------------------


def _openpyxl_values(data: bytes) -> dict:
    """The cells openpyxl's own read-only reader gives (the reader used before the strict
    scan learnt to read values itself)."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = book["Return"]
    sheet.reset_dimensions()
    values = {}
    for row_number, row in enumerate(sheet.iter_rows(max_row=40, max_col=10), start=1):
        for cell in row:
            if cell.value is not None:
                values[f"{openpyxl.utils.get_column_letter(cell.column)}{row_number}"] = cell.value
    book.close()
    return values


def _styled(change) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(template()))
    change(book, book["Return"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cells_of_every_kind(book, sheet):
    from datetime import datetime, time, timedelta

    # Spreadsheets hold local times with no zone.
    sheet["C3"] = datetime(2026, 4, 6, 13, 30)  # noqa: DTZ001
    sheet["C4"], sheet["C5"] = time(9, 15), True
    sheet["C6"], sheet["C7"] = timedelta(hours=30, minutes=5), 12
    sheet["C6"].number_format = "[h]:mm:ss"
    sheet["C8"], sheet["C9"] = "text with _x005F_ and ünïcödé", 1e-7
    sheet["C10"], sheet["C11"] = date(1900, 1, 15), -3.25
    sheet["C12"].number_format, sheet["C12"] = "0.00%", 0.125
    sheet["K1"] = "past the last column read"


READER_CASES = {
    "the template": template,
    "every kind of value": lambda: _styled(_cells_of_every_kind),
    "the 1904 date system": lambda: _styled(
        lambda book, sheet: (
            setattr(book, "epoch", openpyxl.utils.datetime.CALENDAR_MAC_1904),
            _cells_of_every_kind(book, sheet),
        )
    ),
    "rich text and phonetic guides, shared and inline": lambda: _rich_text(),
    "an error and a date past 9999 where nothing is read": lambda: rewrite_sheet(
        template(), _odd_cells
    ),
}


def _odd_cells(xml: str) -> str:
    date_style = re.search(r'<c r="B3" s="(\d+)"', xml)[1]  # the template's date format
    return xml.replace(
        "</sheetData>",
        f'<row r="30"><c r="C30" t="e"><v>#N/A</v></c><c r="D30" s="{date_style}">'
        '<v>99999999</v></c><c r="E30" t="b"><v>0</v></c><c r="F30" t="d">'
        '<v>2026-04-06T10:00:00</v></c><c r="G30" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
        "</row></sheetData>",
    )


def _rich_text() -> bytes:
    from ..hostile_workbooks import MAIN, shared_strings

    data = shared_strings("0")
    sst = (
        f'<sst xmlns="{MAIN}"><si><t>{REF}</t></si><si><r><t>Rich</t></r><r><rPr><b/></rPr>'
        '<t xml:space="preserve"> text</t></r><rPh sb="0" eb="1"><t>phonetic</t></rPh></si>'
        "</sst>"
    )
    data = _with_part(data, "xl/sharedStrings.xml", sst.encode())
    return rewrite_sheet(
        data,
        lambda x: x.replace(
            "</sheetData>",
            '<row r="31"><c r="C31" t="s"><v>1</v></c><c r="D31" t="inlineStr"><is><r><t>in</t>'
            '</r><r><t>line</t></r><rPh sb="0" eb="1"><t>x</t></rPh></is></c>'
            '<c r="E31" t="inlineStr"><is><t></t></is></c></row></sheetData>',
        ),
    )


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date:UserWarning")
@pytest.mark.parametrize("case", READER_CASES)
def test_the_strict_reader_reads_exactly_what_openpyxl_reads(case):
    from dp_portal.core.spreadsheets import read_cells

    data = READER_CASES[case]()
    ours = read_cells(data, sheet="Return", max_bytes=2 * 1024 * 1024, max_rows=40)
    theirs = _openpyxl_values(data)
    assert {ref: (type(v), v) for ref, v in ours.items()} == {
        ref: (type(v), v) for ref, v in theirs.items()
    }
    assert len(ours) > 10
