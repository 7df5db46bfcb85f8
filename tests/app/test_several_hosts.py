"""Several web servers and a standby scheduler (issue 16): two web hosts started by `make prod`
(gunicorn, production settings) and two schedulers, all on loopback against one PostgreSQL and
one Redis. A browser signed in through one host is signed in on the other (cookie sessions, the
session rows in the database), a form from one host posts to the other (CSRF), a rate limit
counted on one host holds on the other (Redis), both hosts migrate the database at once without
failing, and the day's jobs run once: the second scheduler refuses to start while the first
holds the lock, and a standby that takes over issues nothing twice.

PostgreSQL only (SQLite serves one host): skipped on a SQLite run, which CI's PostgreSQL run
covers. Every process is started in a session of its own and killed with it in teardown.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent
from dp_portal.core.letters import Letter
from dp_portal.core.types import local_today
from dp_portal.monitoring.models import ReminderIssue
from dp_portal.scheduler import RUN_THE_DAY_NOW, SCHEDULER_LOCK_KEY, the_day

from ..conftest import _TMP, database_url_for_tests, scratch_database
from ..factories import PASSWORD, Factory
from .processes import BIN, MAKE_PROD, ROOT, Started, eventually, start_redis, stop_all

ON_POSTGRESQL = database_url_for_tests().startswith("postgresql")
OFFICER, TARGET = "officer@hosts.test", "target@hosts.test"
COUNCIL = {
    "COUNCIL_NAME": "Hosts Test Council",
    "COUNCIL_ADDRESS": "1 Loopback Road, Localhost",
    "COUNCIL_EMAIL": "dp@hosts.test",
    "COUNCIL_PHONE": "0100 000000",
    "LETTER_SIGNATORY": "A Tester",
    "LETTER_SIGNATORY_TITLE": "Tester",
    "MAIL_FROM": "dp@hosts.test",
    "BACS_ORIGINATOR_SORT_CODE": "400000",
    "BACS_ORIGINATOR_ACCOUNT": "87654321",
    "BACS_ORIGINATOR_NAME": "HOSTS TEST COUNCIL",
}


def _environment(database: str, folder: Path, **settings: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(folder)),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),  # this checkout's dp_portal, whatever the venv points at
        "DATABASE_URL": database,
        "DP_INSTANCE_DIR": str(folder),
        **settings,
    }


def _web_host(name: str, database: str, redis: str, secret: str, folder: Path) -> Started:
    """`make prod` as a web host runs it: production settings, the release step, gunicorn."""
    env = _environment(
        database,
        folder / name,
        DP_ENV="production",
        SECRET_KEY=secret,
        RATELIMIT_STORAGE_URI=redis,
        RATELIMIT_SIGN_IN_PER_ACCOUNT="3 per hour",
        MAIL_SERVER="127.0.0.1",
        PUBLIC_BASE_URL="https://dp-portal.hosts.test",
        WEB_BIND="127.0.0.1:0",  # gunicorn takes a free port and names it in its log
        WEB_WORKERS="2",
        WEB_THREADS="2",
        **COUNCIL,
    )
    return Started(name, [*MAKE_PROD, f"BIN={BIN}"], env, folder)


def _scheduler(name: str, database: str, secret: str, folder: Path, *options: str) -> Started:
    """A scheduler host that runs the whole day at once (a development app: production refuses
    the test's way to run the day now); letters are emailed into its folder's outbox."""
    env = _environment(
        database, folder / name, DP_ENV="development", SECRET_KEY=secret, **{RUN_THE_DAY_NOW: "1"}
    )
    argv = [str(BIN / "flask"), "--app", "dp_portal", "dp", "scheduler", *options]
    return Started(name, argv, env, folder)


def _seed(database: str) -> None:
    with _session(database) as session:
        factory = Factory(session)
        factory.user(Role.FINANCE_OFFICER, email=OFFICER, full_name="Officer Across Hosts")
        factory.user(Role.FINANCE_OFFICER, email=TARGET)
        # A first return (due 16 weeks after the start) some weeks overdue: the day's reminder
        # job writes a few letters, which the letter jobs render and email to the person.
        person = factory.person(email="person@hosts.test")
        factory.account(person, start_date=local_today() - timedelta(weeks=22))
        session.commit()


@pytest.fixture(scope="module")
def hosts() -> Iterator[dict]:
    if not ON_POSTGRESQL:
        pytest.skip(
            "needs PostgreSQL (TEST_DATABASE_URL): several hosts share one database; "
            "CI's PostgreSQL run covers it"
        )
    folder = _TMP / f"hosts-{secrets.token_hex(4)}"
    folder.mkdir()
    database, drop = scratch_database("hosts")
    started: list[Started] = []
    try:
        redis, redis_url = start_redis(folder)
        started.append(redis)
        secret = secrets.token_urlsafe(48)
        web = [_web_host(name, database, redis_url, secret, folder) for name in ("web-a", "web-b")]
        started += web
        ports = [int(host.wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)")[1]) for host in web]
        _seed(database)
        yield {
            "database": database, "secret": secret, "folder": folder, "web": web,
            "ports": ports, "redis": redis_url, "started": started,
        }  # fmt: skip
    finally:
        stop_all(started)
        drop()


class Browser:
    """One browser's cookies, sent to whichever host it asks (by hand: the production cookies
    are Secure, and these hosts speak plain HTTP on loopback, behind no proxy)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.getheader("Location", ""), text

    def csrf_token(self, port: int, path: str) -> str:
        status, _, page = self.request(port, "GET", path)
        assert status == 200, page[:500]
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]

    def sign_in(self, port: int, token: str, email: str, password: str) -> tuple[int, str]:
        form = {"csrf_token": token, "email": email, "password": password}
        status, location, _ = self.request(port, "POST", "/sign-in", form)
        return status, location


