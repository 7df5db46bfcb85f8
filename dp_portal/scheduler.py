"""The one registry of scheduled jobs, run by `flask dp scheduler` in its own process (never
inside web workers). Only one scheduler may run at a time: it holds a lock for as long as it
lives (a PostgreSQL session advisory lock, or a file lock beside an SQLite database): a second
scheduler refuses to start, or with --standby waits on another host and takes over when the
first stops. Every job is also a CLI command and is safe to run twice.

Each run of a daily job, and each run of a 10-minute job that did something, is in the audit
log ("scheduler.job_ran", by the system) with the host and process that ran it: an operator can
see that the day's jobs ran, once, and where.
"""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .core import audit
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


def isf_periods_job(app: Flask) -> int:
    from .isf.period_jobs import periods_job as job

    return job(app)


def imports_job(app: Flask) -> int:
    from .imports.jobs import imports_job as job

    return job(app)


def abandoned_imports_job(app: Flask) -> int:
    from .imports.jobs import abandoned_imports_job as job

    return job(app)


# name -> (job, cron fields): the whole schedule, in one place.

JOBS: dict[str, tuple[Callable[[Flask], int], dict[str, str]]] = {
    # A payment period's ISF periods with their plans, on its first day (before any invoice).
    "isf_periods": (isf_periods_job, {"hour": "6", "minute": "20"}),
    "reminders": (reminders_job, {"hour": "6", "minute": "30"}),
    "letters": (letters_job, {"minute": "*/10"}),
    "emails": (emails_job, {"minute": "5-59/10"}),
    "checklist_reminders": (checklist_reminders_job, {"hour": "6", "minute": "40"}),
    "charter_reminders": (charter_reminders_job, {"hour": "6", "minute": "45"}),
    "fees": (fees_job, {"hour": "6", "minute": "50"}),
    "forecasts": (forecasts_job, {"hour": "6", "minute": "55"}),
    "change_requests": (change_requests_job, {"hour": "7", "minute": "0"}),
    "abandoned_imports": (abandoned_imports_job, {"hour": "7", "minute": "5"}),
    # Imports too large to apply in the request (imports/jobs.py): picked up within a minute.
    "imports": (imports_job, {"minute": "*"}),
}


# Test-only: with this set to 1, the scheduler runs the whole day's jobs once as soon as it
# has the lock (in the order of the day, the 10-minute jobs last) and then only holds the lock,
# so a test can watch several schedulers on one database decide who runs the day. A production
# app refuses to start with it (NotStarting).
RUN_THE_DAY_NOW = "DP_SCHEDULER_RUN_THE_DAY_NOW"
TIMEZONE = ZoneInfo("Europe/London")


class NotStarting(RuntimeError):
    """The scheduler must not start; the message says why."""


class AlreadyRunning(NotStarting):
    pass


def _is_daily(name: str) -> bool:
    return "hour" in JOBS[name][1]


def run_job(app: Flask, name: str) -> int:
    """Run one job of the schedule and record the run in the audit log: every daily run, and
    a 10-minute run only when it did something (nobody needs 288 "nothing to do" rows a day)."""
    done = JOBS[name][0](app)
    if _is_daily(name) or done:
        host, pid = socket.gethostname(), os.getpid()
        with app.app_context():
            audit.record(
                None,
                "scheduler.job_ran",
                object_type="scheduled_job",
                summary=f"Scheduled job {name} ran on {host} (process {pid}): {done} done",
                after={"job": name, "host": host, "pid": pid, "done": done},
            )
            db.session.commit()
    return done


def the_day() -> list[str]:
    """Every job once, in the order a day runs them: the daily jobs by their time, then the
    frequent jobs (letters and emails render and send what the daily jobs wrote)."""
    daily = sorted(
        (name for name in JOBS if _is_daily(name)),
        key=lambda name: (int(JOBS[name][1]["hour"]), int(JOBS[name][1]["minute"])),
    )
    return daily + [name for name in JOBS if not _is_daily(name)]


