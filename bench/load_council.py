"""The load benchmark's council: built once into a PostgreSQL database kept as a template, and
copied (CREATE DATABASE ... TEMPLATE, a file copy) before each phase, so every phase starts from
the same state however many returns the one before sent, accepted or queried.

The council is the demo council at full size (build_demo, its returns history with 10% of the
last 60 days' returns still missing, the reminders issued by today, client money), this
period's payment run committed four weeks ago and the next one built and waiting for a second
officer (as bench/pages.py makes them), the scheduler's morning jobs run, and the bench's own
people, each with work of their own so that 50 users never trip over each other:
- RECIPIENTS supported people who can sign in, each with one return still to send (its period
  over) and an accepted return from before to look at;
- OFFICERS finance officers, none of whom built the waiting run or changed anything it pays,
  so each may approve it; each has their own share of BACKLOG returns waiting for review;
- ORG_STAFF staff of the money management organisation, which holds mandates for about half
  the council's accounts and keeps sub-ledgers and a pooled reconciliation;
- API_CLIENTS integration clients with every read permission, when the build has the API.
What each virtual user does with them is in bench/load_flows.py; `plan()` lists them.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import psycopg
from sqlalchemy import func, select, update

from bench._common import Timer, fresh_app
from dp_portal.accounts.models import Account, AccountAccess
from dp_portal.auth.models import Role, User
from dp_portal.auth.services import hash_password
from dp_portal.core.types import local_today, utcnow
from dp_portal.demo import DEMO_PASSWORD, build_demo, demo_returns
from dp_portal.demo.third_party_money import demo_client_money
from dp_portal.extensions import db
from dp_portal.monitoring.expected import outstanding_periods
from dp_portal.monitoring.models import MonitoringReturn
from dp_portal.payments.run_models import PaymentRun
from dp_portal.third_party.models import Mandate, Organisation
from dp_portal.third_party.money_models import ClientBalance, PooledReconciliation

RECIPIENTS = 8_000
OFFICERS = 20
ORG_STAFF = 12
BACKLOG = 8_000
API_CLIENTS = 10
DOMAIN = "load.bench.example"


def admin_url(url: str) -> str:
    """The same server's maintenance database (to create and drop the others)."""
    return url.rsplit("/", 1)[0] + "/postgres"


def with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def _admin(url: str, sql: str) -> None:
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(sql)


def database_exists(url: str, name: str) -> bool:
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return found is not None


def copy_database(url: str, template: str, name: str) -> str:
    """A fresh copy of `template` called `name` (dropped first); returns its URL."""
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return with_database(url, name)


def plan_path(template: str) -> Path:
    return Path(tempfile.gettempdir()) / f"dp_load_plan_{template}.json"


def build(url: str, template: str, n_accounts: int) -> dict:
    """Build the council into database `template` (created anew) and write its plan."""
    if database_exists(url, template):
        _admin(url, f'DROP DATABASE "{template}" WITH (FORCE)')
    _admin(url, f'CREATE DATABASE "{template}"')
    os.environ["BENCH_DATABASE_URL"] = with_database(url, template)
    app = fresh_app("load")
    with app.app_context(), Timer() as built:
        _demo(n_accounts)
        plan = _bench_people()
        plan["api_tokens"] = _api_clients()
        plan["run_id"] = _payment_runs()
        db.session.commit()
    _morning_jobs(app)
    stale_check(app, plan["run_id"])
    with app.app_context():
        plan["accounts"] = db.session.execute(select(func.count(Account.id))).scalar()
        db.session.remove()
        db.engine.dispose()
    _analyze(with_database(url, template))
    plan["built_seconds"] = round(built.seconds)
    plan_path(template).write_text(json.dumps(plan))
    return plan


def _analyze(url: str) -> None:
    # What autovacuum does within a minute of a load this size: without statistics the
    # planner guesses, and a council's database has them.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _demo(n_accounts: int) -> None:
    today = local_today()
    build_demo(n_accounts, seed=1)
    db.session.commit()
    demo_returns(today, late_percent=10)
    db.session.commit()
    demo_client_money(today)
    db.session.commit()


def _morning_jobs(app) -> None:
    """What the scheduler has done by the time people arrive: reminders, forecasts and the
    report totals (the home pages read them)."""
    from dp_portal.scheduler import JOBS

    for name in ("reminders", "forecasts"):
        JOBS[name][0](app)


def _payment_runs() -> int:
    from bench.pages import _payment_runs as runs

    officers = db.session.execute(
        select(User).where(User.role == Role.FINANCE_OFFICER, ~User.email.like(f"%@{DOMAIN}"))
    ).scalars()
    officer, builder = sorted(officers, key=lambda u: u.id)[:2]
    return runs(builder, officer)


def _users(kind: str, count: int, role: Role, password_hash: str, **extra) -> list[User]:
    users = [
        User(
            email=f"{kind}-{n:05d}@{DOMAIN}",
            full_name=f"Load {kind.title()} {n}",
            role=str(role),
            password_hash=password_hash,
            password_changed_at=utcnow(),
            **extra,
        )
        for n in range(1, count + 1)
    ]
    db.session.add_all(users)
    db.session.flush()
    return users


