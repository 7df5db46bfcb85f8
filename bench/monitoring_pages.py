"""Monitoring's and the reports' pages at council scale, through the whole WSGI stack in one
process, each beside a hello-world Flask page measured in the same run.

The council: ACCOUNTS demo accounts with budgets, their returns history from `demo_returns`
(every return sent and accepted but 5% of the latest quarter's and 1 in 200 older ones), the
reminders the scheduler would have issued by today, a backlog of returns waiting for review,
and a year of audit events. Signed in as a finance officer.

Usage: python bench/monitoring_pages.py [ACCOUNTS] [REQUESTS]   (defaults 100000 and 20)
"""

from __future__ import annotations

import logging
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from sqlalchemy import func, select, text, update

from bench._common import Timer, fresh_app, result_line
from dp_portal.auth.models import Role, User
from dp_portal.auth.sessions import start_session
from dp_portal.core.types import local_today
from dp_portal.demo import build_demo, demo_returns
from dp_portal.extensions import db
from dp_portal.monitoring.jobs import issue_due_reminders
from dp_portal.monitoring.models import MonitoringReturn

BACKLOG = 2_000  # returns waiting for review: a few weeks' worth at 100,000 accounts
TARGET_MS = 200

PAGES = {
    "returns queue (waiting for review)": "/returns",
    "returns queue (accepted, with flags filter)": "/returns?status=accepted&flagged=clean",
    "returns queue, page 40": "/returns?page=40",
    "escalations": "/escalations?status=all",
    "reminder report": "/reports/reminders",
    "audit log": "/audit",
    "audit log for one account": "/audit?account=DP000123",
}


def rate(client, path: str, n: int) -> float:
    """Requests a second for `path`, after one request to warm it up."""
    client.get(path)
    with Timer() as t:
        for _ in range(n):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
    return n / t.seconds


def build_council(app, n_accounts: int) -> str:
    """The council's data; returns the finance officer's session id."""
    with app.app_context():
        build_demo(n_accounts, seed=1)
        db.session.commit()
        today = local_today()
        demo_returns(today, late_percent=5)
        db.session.commit()
        issue_due_reminders(today)
        db.session.commit()
        newest = (
            select(MonitoringReturn.id)
            .order_by(MonitoringReturn.period_start.desc(), MonitoringReturn.id)
            .limit(BACKLOG)
        )
        db.session.execute(
            update(MonitoringReturn)
            .where(MonitoringReturn.id.in_(newest))
            .values(status="submitted")
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Statistics, as autovacuum gathers them after a load like this: without them the
            # planner guesses the million returns' table is small, and plans a page to match.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        officer = db.session.execute(
            select(User).where(User.role == Role.FINANCE_OFFICER).limit(1)
        ).scalar_one()
        start_session(officer, lifetime=timedelta(hours=8))  # as the sign-in page does
        db.session.commit()
        return officer.get_id()


def main(n_accounts: int, n: int) -> None:
    logging.disable(logging.WARNING)
    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "Hello, world!")
    app = fresh_app("monitoring_pages")
    officer_id = build_council(app, n_accounts)
    with app.app_context():
        returns = db.session.execute(select(func.count(MonitoringReturn.id))).scalar()
        dialect = db.engine.dialect.name
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = officer_id
        session["_fresh"] = True

    print(f"database: {dialect}, accounts: {n_accounts:,}, returns: {returns:,}")
    slowest = ("", float("inf"))
    for label, path in PAGES.items():
        baseline = rate(hello.test_client(), "/", n * 20)  # beside each page, in the same run
        page = rate(client, path, n)
        print(
            f"{label}: {1000 / page:.1f} ms ({page:,.1f} requests/s); "
            f"hello-world page {1000 / baseline:.3f} ms"
        )
        if page < slowest[1]:
            slowest = (label, page, baseline)
    label, page, baseline = slowest
    print(f"slowest page: {label}, {1000 / page:.1f} ms (target under {TARGET_MS} ms)")
    print(
        result_line(
            "monitoring_pages",
            f"{label} {1000 / page:.1f} ms",
            f"{1000 / baseline:.3f} ms",
            baseline / page,
        )
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 20,
    )