def run_the_day_now_asked(app: Flask) -> bool:
    """Whether a test asked for the day at once (RUN_THE_DAY_NOW); refused in production."""
    if os.environ.get(RUN_THE_DAY_NOW, "") != "1":
        return False
    if app.config["ENV_NAME"] == "production":
        raise NotStarting(
            f"{RUN_THE_DAY_NOW} is for tests only (it runs every job at once): "
            "remove it from the production environment"
        )
    return True


class SchedulerLock:
    """The lock a running scheduler holds. `held()` asks the database whether it still does:
    a PostgreSQL session lock ends with its connection (a restarted server, a network cut, an
    administrator ending idle sessions), and a standby scheduler may then have taken over."""

    def __init__(self, connection=None) -> None:
        self._connection = connection
        self._guard = threading.Lock()  # jobs run in threads; a connection serves one

    def held(self) -> bool:
        if self._connection is None:
            return True  # a file lock lasts as long as this process keeps the file open
        try:
            with self._guard:
                return bool(
                    self._connection.execute(
                        text(
                            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                            " AND pid = pg_backend_pid() AND objid = :key AND granted"
                        ),
                        {"key": SCHEDULER_LOCK_KEY},
                    ).scalar()
                )
        except SQLAlchemyError:
            return False


@contextmanager
def single_scheduler(app: Flask, *, standby: bool = False) -> Iterator[SchedulerLock]:
    """Hold the scheduler lock for the life of the block, or raise AlreadyRunning; a standby
    waits for the lock instead (a second scheduler host, taking over when the first stops)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        # Autocommit: the connection holds the lock for days, never a transaction with it.
        connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = False
        try:
            key = {"key": SCHEDULER_LOCK_KEY}
            if standby:  # waits here until the lock is free
                connection.execute(text("SELECT pg_advisory_lock(:key)"), key)
                got = True
            else:
                got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar()
            if not got:
                raise AlreadyRunning("another scheduler holds the lock")
            yield SchedulerLock(connection)
        finally:
            with suppress(SQLAlchemyError):  # a lost connection has released it already
                if got:  # pooled connections live on, so release the session lock explicitly
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
                connection.close()
        return
    lock_path = Path(app.config["INSTANCE_DIR"]) / "scheduler.lock"
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if standby else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            raise AlreadyRunning("another scheduler holds the lock") from exc
        yield SchedulerLock()


def _guarded(app: Flask, lock: SchedulerLock, stop: Callable[[], None]) -> Callable[[str], int]:
    """run_job, only while this scheduler still holds the lock; once it has lost it, the
    scheduler stops (its service manager restarts it, and it waits for the lock again)."""

    stopped: list[bool] = []

    def run(name: str) -> int:
        if stopped or not lock.held():
            if not stopped:
                app.logger.error("Scheduler lock lost: not running %s; stopping", name)
                stopped.append(True)
                stop()
            return 0
        return run_job(app, name)

    return run


def run_scheduler(app: Flask, *, standby: bool = False) -> None:  # pragma: no cover
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.date import DateTrigger

    day_now = run_the_day_now_asked(app)
    with single_scheduler(app, standby=standby) as lock:
        scheduler = BlockingScheduler(timezone=TIMEZONE)
        run = _guarded(app, lock, lambda: scheduler.shutdown(wait=False))
        if day_now:

            def run_the_day() -> None:
                for name in the_day():
                    run(name)

            scheduler.add_job(run_the_day, DateTrigger(datetime.now(TIMEZONE)), id="the_day")
        else:
            for name, (_job, cron) in JOBS.items():
                scheduler.add_job(
                    run,
                    CronTrigger(**cron),
                    args=[name],
                    id=name,
                    coalesce=True,
                    max_instances=1,
                    misfire_grace_time=6 * 3600,
                )
        signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=True))
        app.logger.info("Scheduler started with jobs: %s", ", ".join(JOBS))
        scheduler.start()