def test_both_hosts_migrated_at_once_one_waiting_for_the_other(hosts):
    logs = [host.output() for host in hosts["web"]]
    assert all("Production settings: complete." in log for log in logs)
    assert all("Database up to date" in log for log in logs)
    # The first to take the release lock migrated and loaded the handbook; the other waited
    # for it and found nothing to do (at the same time, one would have failed to start).
    assert sorted("Running upgrade" in log for log in logs) == [False, True]
    assert sorted("handbook sections" in log for log in logs) == [False, True]


def test_a_browser_signed_in_through_one_host_is_signed_in_on_the_other(hosts):
    a, b = hosts["ports"]
    browser = Browser()
    token = browser.csrf_token(a, "/sign-in")
    # The form came from host A; host B accepts its CSRF token and signs the browser in.
    assert browser.sign_in(b, token, OFFICER, PASSWORD) == (302, "/")
    for port in (a, b):
        status, _, page = browser.request(port, "GET", "/your-account")
        assert status == 200 and "Officer Across Hosts" in page
    # Signing out on host A ends the session on host B too (the row is gone).
    assert browser.request(a, "POST", "/sign-out", {"csrf_token": token})[0] == 302
    status, location, _ = browser.request(b, "GET", "/your-account")
    assert status == 302 and location.startswith("/sign-in")


def test_a_form_with_a_token_the_deployment_did_not_sign_is_refused(hosts):
    a, _ = hosts["ports"]
    browser = Browser()
    browser.csrf_token(a, "/sign-in")
    forged = Browser()
    forged.cookies = dict(browser.cookies)
    # A token this host did not sign (a host with another SECRET_KEY would make such tokens).
    status, _ = forged.sign_in(a, "ImZvcmdlZCI.forged.token", OFFICER, PASSWORD)
    assert status == 400


def test_a_rate_limit_counted_on_one_host_holds_on_the_other(hosts):
    a, b = hosts["ports"]
    browser = Browser()
    token = browser.csrf_token(a, "/sign-in")
    tries = [browser.sign_in(a, token, TARGET, "wrong password")[0] for _ in range(3)]
    assert tries == [200, 200, 200]  # "Enter the email address and password…", counted
    assert browser.sign_in(b, token, TARGET, PASSWORD)[0] == 429


