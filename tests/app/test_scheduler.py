"""One scheduler at a time, and every scheduled job safe to run by hand."""

import os
import socket
import threading

import pytest
from sqlalchemy import select, text

from dp_portal.core.audit import AuditEvent
from dp_portal.extensions import db
from dp_portal.scheduler import (
    JOBS,
    RUN_THE_DAY_NOW,
    SCHEDULER_LOCK_KEY,
    AlreadyRunning,
    _guarded,
    run_job,
    single_scheduler,
    the_day,
)

from ..conftest import database_url_for_tests, sign_in_as


def test_a_second_scheduler_refuses_to_start(app):
    with single_scheduler(app):
        with pytest.raises(AlreadyRunning), single_scheduler(app):
            pass
        result = app.test_cli_runner().invoke(args=["dp", "scheduler"])
        assert result.exit_code != 0 and "Not starting" in result.output
    with single_scheduler(app):  # released when the first one stopped
        pass


def test_every_job_runs_and_is_safe_to_repeat(app, db_session):
    assert set(JOBS) == {
        "isf_periods",
        "reminders",
        "letters",
        "emails",
        "checklist_reminders",
        "charter_reminders",
        "forecasts",
        "fees",
        "change_requests",
        "abandoned_imports",
        "imports",
    }
    for job, cron in JOBS.values():
        assert cron
        assert job(app) >= 0
        # Letters render what is due; forecasts and report totals are worked out afresh each
        # time (replacing the summaries): they may do work again, and nothing is issued twice.
        again = {JOBS[name][0] for name in ("letters", "forecasts")}
        assert job(app) == 0 or job in again


def _runs(db_session) -> list[dict]:
    rows = db_session.execute(
        select(AuditEvent).where(AuditEvent.action == "scheduler.job_ran").order_by(AuditEvent.id)
    ).scalars()
    return [row.after for row in rows]


def test_each_daily_run_is_in_the_audit_log_with_the_host_that_ran_it(app, db_session):
    assert run_job(app, "fees") == 0
    assert _runs(db_session) == [
        {"job": "fees", "host": socket.gethostname(), "pid": os.getpid(), "done": 0}
    ]


def test_an_officer_reads_the_days_runs_in_the_audit_log(app, db_session, factory, client):
    run_job(app, "forecasts")
    sign_in_as(client, factory.user())
    page = client.get("/audit?action=scheduler.").get_data(as_text=True)
    assert (
        "Scheduler job ran" in page
        and f"Scheduled job forecasts ran on {socket.gethostname()}" in page
    )


def test_a_ten_minute_job_with_nothing_to_do_is_not_recorded(app, db_session):
    assert run_job(app, "letters") == 0
    assert _runs(db_session) == []


def test_the_day_runs_each_job_once_daily_jobs_by_their_time_then_the_frequent_ones():
    # The frequent jobs come last: letters and emails render and send what the daily jobs
    # wrote; imports (every minute) applies whatever officers left for it.
    assert the_day() == [
        "isf_periods",
        "reminders",
        "checklist_reminders",
        "charter_reminders",
        "fees",
        "forecasts",
        "change_requests",
        "abandoned_imports",
        "letters",
        "emails",
        "imports",
    ]


def test_a_scheduler_that_lost_its_lock_runs_nothing_and_stops(app, db_session):
    class Lost:
        def held(self) -> bool:
            return False

    stopped = []
    run = _guarded(app, Lost(), lambda: stopped.append(True))
    assert [run("fees"), run("forecasts")] == [0, 0]
    assert stopped == [True] and _runs(db_session) == []  # stopped once, nothing ran


def test_production_refuses_the_test_only_way_to_run_the_day_now(app, monkeypatch):
    monkeypatch.setenv(RUN_THE_DAY_NOW, "1")
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = app.test_cli_runner().invoke(args=["dp", "scheduler"])
    assert result.exit_code != 0
    assert f"Not starting: {RUN_THE_DAY_NOW} is for tests only" in result.output


@pytest.mark.skipif(
    not database_url_for_tests().startswith("postgresql"),
    reason="a PostgreSQL session lock (SQLite's is a file lock, held while the process lives)",
)
def test_a_lock_lost_with_its_connection_is_noticed_and_a_standby_can_take_over(app):
    with single_scheduler(app) as lock:
        assert lock.held()
        with app.app_context():
            db.session.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks"
                    " WHERE locktype = 'advisory' AND objid = :key"
                ),
                {"key": SCHEDULER_LOCK_KEY},
            )
            db.session.commit()
        assert not lock.held()
        with single_scheduler(app) as standby:
            assert standby.held()


def test_a_standby_waits_for_the_lock_and_takes_over_when_the_first_stops(app):
    took = threading.Event()

    def standby() -> None:
        with single_scheduler(app, standby=True):
            took.set()

    thread = threading.Thread(target=standby)
    with single_scheduler(app):
        thread.start()
        assert not took.wait(1)  # still waiting while the first holds the lock
    assert took.wait(60)
    thread.join(60)
