"""The recipient's journey through the statement pages (Flask client): import, check and
correct the lines, fill the return; ask for the columns; refusals shown, nothing saved."""

import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dp_portal.auth.models import Role
from dp_portal.monitoring.models import MonitoringReturn
from dp_portal.monitoring.statement_models import StatementImport, StatementLine

from ..conftest import sign_in_as

CORPUS = Path(__file__).parent.parent / "data" / "statements"
START = "2026-10-01"


@pytest.fixture
def me(client, factory):
    account = factory.account(
        start_date=date(2026, 4, 6), sort_code="309950", account_number="12345678"
    )
    user = factory.user(Role.RECIPIENT)
    factory.access(user, account)
    sign_in_as(client, user)
    return account


def upload(client, account, name, data=None):
    data = data if data is not None else (CORPUS / name).read_bytes()
    return client.post(
        f"/accounts/{account.id}/returns/{START}/statement",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def count(db_session, model) -> int:
    return db_session.execute(select(func.count(model.id))).scalar()


def test_import_check_correct_and_fill_the_return(client, me, db_session):
    response = upload(client, me, "ofx2_xml.qfx")
    assert response.status_code == 302
    page = client.get(response.location).data.decode()
    assert "4 lines imported" in page
    assert "Matches the council" not in page  # no committed payment in this test
    assert "The description says COUNCIL" in page and "J SMITH WAGES" in page
    wages = db_session.execute(
        select(StatementLine).where(StatementLine.amount_pence == -40000)
    ).scalar_one()
    lines = {
        f"line-{line.id}": line.category
        for line in db_session.execute(select(StatementLine)).scalars()
    }
    lines[f"line-{wages.id}"] = "payroll"
    filled = client.post(
        f"/accounts/{me.id}/returns/{START}/statement/lines", data={**lines, "fill": "y"}
    )
    assert filled.status_code == 302 and filled.location.endswith(f"/returns/{START}")
    draft = db_session.execute(select(MonitoringReturn)).scalar_one()
    db_session.refresh(draft)
    assert (draft.spend_payroll_pence, draft.spend_pa_wages_pence) == (40000, 0)
    assert (draft.council_payments_pence, draft.bank_balance_pence) == (123456, 24921)
    form = client.get(filled.location).data.decode()
    assert 'value="400.00"' in form and "Import your bank statement" in form


def test_a_refusal_names_the_row_and_column_and_saves_nothing(client, me, db_session):
    response = upload(client, me, "refused_bad_date.csv")
    assert response.status_code == 200
    page = response.data.decode()
    assert "The statement was not imported. Row 4, column A (Date)" in page
    assert "There is a problem" in page
    assert count(db_session, StatementImport) == count(db_session, StatementLine) == 0


def test_a_duplicate_import_says_so_and_changes_nothing(client, me, db_session):
    upload(client, me, "lloyds.csv")
    again = upload(client, me, "barclays.csv")  # the same four lines, another bank layout
    assert "has been imported before, so nothing has changed" in again.data.decode()
    assert count(db_session, StatementImport) == 1 and count(db_session, StatementLine) == 4


def test_a_file_without_column_names_asks_for_them(client, me, db_session):
    asked = upload(client, me, "no_header_amount_and_balance.csv")
    assert "/columns" in asked.location
    page = client.get(asked.location).data.decode()
    assert "Tell us which column is which" in page and "Column D, for example 1734.56" in page
    wrong = client.post(asked.location, data={"layout": "signed", "date": "0"})
    assert "Choose the column for the description" in wrong.data.decode()
    done = client.post(
        asked.location,
        data={"layout": "signed", "date": "0", "description": "1", "amount": "2", "balance": "3"},
    )
    assert done.status_code == 302
    assert count(db_session, StatementLine) == 4


def test_another_persons_statement_pages_are_not_found(client, me, factory):
    other = factory.account(start_date=date(2026, 4, 6))
    assert client.get(f"/accounts/{other.id}/returns/{START}/statement").status_code == 404


def test_a_forged_post_without_a_file_is_asked_for_one(client, me):
    response = client.post(
        f"/accounts/{me.id}/returns/{START}/statement", data={"file": "not a file"}
    )
    assert response.status_code == 200
    assert "Choose the statement file to import" in response.data.decode()
