"""The SDS report pages and the balance forecasts at council scale, through the whole WSGI
stack in one process, beside a hello-world Flask page measured in the same run.

A demo council of N accounts (default 100,000) with two years of payments: this period's run
committed, and seven payments an account before it, one every 13 weeks back (so each of the
last eight quarters holds a payment for every account: 800,000 payments at 100,000 accounts).
Then the morning's forecast summaries and spend totals are worked out (timed), and each SDS
report page, the officers' list of likely overspends and underspends, and one account's
forecast are opened, signed in as a finance officer.

Usage: python bench/reports.py [accounts] [requests]   (default 100000 and 10 per page;
BENCH_DATABASE_URL=postgresql://... for PostgreSQL)
"""

from __future__ import annotations

import logging
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask, current_app
from sqlalchemy import select, text

from bench._common import Timer, fresh_app, result_line
from dp_portal.accounts.models import Account
from dp_portal.auth.models import Role, User
from dp_portal.auth.sessions import start_session
from dp_portal.core.bulk import insert_rows
from dp_portal.core.types import local_today, utcnow
from dp_portal.demo import build_demo
from dp_portal.extensions import db
from dp_portal.monitoring.forecast_services import refresh_summaries, settings
from dp_portal.monitoring.spend_totals import rebuild_spend_totals
from dp_portal.payments import run_decisions
from dp_portal.payments.ledger_models import Payment
from dp_portal.payments.run_build import build_run, payment_schedule
from dp_portal.reports.sds_services import REPORTS

QUARTER_WEEKS = 13


def rate(client, path: str, n: int) -> float:
    client.get(path)  # warm up
    with Timer() as t:
        for _ in range(n):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
    return n / t.seconds


def _history() -> None:
    """Seven earlier payments for every account paid by the committed run, 13 weeks apart."""
    paid = db.session.execute(
        select(
            Payment.account_id,
            Payment.period_index,
            Payment.period_start,
            Payment.amount_pence,
            Payment.pay_date,
        ).where(Payment.kind == "regular")
    ).all()
    now = utcnow()
    for back in range(1, 8):
        shift = timedelta(weeks=QUARTER_WEEKS * back)
        rows = [
            {
                "account_id": account_id,
                "period_index": index - 100 * back,  # clear of the real periods
                "period_start": start - shift,
                "period_end": start - shift + timedelta(days=27),
                "payee_type": "person",
                "kind": "regular",
                "amount_pence": pence,
                "pay_date": pay_date - shift,
                "breakdown_json": "{}",
                "created_at": now,
            }
            for account_id, index, start, pence, pay_date in paid
        ]
        insert_rows(db.session, Payment.__table__, rows)


def _council(n_accounts: int):
    app = fresh_app("reports")
    with app.app_context():
        with Timer() as built:
            build_demo(n_accounts, seed=1)
            db.session.commit()
        officers = (
            db.session.execute(select(User).where(User.role == Role.FINANCE_OFFICER))
            .scalars()
            .all()
        )
        officer, approver = officers[:2]
        schedule = payment_schedule(current_app.config)
        index = schedule.index_of(local_today())
        run = build_run(
            index,
            schedule=schedule,
            actor=officer,
            today=schedule.period(index).start - timedelta(days=14),
        )
        run.status, run.approved_by_id = "approved", approver.id
        run_decisions.commit_run(run.id, actor=approver)
        db.session.commit()
        _history()
        db.session.commit()
        with Timer() as worked_out:
            rebuild_spend_totals(local_today())
            summaries = refresh_summaries(local_today(), **settings(current_app.config))
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        start_session(approver, lifetime=timedelta(hours=8))
        account_id = db.session.execute(select(Account.id).limit(1)).scalar()
        user_id = approver.get_id()
        db.session.commit()
        dialect = db.engine.dialect.name
    print(f"database: {dialect}; {n_accounts:,} accounts built in {built.seconds:.0f} s")
    print(
        f"morning rebuild: {summaries:,} forecasts and spend totals in {worked_out.seconds:.1f} s"
    )
    return app, user_id, account_id


def main(n_accounts: int, n: int) -> None:
    logging.disable(logging.WARNING)
    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "Hello, world!")
    baseline = rate(hello.test_client(), "/", 1000)
    app, user_id, account_id = _council(n_accounts)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    pages = {f"SDS report: {title}": f"/reports/sds/{name}" for name, title in REPORTS.items()}
    pages |= {
        "SDS reports index": "/reports/sds",
        "likely to run out (list)": "/forecasts",
        "likely to underspend (list)": "/forecasts?show=underspend",
        "an account's forecast": f"/accounts/{account_id}/forecast",
    }
    print(f"hello-world Flask page: {1000 / baseline:.2f} ms each")
    slowest, slowest_label = 0.0, ""
    for label, path in pages.items():
        ms = 1000 / rate(client, path, n)
        print(f"{label}: {ms:.1f} ms each")
        if ms > slowest:
            slowest, slowest_label = ms, label
    print(
        result_line(
            "reports",
            f"slowest page ({slowest_label}) {slowest:.1f} ms",
            f"hello-world {1000 / baseline:.2f} ms",
            slowest / (1000 / baseline),
        )
    )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [100_000, 10][len(args) :]))