def _bench_people() -> dict:
    password_hash = hash_password(DEMO_PASSWORD)
    recipients = _recipients(password_hash)
    officers = _officers(password_hash, exclude={r["account_id"] for r in recipients})
    return {"password": DEMO_PASSWORD, "recipients": recipients, "officers": officers} | {
        "org_staff": _org_staff(password_hash)
    }


def _api_clients(count: int = API_CLIENTS) -> list[str]:
    """Integration clients that may read everything, made by the demo administrator, when the
    build has the integration API (issue 16); their tokens (this database's only)."""
    try:
        from dp_portal.api.clients import create_client
        from dp_portal.api.rules import Scope
    except ImportError:
        return []
    admin = db.session.execute(
        select(User).where(User.role == Role.ADMIN).order_by(User.id).limit(1)
    ).scalar_one()
    reads = {scope for scope in Scope if str(getattr(scope, "value", scope)).endswith(":read")}
    return [create_client(f"Load bench {n}", reads, actor=admin).token for n in range(1, count + 1)]


def _recipients(password_hash: str) -> list[dict]:
    """People with a return to send: its period over, not yet sent, the account active and
    managed by nobody, with an accepted return from before to look at."""
    today = local_today()
    managed = set(db.session.execute(select(Mandate.account_id)).scalars())
    active = set(db.session.execute(select(Account.id).where(Account.status == "active")).scalars())
    owed: dict[int, str] = {}
    for account_id, period in outstanding_periods(today):
        if period.end < today and account_id in active and account_id not in managed:
            owed.setdefault(account_id, period.start.isoformat())
    seen = dict(
        db.session.execute(
            select(MonitoringReturn.account_id, func.max(MonitoringReturn.id))
            .where(MonitoringReturn.status == "accepted")
            .group_by(MonitoringReturn.account_id)
        ).all()
    )
    chosen = [a for a in sorted(owed) if a in seen][:RECIPIENTS]
    users = _users("recipient", len(chosen), Role.RECIPIENT, password_hash)
    db.session.add_all(
        AccountAccess(user_id=u.id, account_id=a, capacity="person")
        for u, a in zip(users, chosen, strict=True)
    )
    return [
        {"email": u.email, "account_id": a, "start": owed[a], "seen_return": seen[a]}
        for u, a in zip(users, chosen, strict=True)
    ]


def _officers(password_hash: str, exclude: set[int]) -> list[dict]:
    """Officers, and the backlog they share: the newest accepted returns of other accounts
    put back to waiting for review, dealt out so no two officers review the same one."""
    newest = (
        select(MonitoringReturn.id)
        .where(MonitoringReturn.status == "accepted", MonitoringReturn.account_id.not_in(exclude))
        .order_by(MonitoringReturn.period_start.desc(), MonitoringReturn.id)
        .limit(BACKLOG)
    )
    backlog = list(db.session.execute(newest).scalars())
    db.session.execute(
        update(MonitoringReturn)
        .where(MonitoringReturn.id.in_(newest.scalar_subquery()))
        .values(status="submitted", decided_by_id=None, decided_at=None)
        .execution_options(synchronize_session=False)
    )
    users = _users("officer", OFFICERS, Role.FINANCE_OFFICER, password_hash)
    return [{"email": u.email, "returns": backlog[n::OFFICERS]} for n, u in enumerate(users)]


def _org_staff(password_hash: str) -> list[dict]:
    org_id = db.session.execute(
        select(Organisation.id).where(Organisation.kind == "money_management").limit(1)
    ).scalar_one()
    clients = list(
        db.session.execute(
            select(ClientBalance.account_id)
            .where(ClientBalance.organisation_id == org_id)
            .order_by(ClientBalance.account_id)
        ).scalars()
    )
    # The month signed off, as staff read it back, as in every run before. (The open month
    # lists a difference for every council payment the run committed after its statement was
    # imported, over 4,000 of them, now 100 a page: docs/benchmarks.md, Load.)
    month = db.session.execute(
        select(PooledReconciliation.id)
        .where(
            PooledReconciliation.organisation_id == org_id,
            PooledReconciliation.status == "signed_off",
        )
        .order_by(PooledReconciliation.month.desc())
        .limit(1)
    ).scalar_one()
    users = _users("staff", ORG_STAFF, Role.BROKERAGE_STAFF, password_hash, organisation_id=org_id)
    return [
        {"email": u.email, "clients": clients[n::ORG_STAFF], "reconciliation": month}
        for n, u in enumerate(users)
    ]


def reset_approvals(conn, run_id: int) -> int:
    """Put the waiting run back to waiting after an officer approved it, so the next officer
    has a run to approve (one run, approved again and again; nothing approval reads changes).
    `conn` is a psycopg connection in autocommit. Returns how many approvals it undid."""
    return conn.execute(
        "UPDATE payment_runs SET status = 'built', approved_by_id = NULL, approved_at = NULL "
        "WHERE id = %s AND status = 'approved'",
        (run_id,),
    ).rowcount


def stale_check(app, run_id: int) -> None:
    """The waiting run must still be approvable when the council is built."""
    from dp_portal.payments.run_review import stale_reasons

    with app.app_context():
        run = db.session.get(PaymentRun, run_id)
        assert run.status == "built" and not stale_reasons(run), stale_reasons(run)
