"""Two officers press 'commit' on the same run at the same moment: it is paid once.

Runs on a scratch database with real commits (the rolled-back test transaction cannot show
two connections racing). On PostgreSQL the two transactions truly overlap; SQLite serialises
writers, which the same code must also survive.
"""

import threading
from datetime import date
from decimal import Decimal

from flask_migrate import upgrade
from sqlalchemy import func, select

from dp_portal import create_app
from dp_portal.auth.models import Role, User
from dp_portal.core.calendar import Cycle, PaymentSchedule
from dp_portal.core.errors import RuleError
from dp_portal.extensions import db
from dp_portal.payments import run_build, run_decisions, services
from dp_portal.payments.budgets import LineKind, LineSpec
from dp_portal.payments.ledger_models import LedgerEntry, Payment
from dp_portal.payments.rates import RateKind
from dp_portal.payments.run_models import PaymentRun

from ..conftest import _TMP, make_config, scratch_database
from ..factories import Factory

ANCHOR = date(2026, 4, 6)
SCHEDULE = PaymentSchedule(Cycle.FOUR_WEEKLY, ANCHOR)
BUILT_AHEAD = date(2026, 1, 5)  # before the pay date: on time


def test_the_same_run_committed_twice_at_once_pays_once():
    url, drop = scratch_database("race")
    app = create_app(make_config(url, _TMP / "race-instance"))
    try:
        with app.app_context():
            upgrade()
            factory = Factory(db.session)
            builder = factory.user(Role.FINANCE_OFFICER)
            approvers = [factory.user(Role.FINANCE_OFFICER) for _ in range(2)]
            leader = factory.user(Role.TEAM_LEADER)
            services.add_rate_row(
                RateKind.LIVING_WAGE, date(2025, 4, 1), Decimal("12.60"), "t", actor=builder
            )
            for _ in range(25):
                account = factory.account(
                    payee_name="A B", sort_code="089999", account_number="66374958"
                )
                budget = services.propose_budget(
                    account,
                    effective_from=ANCHOR,
                    lines=[LineSpec(LineKind.PA_HOURS, "Care", hours=Decimal("15"))],
                    weekly_contribution=Decimal("0"),
                    contribution_basis="net",
                    reason="",
                    actor=builder,
                )
                services.decide_budget(
                    budget, approve=True, note="", actor=leader, ceiling=Decimal("1500")
                )
            run = run_build.build_run(0, schedule=SCHEDULE, actor=builder, today=BUILT_AHEAD)
            run_decisions.approve_run(run, actor=approvers[0])
            db.session.commit()
            run_id, approver_ids = run.id, [a.id for a in approvers]

        barrier = threading.Barrier(2)
        outcomes = []

        def commit(user_id):
            with app.app_context():
                user = db.session.get(User, user_id)
                barrier.wait()
                try:
                    count = run_decisions.commit_run(run_id, actor=user)
                    db.session.commit()
                    outcomes.append(("committed", count))
                except RuleError as exc:
                    db.session.rollback()
                    outcomes.append(("refused", str(exc)))
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=commit, args=(uid,)) for uid in approver_ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

        assert sorted(o[0] for o in outcomes) == ["committed", "refused"], outcomes
        with app.app_context():
            assert db.session.execute(select(func.count(Payment.id))).scalar() == 25
            assert db.session.execute(select(func.count(LedgerEntry.id))).scalar() == 25
            assert db.session.get(PaymentRun, run_id).status == "committed"
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
