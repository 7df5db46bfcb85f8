"""Rows, files and counts the import tests share."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from sqlalchemy import func, select

from dp_portal.accounts.models import Account, BankDetailsChange, Person, Representative
from dp_portal.core.audit import AuditEvent
from dp_portal.extensions import db
from dp_portal.payments import services as payments
from dp_portal.payments.models import Budget, BudgetLine
from dp_portal.payments.rate_models import RateRow
from dp_portal.payments.rates import RateKind

PEOPLE_HEADINGS = ["Client ID", "Forename", "Surname", "DOB", "Address 1", "Town", "Postcode"]
ACCOUNT_HEADINGS = ["Service ref", "Client ID", "SDS option", "Start", "Status"]
BANK_HEADINGS = ["Service ref", "Payee", "Sort code", "Account number"]
BUDGET_HEADINGS = ["Service ref", "Starts on", "PA hours", "Contribution"]


def person_row(n: int, **changes) -> dict[str, str]:
    return {
        "client_reference": f"SWI{n:05d}",
        "first_name": "Ailsa",
        "last_name": f"Import{n}",
        "date_of_birth": "27/03/1950",
        "address_line_1": f"{n} Shore Road",
        "town": "Glenarden",
        "postcode": "EH1 1YZ",
    } | changes


def account_row(n: int, **changes) -> dict[str, str]:
    return {
        "account_reference": f"CM{n:05d}",
        "client_reference": f"SWI{n:05d}",
        "sds_option": "1",
        "start_date": "06/04/2026",
        "status": "Active",
    } | changes


def bank_row(n: int, **changes) -> dict[str, str]:
    return {
        "account_reference": f"CM{n:05d}",
        "payee_name": f"Payee {n}",
        "sort_code": "08-99-99",
        "account_number": "66374958",
    } | changes


def budget_row(n: int, **changes) -> dict[str, str]:
    return {
        "account_reference": f"CM{n:05d}",
        "effective_from": "06/04/2026",
        "pa_hours": "12.5",
        "weekly_contribution": "0",
    } | changes


def add_rates(officer) -> None:
    for kind, value in [
        (RateKind.LIVING_WAGE, Decimal("12.60")),
        (RateKind.HOLIDAY, Decimal("12.07")),
    ]:
        payments.add_rate_row(kind, date(2025, 4, 1), value, "test", actor=officer)
    db.session.flush()


def add_rate_rows(session, officer) -> None:
    """The same rates, written by a test's own session (for tests that make requests)."""
    for kind, value in [(RateKind.LIVING_WAGE, 1260), (RateKind.HOLIDAY, 1207)]:
        session.add(
            RateRow(
                kind=str(kind),
                effective_from=date(2025, 4, 1),
                value=value,
                source_note="test",
                created_by_id=officer.id,
            )
        )
    session.flush()


TABLES = (Person, Representative, Account, BankDetailsChange, Budget, BudgetLine, AuditEvent)


def counts(session=None) -> dict[str, int]:
    """How many rows each table an import can write holds."""
    session = session or db.session
    return {
        model.__tablename__: session.execute(select(func.count()).select_from(model)).scalar()
        for model in TABLES
    }


def workbook(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, (headings, rows) in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(headings)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def go_live_workbook(people=3, wrong=None) -> bytes:
    """A case-management export: people, accounts, bank details and budgets."""
    rows = [
        [
            f"SWP{n:04d}",
            "Ailsa",
            f"Page{n}",
            "27/03/1950",
            f"{n} Shore Road",
            "Glenarden",
            "EH1 1YZ",
        ]
        for n in range(people)
    ]
    for (row, column), value in (wrong or {}).items():
        rows[row][column] = value
    return workbook(
        {
            "People": (PEOPLE_HEADINGS, rows),
            "Accounts": (
                ACCOUNT_HEADINGS,
                [
                    [f"CMP{n:04d}", f"SWP{n:04d}", "Option 1", "06/04/2026", "Active"]
                    for n in range(people)
                ],
            ),
            "Bank details": (
                BANK_HEADINGS,
                [[f"CMP{n:04d}", f"PAYEE {n}", "08-99-99", "66374958"] for n in range(people)],
            ),
            "Budgets": (
                BUDGET_HEADINGS,
                [[f"CMP{n:04d}", "06/04/2026", 12.5, 0] for n in range(people)],
            ),
        }
    )


def upload(client, data: bytes, name="export.xlsx", source="Mosaic"):
    return client.post(
        "/imports/new",
        data={"source": source, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


SELECTED = r'name="(NAME)"[^>]*>(?:(?!</select>).)*?<option value="(\w*)" selected'


def map_and_check(client, response, data=None):
    """From the sheets page: accept the guessed kinds and the offered columns, and check."""
    sheets = client.get(response.headers["Location"])
    assert sheets.status_code == 200
    kinds = dict(re.findall(SELECTED.replace("NAME", r"sheet-\d+"), sheets.text, re.S))
    page = client.get(
        response.headers["Location"].replace("/sheets", "/columns"), query_string=kinds
    )
    assert page.status_code == 200
    chosen = dict(re.findall(SELECTED.replace("NAME", r"column-\d+-\d+"), page.text, re.S))
    chosen |= data or {}
    return (
        client.post(
            response.headers["Location"].replace("/sheets", "/columns"),
            query_string=kinds,
            data=chosen,
        ),
        kinds,
        chosen,
    )
