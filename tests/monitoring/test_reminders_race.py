"""Two reminder runners at once (two `flask dp reminders` processes, as two schedulers or a
scheduler and an officer would be), and a runner that crashes halfway: every stage is issued
exactly once. Real processes and real commits on a scratch database; on PostgreSQL the two
transactions truly overlap."""

import os
import subprocess
import sys
from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from dp_portal import create_app
from dp_portal.core.letters import Letter
from dp_portal.extensions import db
from dp_portal.monitoring import jobs
from dp_portal.monitoring.jobs import issue_due_reminders
from dp_portal.monitoring.models import EscalationTask, ReminderIssue

from ..conftest import _TMP, make_config, scratch_database
from ..factories import Factory

START = date(2025, 4, 1)
AS_OF = date(2025, 12, 31)
ACCOUNTS = 40


@pytest.fixture
def scratch_app():
    url, drop = scratch_database("reminders")
    instance = _TMP / "reminders-instance"
    app = create_app(make_config(url, instance))
    with app.app_context():
        upgrade()
        factory = Factory(db.session)
        for _ in range(ACCOUNTS):
            factory.account(start_date=START)
        db.session.commit()
    try:
        yield app, url, instance
    finally:
        with app.app_context():
            db.engine.dispose()
        drop()


def _counts(app):
    with app.app_context():
        issues = db.session.execute(select(func.count()).select_from(ReminderIssue)).scalar()
        distinct = db.session.execute(
            select(func.count()).select_from(
                select(ReminderIssue.account_id, ReminderIssue.period_start, ReminderIssue.stage)
                .distinct()
                .subquery()
            )
        ).scalar()
        letters = db.session.execute(select(func.count()).select_from(Letter)).scalar()
        tasks = db.session.execute(select(func.count()).select_from(EscalationTask)).scalar()
        return issues, distinct, letters, tasks


def test_two_processes_at_once_issue_each_reminder_once(scratch_app):
    app, url, instance = scratch_app
    env = os.environ | {
        "DP_ENV": "development",
        "DATABASE_URL": url,
        "DP_INSTANCE_DIR": str(instance),
    }
    command = [sys.executable, "-m", "flask", "--app", "dp_portal", "dp", "reminders"]
    runners = [
        subprocess.Popen(
            [*command, "--as-of", AS_OF.isoformat()],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [runner.communicate(timeout=120)[0] for runner in runners]
    assert [runner.returncode for runner in runners] == [0, 0], outputs
    issued = sorted(int(out.split("Issued ")[1].split()[0]) for out in outputs)
    issues, distinct, letters, tasks = _counts(app)
    # April-June and July-September are fully escalated (4 stages each); October-December
    # is not due yet on 31 December.
    assert issues == distinct == letters == ACCOUNTS * 8
    assert tasks == ACCOUNTS * 2
    assert issued == [0, ACCOUNTS * 8]  # one runner did the work, the other found none


def test_a_crash_halfway_leaves_nothing_and_the_next_run_issues_all(scratch_app, monkeypatch):
    app, _, _ = scratch_app

    def crash(rows):
        raise RuntimeError("power cut while recording letters")

    monkeypatch.setattr(jobs, "record_letters", crash)
    with app.app_context():
        with pytest.raises(RuntimeError):
            issue_due_reminders(AS_OF)
        db.session.rollback()
    assert _counts(app) == (0, 0, 0, 0)  # the reminders went with the letters: all or none
    monkeypatch.undo()
    with app.app_context():
        assert issue_due_reminders(AS_OF) == ACCOUNTS * 8
        db.session.commit()
        assert issue_due_reminders(AS_OF) == 0
    assert _counts(app) == (ACCOUNTS * 8, ACCOUNTS * 8, ACCOUNTS * 8, ACCOUNTS * 2)
