"""Imports nobody finished are cancelled by the scheduler after IMPORT_KEPT_DAYS, and the rows
read from their files (people's names, addresses and bank details) deleted; finished ones and
ones touched recently are left alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from dp_portal.core.audit import AuditEvent
from dp_portal.imports.expiry import abandoned, last_touched
from dp_portal.imports.models import Import
from dp_portal.scheduler import JOBS

from .helpers import go_live_workbook, map_and_check, upload

NOW = datetime(2026, 12, 3, 7, 5, tzinfo=UTC)


def test_the_last_thing_done_to_an_import_counts():
    uploaded = NOW - timedelta(days=40)
    checked = NOW - timedelta(days=2)
    assert last_touched(uploaded, None, None) == uploaded
    assert last_touched(uploaded, checked, None) == checked
    assert last_touched(uploaded, checked - timedelta(days=1), checked) == checked


def test_an_import_is_abandoned_after_whole_days():
    assert abandoned(NOW - timedelta(days=30), NOW, 30)
    assert not abandoned(NOW - timedelta(days=30) + timedelta(seconds=1), NOW, 30)


def _imports(db_session) -> list[Import]:
    db_session.expire_all()
    return list(db_session.execute(select(Import).order_by(Import.id)).scalars())


def _age(db_session, record: Import, days: int) -> None:
    then = datetime.now(UTC) - timedelta(days=days)
    record.created_at = then
    record.checked_at = then if record.checked_at else None
    db_session.commit()


def test_the_job_cancels_only_imports_left_unfinished_too_long(app, client, importer, db_session):
    upload(client, go_live_workbook(people=1))  # left at "choose the columns"
    map_and_check(client, upload(client, go_live_workbook(people=1)))  # left checked
    map_and_check(client, upload(client, go_live_workbook(people=1)))  # checked recently
    old_upload, old_check, recent = _imports(db_session)
    _age(db_session, old_upload, 31)
    _age(db_session, old_check, 31)
    _age(db_session, recent, 29)

    job = JOBS["abandoned_imports"][0]
    assert job(app) == 2
    assert job(app) == 0  # nothing is cancelled twice

    old_upload, old_check, recent = _imports(db_session)
    assert (old_upload.state, old_check.state, recent.state) == (
        "cancelled",
        "cancelled",
        "checked",
    )
    assert all(sheet.rows_json is None for sheet in old_upload.sheets + old_check.sheets)
    assert all(sheet.rows_json for sheet in recent.sheets)
    events = db_session.execute(
        select(AuditEvent).where(AuditEvent.action == "import.expired")
    ).scalars()
    assert sorted((e.object_id, e.actor_id) for e in events) == [
        (old_upload.id, None),
        (old_check.id, None),
    ]
    page = client.get(f"/imports/{old_check.id}").text
    assert "Cancelled" in page


def test_an_operator_cancels_them_by_hand_too(app, client, importer, db_session):
    upload(client, go_live_workbook(people=1))
    (record,) = _imports(db_session)
    _age(db_session, record, 45)
    result = app.test_cli_runner().invoke(args=["dp", "abandoned-imports"])
    assert result.exit_code == 0 and "Cancelled 1 import nobody finished." in result.output
    (record,) = _imports(db_session)
    assert record.state == "cancelled"


def test_one_an_officer_finishes_as_the_job_runs_is_left_to_them(
    app, client, importer, db_session, monkeypatch
):
    from dp_portal.core.errors import RuleError
    from dp_portal.imports import services

    upload(client, go_live_workbook(people=1))
    upload(client, go_live_workbook(people=1))
    first, second = _imports(db_session)
    _age(db_session, first, 31)
    _age(db_session, second, 31)
    real_move, first_id = services.move, first.id

    def raced(record, to, **values):
        if record.id == first_id:  # the officer's cancel reached the row first
            raise RuleError("This import is being applied or has been applied")
        return real_move(record, to, **values)

    monkeypatch.setattr(services, "move", raced)
    assert JOBS["abandoned_imports"][0](app) == 1
    first, second = _imports(db_session)
    assert (first.state, second.state) == ("uploaded", "cancelled")
    assert all(sheet.rows_json for sheet in first.sheets)
