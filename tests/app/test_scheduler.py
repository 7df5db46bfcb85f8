"""One scheduler at a time, and every scheduled job safe to run by hand."""

import pytest

from dp_portal.scheduler import JOBS, AlreadyRunning, single_scheduler


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
        "reminders",
        "letters",
        "emails",
        "checklist_reminders",
        "charter_reminders",
        "forecasts",
        "fees",
        "change_requests",
        "imports",
    }
    for job, cron in JOBS.values():
        assert cron
        assert job(app) >= 0
        # Letters render what is due; forecasts and report totals are worked out afresh each
        # time (replacing the summaries): they may do work again, and nothing is issued twice.
        again = {JOBS[name][0] for name in ("letters", "forecasts")}
        assert job(app) == 0 or job in again
