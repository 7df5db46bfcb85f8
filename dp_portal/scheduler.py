"""The one registry of scheduled jobs, run by `flask dp scheduler` in its own process (never
inside web workers). Only one scheduler may run at a time: it holds a lock for as long as it
lives (a PostgreSQL session advisory lock, or a file lock beside an SQLite database). Every job
is also a CLI command and is safe to run twice."""

from __future__ import annotations

import fcntl
import signal
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import text

from .extensions import db

SCHEDULER_LOCK_KEY = 7_431_000


def reminders_job(app: Flask) -> int:
    from .core.types import local_today
    from .monitoring.jobs import issue_due_reminders

    with app.app_context():
        count = issue_due_reminders(local_today())
        db.session.commit()
        app.logger.info("Issued %s reminders", count)
        return count


# A run of the every-10-minutes jobs stops starting new batches after this long, so one run
# ends before the next is due however large the backlog (an uplift writes 100,000 letters).
BATCH_BUDGET_SECONDS = 8 * 60


def _in_batches(batch: Callable[[], int]) -> int:
    done, started = 0, time.monotonic()
    while time.monotonic() - started < BATCH_BUDGET_SECONDS:
        count = batch()
        done += count
        if count == 0:
            break
    return done


def letters_job(app: Flask) -> int:
    from .core.letters import RenderRun

    with app.app_context():
        run = RenderRun()
        _in_batches(run.next_batch)
        return run.rendered


def emails_job(app: Flask) -> int:
    from .core.letter_email import email_due_letters

    def batch() -> int:
        outcomes = email_due_letters(200)
        if outcomes:
            app.logger.info("Letter emails: %s", outcomes)
        return sum(n for outcome, n in outcomes.items() if outcome != "skipped")

    with app.app_context():
        return _in_batches(batch)


def checklist_reminders_job(app: Flask) -> int:
    from .employers.jobs import checklist_reminders_job as job

    return job(app)


def charter_reminders_job(app: Flask) -> int:
    from .employers.charter_jobs import charter_reminders_job as job

    return job(app)


def fees_job(app: Flask) -> int:
    from .client_money.fees import fees_job as job

    return job(app)


def forecasts_job(app: Flask) -> int:
    from .monitoring.forecast_jobs import forecasts_job as job

    return job(app)


def change_requests_job(app: Flask) -> int:
    from .isf.change_requests import overdue_job as job

    return job(app)


def imports_job(app: Flask) -> int:
    from .imports.jobs import imports_job as job

    return job(app)


# name -> (job, cron fields): the whole schedule, in one place.

JOBS: dict[str, tuple[Callable[[Flask], int], dict[str, str]]] = {
    "reminders": (reminders_job, {"hour": "6", "minute": "30"}),
    "letters": (letters_job, {"minute": "*/10"}),
    "emails": (emails_job, {"minute": "5-59/10"}),
    "checklist_reminders": (checklist_reminders_job, {"hour": "6", "minute": "40"}),
    "charter_reminders": (charter_reminders_job, {"hour": "6", "minute": "45"}),
    "fees": (fees_job, {"hour": "6", "minute": "50"}),
    "forecasts": (forecasts_job, {"hour": "6", "minute": "55"}),
    "change_requests": (change_requests_job, {"hour": "7", "minute": "0"}),
    # Imports too large to apply in the request (imports/jobs.py): picked up within a minute.
    "imports": (imports_job, {"minute": "*"}),
}


class AlreadyRunning(RuntimeError):
    pass


@contextmanager
def single_scheduler(app: Flask):
    """Hold the scheduler lock for the life of the block, or raise AlreadyRunning."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        connection = engine.connect()
        got = False
        try:
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": SCHEDULER_LOCK_KEY}
            ).scalar()
            if not got:
                raise AlreadyRunning("another scheduler holds the lock")
            yield
        finally:
            if got:  # pooled connections live on, so release the session lock explicitly
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEDULER_LOCK_KEY}
                )
            connection.close()
        return
    lock_path = Path(app.config["INSTANCE_DIR"]) / "scheduler.lock"
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise AlreadyRunning("another scheduler holds the lock") from exc
        yield


def run_scheduler(app: Flask) -> None:  # pragma: no cover - runs until stopped
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    with single_scheduler(app):
        scheduler = BlockingScheduler(timezone="Europe/London")
        for name, (job, cron) in JOBS.items():
            scheduler.add_job(
                job,
                CronTrigger(**cron),
                args=[app],
                id=name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=6 * 3600,
            )
        signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=True))
        app.logger.info("Scheduler started with jobs: %s", ", ".join(JOBS))
        scheduler.start()
