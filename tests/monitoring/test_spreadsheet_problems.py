"""A return spreadsheet with several mistakes gets them all listed at once, in the order of the
sheet, each naming its sheet and cell, so the person puts them right in one go; nothing is
saved. A file that cannot be read at all is still refused with its one reason."""

import io
import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from dp_portal.auth.models import Role
from dp_portal.core.spreadsheets import SpreadsheetError, SpreadsheetProblems
from dp_portal.monitoring.models import MonitoringReturn

from ..conftest import sign_in_as
from ..hostile_workbooks import rewrite_sheet
from .test_return_spreadsheets import REF, START, read, template


def _cells(xml: str, cells: dict[str, str]) -> str:
    for ref, replacement in cells.items():
        xml = re.sub(
            rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', lambda _, new=replacement: new, xml, count=1
        )
    return xml


def several_problems() -> bytes:
    """The template for another account, with text, a negative amount, an error value, a
    formula saved without its value and "NaN" among the figures."""
    data = template(B2="DP999999", B9="twelve pounds", B13=-20)
    return rewrite_sheet(
        data,
        lambda xml: _cells(
            xml,
            {
                "B12": '<c r="B12"><v>NaN</v></c>',
                "B16": '<c r="B16"><f>B12*2</f></c>',
                "B22": '<c r="B22" t="e"><v>#DIV/0!</v></c>',
            },
        ),
    )


EXPECTED = [
    "Sheet Return, cell B2: this return is for DP999999, not account DP000042",
    "Sheet Return, cell B9: enter",
    'Sheet Return, cell B12: this cell should hold a number but holds "NaN"',
    "Sheet Return, cell B13: enter an amount of £0.00 or more",
    "Sheet Return, cell B16: this formula has no saved value",
    "Sheet Return, cell B22: this cell shows the error #DIV/0!",
]


def test_every_problem_in_the_sheet_is_named_at_once_in_sheet_order():
    with pytest.raises(SpreadsheetProblems) as raised:
        read(several_problems())
    found = [str(problem) for problem in raised.value.problems]
    assert len(found) == len(EXPECTED), found
    for message, expected in zip(found, EXPECTED, strict=True):
        assert message.startswith(expected), message


def test_a_single_problem_is_refused_as_before():
    with pytest.raises(SpreadsheetError) as raised:
        read(template(B13=-20))
    assert not isinstance(raised.value, SpreadsheetProblems)
    assert str(raised.value) == "Sheet Return, cell B13: enter an amount of £0.00 or more"


def test_a_file_that_cannot_be_read_names_only_why():
    with pytest.raises(SpreadsheetError) as raised:
        read(b"PK\x03\x04 not really a workbook")
    assert not isinstance(raised.value, SpreadsheetProblems)


def test_the_upload_page_lists_every_problem_and_saves_nothing(client, factory, db_session):
    account = factory.account(reference=REF, start_date=START)
    me = factory.user(Role.RECIPIENT)
    factory.access(me, account)
    sign_in_as(client, me)
    response = client.post(
        f"/accounts/{account.id}/returns/{START.isoformat()}/upload",
        data={"workbook": (io.BytesIO(several_problems()), "return.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.text
    summary = page[
        page.index("govuk-error-summary") : page.index("</ul>", page.index("govuk-error-summary"))
    ]
    items = re.findall(r'<a href="#workbook">(.*?)</a>', summary, re.S)
    assert len(items) == len(EXPECTED)
    for item, expected in zip(items, EXPECTED, strict=True):
        assert item.strip().startswith(str(escape(expected))), item
    assert "The spreadsheet has 6 problems, listed at the top of the page" in page
    assert db_session.execute(select(func.count(MonitoringReturn.id))).scalar() == 0
