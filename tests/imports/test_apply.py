"""Applying: in the request when small, by the imports job when large; all or nothing; bank
details through the four eyes; forged forms refused; the dry run writes nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from dp_portal import create_app
from dp_portal.accounts.models import Account, BankDetailsChange
from dp_portal.auth.models import Role
from dp_portal.imports import jobs
from dp_portal.imports.models import Import

from ..conftest import _TMP, database_url_for_tests, make_config, sign_in_as
from .helpers import counts, go_live_workbook, map_and_check, upload


def _latest(db_session) -> Import:
    return db_session.execute(select(Import).order_by(Import.id.desc())).scalars().first()


def test_the_dry_run_of_a_small_file_writes_nothing(client, importer, db_session):
    before = counts(db_session)
    checked, _, _ = map_and_check(client, upload(client, go_live_workbook(people=5)))
    assert "New (20)" in client.get(checked.headers["Location"]).text
    assert counts(db_session) == before


def test_a_large_import_is_applied_by_the_job(client, app, importer, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_ROWS_IN_REQUEST", 4)
    checked, _, _ = map_and_check(client, upload(client, go_live_workbook(people=2)))
    before = counts(db_session)
    client.post(checked.headers["Location"] + "/apply")
    waiting = client.get(checked.headers["Location"])
    assert "Applying" in waiting.text and 'http-equiv="refresh"' in waiting.text
    assert counts(db_session) == before
    with app.app_context():
        assert jobs.apply_waiting() == 1
        assert jobs.apply_waiting() == 0  # nothing is applied twice
    done = client.get(checked.headers["Location"])
    assert "Applied" in done.text and 'http-equiv="refresh"' not in done.text
    assert counts(db_session)["people"] == before["people"] + 2
    assert all(sheet.rows_json is None for sheet in _latest(db_session).sheets)


def test_a_fault_in_the_job_fails_the_import_once(client, app, importer, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_ROWS_IN_REQUEST", 0)
    checked, _, _ = map_and_check(client, upload(client, go_live_workbook(people=1)))
    client.post(checked.headers["Location"] + "/apply")

    def broken(record, actor):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(jobs, "apply_now", broken)
    with app.app_context():
        assert jobs.apply_waiting() == 1
        assert jobs.apply_waiting() == 0
    record = _latest(db_session)
    db_session.refresh(record)
    assert record.state == "failed" and "because of a fault" in record.failure


def test_what_changed_since_the_dry_run_fails_the_whole_import(
    client, importer, db_session, factory
):
    checked, _, _ = map_and_check(client, upload(client, go_live_workbook(people=2)))
    client.post(checked.headers["Location"] + "/apply")  # people and accounts now exist
    again, _, _ = map_and_check(
        client, upload(client, go_live_workbook(people=2), name="changed.xlsx")
    )
    # Meanwhile another officer asks for other bank details on the first account.
    account = db_session.execute(select(Account).order_by(Account.id)).scalars().all()[-2]
    for change in db_session.execute(select(BankDetailsChange)).scalars():
        change.status, change.decided_at, change.decided_by_id = (
            "withdrawn",
            change.requested_at,
            change.requested_by_id,
        )
    db_session.flush()
    db_session.add(
        BankDetailsChange(
            account_id=account.id,
            payee_name="SOMEONE ELSE",
            sort_code="089999",
            account_number="66374958",
            bank_check="not_checked",
            correspondent_json='{"name": "A", "address_lines": [], "letter_format": "standard"}',
            reason="Phoned in",
            requested_by_id=factory.user(Role.FINANCE_OFFICER).id,
        )
    )
    db_session.flush()
    before = counts(db_session)
    page = client.post(again.headers["Location"] + "/apply", follow_redirects=True)
    assert "Nothing was changed" in page.text
    assert "check the import again" in page.text
    assert counts(db_session)["bank_details_changes"] == before["bank_details_changes"]
    assert _latest(db_session).state == "failed"


def test_imported_bank_details_need_a_second_importer_on_the_approval_page(
    client,
    importer,
    db_session,
    factory,
):
    checked, _, _ = map_and_check(client, upload(client, go_live_workbook(people=1)))
    client.post(checked.headers["Location"] + "/apply")
    change = db_session.execute(select(BankDetailsChange)).scalars().all()[-1]
    assert change.status == "pending" and change.requested_by_id == importer.id
    own = client.post(
        f"/bank-details-changes/{change.id}", data={"decision": "approve", "note": "Seen"}
    )
    assert own.status_code == 200
    db_session.refresh(change)
    assert change.status == "pending"
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    client.post(f"/bank-details-changes/{change.id}", data={"decision": "approve", "note": "Seen"})
    db_session.refresh(change)
    assert change.status == "approved"
    assert change.account.sort_code == "089999"


def test_a_forged_apply_without_the_form_token_is_refused(db_session, factory):
    class WithCsrf(make_config(database_url_for_tests(), _TMP / "csrf-import-instance")):
        WTF_CSRF_ENABLED = True

    forged = create_app(WithCsrf).test_client()
    user = factory.user(Role.FINANCE_OFFICER)
    record = Import(source="M", file_type="csv", state="checked", created_by_id=user.id)
    db_session.add(record)
    db_session.flush()
    sign_in_as(forged, user)
    for action in ("apply", "cancel", "check"):
        response = forged.post(f"/imports/{record.id}/{action}")
        assert response.status_code == 400
    response = forged.post(
        "/imports/new",
        data={"source": "M", "file": (io.BytesIO(b"a,b\r\n1,2\r\n"), "people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    db_session.refresh(record)
    assert record.state == "checked"


@pytest.mark.parametrize("role", [Role.TEAM_LEADER, Role.ADMIN, Role.RECIPIENT])
def test_only_finance_importers_import(client, factory, role):
    sign_in_as(client, factory.user(role))
    assert client.get("/imports").status_code == 403