def test_the_access_log_has_no_query_strings_tokens_or_cookies(hosts):
    a, _ = hosts["ports"]
    link_token = "eyJ1c2VyIjoxfQ.ZZZ.secret-part-of-the-link-token"
    status, _, _ = Browser().request(a, "GET", f"/set-password/{link_token}?next=/secret-query")
    assert status == 410  # not a link this app signed
    log = hosts["web"][0].wait_for(r"GET /set-password/\S+\" 410").string
    assert "/set-password/[redacted]" in log
    for secret in (link_token, "secret-part", "secret-query", "csrf_token", "session="):
        assert secret not in log


@contextmanager
def _session(database: str) -> Iterator[Session]:
    engine = create_engine(database)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def _job_runs(database: str) -> list[dict]:
    with _session(database) as session:
        runs = select(AuditEvent).where(AuditEvent.action == "scheduler.job_ran")
        return [row.after for row in session.execute(runs.order_by(AuditEvent.id)).scalars()]


def _waiting_for_the_lock(database: str) -> bool:
    with _session(database) as session:
        waiting = "SELECT count(*) FROM pg_locks WHERE objid = :key AND NOT granted"
        return session.execute(text(waiting), {"key": SCHEDULER_LOCK_KEY}).scalar() == 1


def _issued(database: str) -> tuple[int, int, int]:
    """(reminders, distinct reminder stages, letters)."""
    keys = ReminderIssue.account_id, ReminderIssue.period_start, ReminderIssue.stage
    with _session(database) as session:
        return tuple(
            session.execute(select(func.count()).select_from(query)).scalar()
            for query in (ReminderIssue, select(*keys).distinct().subquery(), Letter)
        )


def _emails(folder: Path) -> int:
    return sum(1 for _ in folder.glob("scheduler-*/outbox/*.eml"))


def _run_the_day(hosts, names: list[str], *options: str) -> list[Started]:
    database, secret, folder = hosts["database"], hosts["secret"], hosts["folder"]
    schedulers = [_scheduler(name, database, secret, folder, *options) for name in names]
    hosts["started"].extend(schedulers)
    return schedulers


def test_the_days_jobs_run_once_across_two_schedulers_and_a_standby_takes_over(hosts):
    database, folder = hosts["database"], hosts["folder"]
    first, second = _run_the_day(hosts, ["scheduler-1", "scheduler-2"])
    # Started together: one takes the lock, the other refuses to start.
    loser = eventually(lambda: next((s for s in (first, second) if s.popen.poll()), None), 120)
    assert loser is not None, first.output()[-2000:] + second.output()[-2000:]
    winner = second if loser is first else first
    assert loser.exited() != 0
    assert "Not starting: another scheduler holds the lock" in loser.output()
    # A frequent job is recorded only when it did something: no import waits for the job.
    day = [name for name in the_day() if name != "imports"]
    ran = eventually(lambda: len(runs := _job_runs(database)) >= len(day) and runs, 300, winner)
    assert ran, f"the day did not finish:\n{winner.output()[-3000:]}"
    assert [run["job"] for run in ran] == day  # each once, in the day's order, letters too
    assert {run["pid"] for run in ran} == {winner.popen.pid}
    assert all(run["done"] > 0 for run in ran if run["job"] in ("reminders", "letters"))
    reminders, stages, letters = _issued(database)
    assert reminders == stages > 0 and letters > 0
    emailed = _emails(folder)
    assert emailed > 0

    # A standby scheduler host waits while the first holds the lock, running nothing ...
    (standby,) = _run_the_day(hosts, ["scheduler-3"], "--standby")
    assert eventually(lambda: _waiting_for_the_lock(database), 120, standby)
    assert standby.popen.poll() is None and len(_job_runs(database)) == len(ran)
    # ... and when the first goes down it takes over: it runs the day again, and everything
    # already issued stays issued once.
    winner.stop()
    assert winner.popen.returncode is not None
    daily = [name for name in day if name not in ("letters", "emails")]  # nothing new to send
    expected = len(ran) + len(daily)
    again = eventually(lambda: len(runs := _job_runs(database)) >= expected and runs, 300, standby)
    assert again, f"the standby did not run the day:\n{standby.output()[-3000:]}"
    assert [run["job"] for run in again[len(ran) :]] == daily
    assert {run["pid"] for run in again[len(ran) :]} == {standby.popen.pid}
    assert _issued(database) == (reminders, stages, letters)
    assert _emails(folder) == emailed
    standby.stop()
