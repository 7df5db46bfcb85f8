"""List pages at council scale, through the whole WSGI stack in one process, beside a
hello-world Flask page measured in the same run.

A demo council of N accounts (default 100,000) with a realistic history around it: five audit
events an account (2,000 of them by the officer the audit log is filtered on), a letter an
account, 1 in 100 of whose email copies failed, this period's payment run committed four weeks
ago and the next period's built for every account, waiting for approval (so its page compares
it with the last run, checks staleness and who may approve).
Signed in as a finance officer; each other role's home page signed in as that role.

Usage: python bench/pages.py [accounts] [requests]   (default 100000 and 30 per page;
BENCH_DATABASE_URL=postgresql://... for PostgreSQL)
"""

from __future__ import annotations

import json
import logging
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask, current_app
from sqlalchemy import select, text, update

from bench._common import Timer, database_cpu_seconds, fresh_app, result_line
from dp_portal.accounts.models import Account
from dp_portal.auth.models import Role, User
from dp_portal.auth.sessions import start_session
from dp_portal.core.audit import AuditEvent
from dp_portal.core.bulk import insert_rows
from dp_portal.core.letters import Letter
from dp_portal.core.types import utcnow
from dp_portal.demo import build_demo
from dp_portal.extensions import db
from dp_portal.payments import run_decisions
from dp_portal.payments.run_build import build_run, payment_schedule
from dp_portal.payments.run_models import PaymentRun

ACTIONS = [
    "account.updated",
    "person.updated",
    "budget.proposed",
    "budget.approved",
    "account.bank_details_changed",
]


def rate(client, path: str, n: int, engine=None, key: str = "") -> float:
    client.get(path)  # warm up
    before = _cpu(engine)
    with Timer() as t:
        for _ in range(n):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
    CPU_MS[key or path] = (_cpu(engine) - before) * 1000 / n
    return n / t.seconds


# CPU milliseconds a request (this process's, and the database server's): what a quiet
# machine would take, whatever the load (bench/_common.server_cpu_seconds).
CPU_MS: dict[str, float] = {}


def _engine(app):
    with app.app_context():
        return db.engine


def _cpu(engine) -> float:
    return time.process_time() + (database_cpu_seconds(engine) if engine is not None else 0.0)


def _history(n_accounts: int) -> str:
    """Audit events and letters for every account; returns the busy officer's email."""
    rng = random.Random(1)  # deterministic
    now = utcnow()
    actors = db.session.execute(select(User.id, User.email)).all()
    busy = actors[1]
    first = db.session.execute(select(Account.id).order_by(Account.id)).scalar()
    events, letters = [], []
    for offset in range(n_accounts):
        account_id = first + offset
        for k in range(5):
            actor = busy if offset < 400 else rng.choice(actors)
            events.append(
                {
                    "occurred_at": now - timedelta(minutes=rng.randint(0, 500_000)),
                    "actor_id": actor[0],
                    "actor_label": actor[1],
                    "action": ACTIONS[k],
                    "object_type": "accounts",
                    "object_id": account_id,
                    "account_id": account_id,
                    "summary": "Account details changed",
                    "before_json": json.dumps({"locality": "North"}),
                    "after_json": json.dumps({"locality": "South"}),
                }
            )
        failed = offset % 100 == 0
        letters.append(
            {
                "account_id": account_id,
                "kind": "uplift",
                "subject": "Your direct payment is going up",
                "letter_format": "standard",
                "recipient_name": "A Person",
                "address_json": json.dumps(["1 High Street", "Glenarden"]),
                "context_json": "{}",
                "letter_date": now.date(),
                "created_at": now,
                "email_to": "person@example.org" if failed or offset % 3 == 0 else None,
                "email_status": "failed" if failed else ("sent" if offset % 3 == 0 else None),
                "email_attempts": 5 if failed else 1,
                "email_error": "SMTPRecipientsRefused: no such user" if failed else None,
            }
        )
        if len(events) >= 50_000:
            insert_rows(db.session, AuditEvent.__table__, events)
            events.clear()
    insert_rows(db.session, AuditEvent.__table__, events)
    insert_rows(db.session, Letter.__table__, letters)
    return busy[1]


def _payment_runs(builder, approver) -> int:
    """The current period's run, committed four weeks ago (its payments are what the next run
    is compared with), and the next period's, built by another finance officer and waiting
    for approval: its page then shows the changes since the last run, the staleness checks
    and who may approve, as an approver sees it. Returns the waiting run's id."""
    schedule = payment_schedule(current_app.config)
    index = schedule.index_of(utcnow().date())
    last = _build(schedule, index, builder)
    # Approved as it was four weeks ago (the history made since blocks everyone today).
    db.session.execute(
        update(PaymentRun)
        .where(PaymentRun.id == last.id)
        .values(status="approved", approved_by_id=approver.id, approved_at=utcnow())
    )
    run_decisions.commit_run(last.id, actor=approver)
    db.session.execute(
        update(PaymentRun)
        .where(PaymentRun.id == last.id)
        .values(committed_at=utcnow() - timedelta(days=28))
    )
    return _build(schedule, index + 1, builder).id


