"""The importer's flow through the pages: upload, say what each sheet holds, map the
columns, see the dry run, apply, and upload the same file again (nothing is duplicated)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dp_portal.imports.models import Import

from .helpers import counts, go_live_workbook, map_and_check, upload


def test_upload_map_check_apply_and_again_creates_nothing_twice(client, importer, db_session):
    uploaded = upload(client, go_live_workbook())
    assert uploaded.status_code == 302
    checked, kinds, chosen = map_and_check(client, uploaded)
    assert kinds == {
        "sheet-0": "people",
        "sheet-1": "accounts",
        "sheet-2": "bank_details",
        "sheet-3": "budgets",
    }
    assert checked.status_code == 302
    report = client.get(checked.headers["Location"])
    assert "Apply the import" in report.text
    assert "12 rows" not in report.text and "New (12)" in report.text
    before = counts(db_session)
    applied = client.post(checked.headers["Location"] + "/apply")
    assert applied.status_code == 302
    page = client.get(applied.headers["Location"])
    assert "The import has been applied" in page.text
    after = counts(db_session)
    assert after["people"] - before["people"] == 3
    assert after["bank_details_changes"] - before["bank_details_changes"] == 3
    # The same file again: the columns are remembered, every row is unchanged.
    again = upload(client, go_live_workbook(), name="export-again.xlsx")
    rechecked, _, chosen_again = map_and_check(client, again)
    assert chosen_again == chosen
    second = client.get(rechecked.headers["Location"])
    assert "No change (12)" in second.text and "New (0)" in second.text
    client.post(rechecked.headers["Location"] + "/apply")
    assert counts(db_session)["people"] == after["people"]
    assert counts(db_session)["accounts"] == after["accounts"]
    assert counts(db_session)["budgets"] == after["budgets"]


def test_the_dry_run_names_sheet_and_cell_and_apply_is_refused(client, importer, db_session):
    data = go_live_workbook(wrong={(1, 3): "31/02/1950"})
    checked, _, _ = map_and_check(client, upload(client, data))
    before = counts(db_session)
    report = client.get(checked.headers["Location"])
    assert "People, cell D3" in report.text
    assert "date of birth 31/02/1950 is not a real date" in report.text
    assert "Apply the import" not in report.text
    refused = client.post(checked.headers["Location"] + "/apply", follow_redirects=True)
    assert "The dry run found problems" in refused.text
    assert counts(db_session) == before


def test_a_csv_file_names_row_and_column(client, importer, db_session):
    csv = (
        "Client ID,Forename,Surname,DOB,Address 1,Town,Postcode\r\n"
        "SW1,Ann,Bell,1950-01-01,1 Road,Town,not a postcode\r\n"
    )
    uploaded = upload(client, csv.encode(), name="people.csv")
    checked, kinds, _ = map_and_check(client, uploaded)
    assert kinds == {"sheet-0": "people"}
    report = client.get(checked.headers["Location"])
    assert "Row 2, column G (Postcode)" in report.text


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"%PDF-1.7\n%%EOF\n", "people.xlsx", "The file is a PDF document"),
        (b"", "people.csv", "The file is empty"),
        (b"PK\x03\x04broken", "people.xlsx", "damaged"),
        (b"Client ID,Name\r\nSW1,Ann\x1b\r\n", "people.csv", "Line 2 of the CSV file has a"),
        (b"a,a\r\n1,2\r\n", "people.csv", "both headed a"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(
    client, importer, db_session, data, name, message
):
    response = upload(client, data, name=name)
    assert response.status_code == 200
    assert message in response.text
    assert db_session.execute(select(func.count()).select_from(Import)).scalar() == 0


def test_a_field_chosen_twice_or_a_key_left_out_is_explained(client, importer, db_session):
    uploaded = upload(client, go_live_workbook())
    response, _, _ = map_and_check(client, uploaded, {"column-0-0": "", "column-0-1": "last_name"})
    assert response.status_code == 200
    assert "Choose the column with the client reference" in response.text
    assert "Last name is chosen for two columns" in response.text


def test_a_forged_column_choice_is_refused(client, importer):
    uploaded = upload(client, go_live_workbook())
    response, _, _ = map_and_check(client, uploaded, {"column-0-0": "password_hash"})
    assert response.status_code == 200 and "Not a valid choice" in response.text


def test_cancelling_keeps_the_report_and_drops_the_rows(client, importer, db_session):
    checked, _, _ = map_and_check(client, upload(client, go_live_workbook()))
    client.post(checked.headers["Location"] + "/cancel")
    record = db_session.execute(select(Import)).scalars().all()[-1]
    assert record.state == "cancelled"
    assert all(sheet.rows_json is None for sheet in record.sheets)
    assert (
        client.post(checked.headers["Location"] + "/apply", follow_redirects=True).status_code
        == 200
    )
    assert record.state == "cancelled"
