"""Integration clients for the API tests: made through the service an administrator's page
uses, so each test holds a real token (shown once) and the client row that keeps its hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select

from dp_portal.accounts.models import Account
from dp_portal.api import clients
from dp_portal.api.models import ApiClient
from dp_portal.api.rules import Scope
from dp_portal.auth.models import Role, User
from dp_portal.core.calendar import Cycle, PaymentSchedule
from dp_portal.extensions import db
from dp_portal.payments import corrections, run_build, run_decisions, services
from dp_portal.payments.budgets import LineKind, LineSpec
from dp_portal.payments.ledger_models import Payment
from dp_portal.payments.rates import RateKind


@pytest.fixture
def admin(factory):
    return factory.user(Role.ADMIN)


@pytest.fixture
def responsible(factory):
    """The finance officer in whose name clients with people:import import."""
    return factory.user(Role.FINANCE_OFFICER, full_name="Rhona Responsible")


@pytest.fixture
def issue(app, admin, responsible, db_session):
    """issue(*scopes, name=...) -> (client, token); a client that imports people answers to
    the `responsible` officer."""
    made = []

    def make(*scopes: Scope, name: str | None = None):
        with app.app_context():
            issued = clients.create_client(
                name or f"System {len(made) + 1}",
                set(scopes or Scope),
                actor=admin,
                officer_id=responsible.id,
            )
            client_id, token = issued.client.id, issued.token
            db.session.commit()  # the test's savepoint: requests see the client
        made.append(client_id)
        return db_session.get(ApiClient, client_id), token

    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- Money that moved: rates, a budget and committed payment runs ------------------------------

D = Decimal
ANCHOR = date(2026, 4, 6)
SCHEDULE = PaymentSchedule(Cycle.FOUR_WEEKLY, ANCHOR)  # period 0: 6 April to 3 May 2026
BUILT_AHEAD = date(2026, 1, 5)


@dataclass
class Paid:
    """An account paid by committed runs: 20 PA hours a week at £14.54 (£290.80 a week,
    £1,163.20 a period), less a £10 weekly contribution paid in by the person (£40.00)."""

    app: Flask
    account_id: int
    reference: str
    officer_id: int
    approver_id: int

    def commit_period(self, index: int) -> int:
        """Build, approve and commit the run for period `index`; its id."""
        with self.app.app_context():
            builder = db.session.get(User, self.officer_id)
            approver = db.session.get(User, self.approver_id)
            run = run_build.build_run(index, schedule=SCHEDULE, actor=builder, today=BUILT_AHEAD)
            run_decisions.approve_run(run, actor=approver)
            run_decisions.commit_run(run.id, actor=approver)
            run_id = run.id
            db.session.commit()
        return run_id

    def correct(self, amount: str, on: date) -> None:
        """A correction to the account's first payment (negative: money the bank returned)."""
        with self.app.app_context():
            first = (
                db.session.execute(
                    select(Payment)
                    .where(Payment.account_id == self.account_id)
                    .order_by(Payment.id)
                )
                .scalars()
                .first()
            )
            corrections.record_adjustment(
                first,
                amount=D(amount),
                on=on,
                reason="Returned by the bank",
                actor=db.session.get(User, self.officer_id),
            )
            db.session.commit()


@pytest.fixture
def paid(app, factory, db_session) -> Paid:
    officer, approver = factory.user(Role.FINANCE_OFFICER), factory.user(Role.FINANCE_OFFICER)
    leader = factory.user(Role.TEAM_LEADER)
    account = factory.account(
        payee_name="A TESTER",
        sort_code="089999",
        account_number="66374958",
        start_date=ANCHOR,
        locality="North",
    )
    ids = (account.id, account.reference, officer.id, approver.id, leader.id)
    with app.app_context():
        actor = db.session.get(User, officer.id)
        for kind, value in (
            (RateKind.LIVING_WAGE, "12.60"),
            (RateKind.HOLIDAY, "12.07"),
            (RateKind.PENSION, "3"),
        ):
            services.add_rate_row(kind, date(2025, 4, 1), D(value), "test", actor=actor)
        budget = services.propose_budget(
            db.session.get(Account, ids[0]),
            effective_from=ANCHOR,
            lines=[LineSpec(LineKind.PA_HOURS, "Personal care", hours=D("20"))],
            weekly_contribution=D("10"),
            contribution_basis="net",
            reason="Assessment",
            actor=actor,
        )
        services.decide_budget(
            budget, approve=True, note="ok", actor=db.session.get(User, ids[4]), ceiling=D("1500")
        )
        db.session.commit()
    return Paid(app, ids[0], ids[1], ids[2], ids[3])