def _build(schedule, index: int, builder):
    """A run built two weeks before its period starts, as the schedule asks."""
    today = schedule.period(index).start - timedelta(days=14)
    return build_run(index, schedule=schedule, actor=builder, today=today)


def _council(n_accounts: int):
    app = fresh_app("pages")
    with app.app_context():
        with Timer() as built:
            build_demo(n_accounts, seed=1)
            db.session.commit()
            busy = _history(n_accounts)
            db.session.commit()
        officers = db.session.execute(
            select(User).where(User.role == Role.FINANCE_OFFICER).order_by(User.id)
        ).scalars()
        officer, builder = officers.all()[:2]
        run_id = _payment_runs(builder, officer)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # after the run's 100,000 lines, too
            # What autovacuum does within a minute of a load this size: without statistics
            # the planner guesses (a council's database has them).
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        start_session(officer, lifetime=timedelta(hours=8))
        officer_id = officer.get_id()
        others = {}  # the other roles' homes: role -> the user id a session names
        for role in (Role.TEAM_LEADER, Role.ADMIN, Role.RECIPIENT):
            user = db.session.execute(select(User).where(User.role == role).limit(1)).scalar()
            start_session(user, lifetime=timedelta(hours=8))
            others[role] = user.get_id()
        reference = db.session.execute(select(Account.reference).offset(n_accounts // 2)).scalar()
        account_id = db.session.execute(select(Account.id).limit(1)).scalar()
        db.session.commit()
        dialect = db.engine.dialect.name
    print(f"database: {dialect}; {n_accounts:,} accounts built in {built.seconds:.0f} s")
    return app, officer_id, busy, reference, account_id, run_id, others


def _signed_in(app, user_id: str):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    return client


def main(n_accounts: int, n: int) -> None:
    logging.disable(logging.WARNING)
    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "Hello, world!")
    baseline = rate(hello.test_client(), "/", 1000, key="hello")

    app, officer_id, busy, reference, account_id, run_id, others = _council(n_accounts)
    client = _signed_in(app, officer_id)

    pages = {
        "home, finance officer (what needs doing)": "/",
        "account list, page 1": "/accounts",
        "account list, page 1,000": "/accounts?page=1000",
        "account list, suspended only": "/accounts?status=suspended",
        "account search by surname": "/accounts?q=macleod",
        "account search by full name": "/accounts?q=morag+campbell",
        "account search by reference": f"/accounts?q={reference}",
        "account search, no match": "/accounts?q=zzzz",
        "account detail": f"/accounts/{account_id}",
        "audit log, page 1": "/audit",
        "audit log, page 100": "/audit?page=100",
        "audit log by officer": f"/audit?actor={busy}",
        "audit log by account": f"/audit?account={reference}",
        "audit log by action": "/audit?action=account.bank_details",
        "an account's letters": f"/accounts/{account_id}/letters",
        "letters not emailed": "/letters/not-emailed",
        "letters not emailed, page 20": "/letters/not-emailed?page=20",
        "payment runs": "/payment-runs",
        "a run's lines, page 1": f"/payment-runs/{run_id}",
        "a run's lines, page 200": f"/payment-runs/{run_id}?page=200",
        "budgets waiting for approval": "/budgets",
        "bank details changes waiting": "/bank-details-changes",
        "runs waiting for your approval": "/payment-runs?waiting=others",
        "budgets you may approve": "/budgets?yours=1",
        "budgets over the team leader limit": "/budgets/over-limit",
        "recoveries still owed": "/recoveries",
    }
    homes = {  # the other roles' home pages, each signed in as that role
        "home, team leader": others[Role.TEAM_LEADER],
        "home, administrator": others[Role.ADMIN],
        "home, a person with an account": others[Role.RECIPIENT],
    }
    print(f"hello-world Flask page: {baseline:,.0f} requests/s ({1000 / baseline:.2f} ms each)")
    slowest, slowest_label = 0.0, ""
    measured = [(label, client, path) for label, path in pages.items()]
    measured += [(label, _signed_in(app, user), "/") for label, user in homes.items()]
    engine = _engine(app)
    for label, reader, path in measured:
        per_second = rate(reader, path, n, engine, label)
        ms = 1000 / per_second
        print(
            f"{label}: {ms:.1f} ms each ({per_second:,.0f} requests/s); "
            f"CPU {CPU_MS[label]:.1f} ms (with the database server's)"
        )
        if ms > slowest:
            slowest, slowest_label = ms, label
    print(
        result_line(
            "pages",
            f"slowest list page ({slowest_label}) {slowest:.1f} ms",
            f"hello-world {1000 / baseline:.2f} ms",
            slowest / (1000 / baseline),
        )
    )
    hungriest = max(CPU_MS[label] for label, _reader, _path in measured)
    hungriest_label = next(label for label, *_ in measured if CPU_MS[label] == hungriest)
    print(
        result_line(
            "pages, CPU time",
            f"most CPU ({hungriest_label}) {hungriest:.1f} ms",
            f"hello-world {CPU_MS['hello']:.2f} ms",
            hungriest / CPU_MS["hello"],
        )
    )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [100_000, 30][len(args) :]))
