"""Every URL rule of the app, for every role and for a visitor who is not signed in.

A new route fails this test until it declares who may use it and is listed here with the
roles that should reach it, so nothing ships unprotected by accident.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.core.audit import record
from dp_portal.core.calendar_models import CalendarOverride
from dp_portal.core.letters import Letter, LetterRecipient, letter_row
from dp_portal.core.permissions import PUBLIC, SIGNED_IN, access_of
from dp_portal.monitoring.models import EscalationTask, Evidence, MonitoringReturn
from dp_portal.payments.models import Budget, Payment, PaymentRun, RateRow

from ..conftest import sign_in_as
from ..factories import UPLIFT_CONTEXT

ALL = frozenset(Role)
STAFF = frozenset({Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN})
FINANCE = frozenset({Role.FINANCE_OFFICER})
ADMIN = frozenset({Role.ADMIN})
FINANCE_ADMIN = frozenset({Role.FINANCE_OFFICER, Role.ADMIN})
PUBLIC_ROUTE = "public"

# endpoint -> who may use it
EXPECTED = {
    "pages.home": PUBLIC_ROUTE,
    "pages.accessibility": PUBLIC_ROUTE,
    "pages.cookies": PUBLIC_ROUTE,
    "pages.healthz": PUBLIC_ROUTE,
    "auth.sign_in": PUBLIC_ROUTE,
    "auth.reset_password": PUBLIC_ROUTE,
    "auth.set_password": PUBLIC_ROUTE,
    "auth.sign_out": ALL,
    "auth.change_password": ALL,
    "auth.account": ALL,
    "auth.sign_out_everywhere": ALL,
    "auth.users": ADMIN,
    "auth.invite": ADMIN,
    "auth.user": ADMIN,
    "auth.send_link": ADMIN,
    "auth.unlock": ADMIN,
    "accounts.index": ALL,
    "accounts.show": ALL,
    "accounts.new_person": FINANCE,
    "accounts.person": STAFF,
    "accounts.edit_person": FINANCE,
    "accounts.new_account": FINANCE,
    "accounts.edit_account": FINANCE,
    "accounts.bank_details": FINANCE,
    "accounts.correspondent": FINANCE,
    "accounts.new_representative": FINANCE,
    "accounts.edit_representative": FINANCE,
    "accounts.access": FINANCE,
    "accounts.remove_access": FINANCE,
    "third_party.organisations": STAFF,
    "third_party.new_organisation": FINANCE_ADMIN,
    "third_party.new_mandate": FINANCE,
    "third_party.withdraw_mandate": FINANCE,
    "reports.audit_log": FINANCE_ADMIN,
    "reports.audit_event": FINANCE_ADMIN,
    "admin.calendar": ADMIN,
    "admin.remove_override": ADMIN,
    "admin.bank_checking": ADMIN,
    "payments.rates": ALL,
    "payments.new_rate": ADMIN,
    "payments.uplift_preview": ADMIN,
    "payments.uplift_apply": ADMIN,
    "payments.provider_rates": STAFF,
    "payments.budget": ALL,
    "payments.propose_budget": frozenset({Role.FINANCE_OFFICER, Role.TEAM_LEADER}),
    "payments.pending_budgets": frozenset({Role.FINANCE_OFFICER, Role.TEAM_LEADER}),
    "payments.decide_budget": frozenset({Role.FINANCE_OFFICER, Role.TEAM_LEADER}),
    "payments.payment_runs": FINANCE,
    "payments.payment_run": FINANCE,
    "payments.approve_run": FINANCE,
    "payments.commit_run": FINANCE,
    "payments.cancel_run": FINANCE,
    "payments.bank_file": FINANCE,
    "payments.run_report": FINANCE,
    "payments.account_payments": ALL,
    "payments.remittance": ALL,
    "payments.correct_payment": FINANCE,
    "payments.letters": ALL,
    "payments.letter_pdf": ALL,
    "payments.remittance_pdf": ALL,
    "monitoring.returns": ALL,
    "monitoring.return_form": frozenset(
        {Role.RECIPIENT, Role.BROKERAGE_STAFF, Role.FINANCE_OFFICER}
    ),
    "monitoring.view_return": ALL,
    "monitoring.accept_return": FINANCE,
    "monitoring.queue": FINANCE,
    "monitoring.accept_clean": FINANCE,
    "monitoring.tier": FINANCE,
    "monitoring.record_conversation": FINANCE,
    "monitoring.raise_recovery": FINANCE,
    "monitoring.template": frozenset({Role.RECIPIENT, Role.BROKERAGE_STAFF, Role.FINANCE_OFFICER}),
    "monitoring.upload": frozenset({Role.RECIPIENT, Role.BROKERAGE_STAFF, Role.FINANCE_OFFICER}),
    "monitoring.add_evidence": frozenset(
        {Role.RECIPIENT, Role.BROKERAGE_STAFF, Role.FINANCE_OFFICER}
    ),
    "monitoring.evidence": ALL,
    "monitoring.export_queue": FINANCE,
    "monitoring.timetable": PUBLIC_ROUTE,
    "monitoring.publish_timetable": ADMIN,
    "monitoring.export_history": frozenset({Role.FINANCE_OFFICER, Role.TEAM_LEADER}),
    "monitoring.escalation_queue": FINANCE,
    "monitoring.escalation": FINANCE,
    "reports.reminders": STAFF,
    "reports.reminders_export": STAFF,
    "payments.undelivered_letters": FINANCE_ADMIN,
    "payments.email_letter_again": FINANCE_ADMIN,
}


@pytest.fixture
def world(app, factory, db_session):
    """One of each thing a URL can name, all visible to every role's test user."""
    org = factory.organisation()
    users = {role: factory.user(role) for role in Role}
    users[Role.BROKERAGE_STAFF].organisation_id = org.id
    account = factory.account()
    rep = factory.representative(account.person)
    link = factory.access(users[Role.RECIPIENT], account)
    mandate = factory.mandate(account, org)
    override = CalendarOverride(day=date(2026, 9, 21), region="scotland", kind="closed", reason="x")
    db_session.add(override)
    provider = factory.organisation(kind="provider")
    db_session.add(
        RateRow(kind="living_wage", effective_from=date(2025, 4, 1), value=1260, source_note="t")
    )
    budget = Budget(
        account_id=account.id,
        version=1,
        effective_from=date(2026, 4, 6),
        weekly_at_proposal_pence=100,
        proposed_by_id=users[Role.ADMIN].id,
    )
    run = PaymentRun(
        period_index=0,
        period_start=date(2026, 4, 6),
        period_end=date(2026, 5, 3),
        pay_date=date(2026, 4, 2),
        status="committed",
        built_by_id=users[Role.ADMIN].id,
    )
    db_session.add_all([budget, run])
    db_session.flush()
    payment = Payment(
        account_id=account.id,
        run_id=run.id,
        period_index=0,
        period_start=run.period_start,
        period_end=run.period_end,
        payee_type="person",
        amount_pence=100,
        pay_date=run.pay_date,
        breakdown_json='{"segments": [], "arrears": []}',
        payee_name="A",
        sort_code="089999",
        account_number="66374958",
    )
    db_session.add(payment)
    db_session.execute(
        Letter.__table__.insert(),
        [
            letter_row(
                account_id=account.id,
                kind="uplift",
                subject="S",
                to=LetterRecipient("A", [], "standard"),
                context=UPLIFT_CONTEXT,
            )
        ],
    )
    db_session.flush()
    letter_id = db_session.execute(select(Letter.id)).scalar()
    monitoring_return = MonitoringReturn(
        account_id=account.id,
        period_start=date(2026, 4, 6),
        period_end=date(2026, 6, 30),
        due_date=date(2026, 7, 28),
        status="submitted",
        submitted_by_id=users[Role.RECIPIENT].id,
        surplus_pence=5000,  # so the underspend section renders for finance
    )
    db_session.add(monitoring_return)
    task = EscalationTask(
        account_id=account.id,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        due_date=date(2026, 10, 28),
        opened_on=date(2026, 12, 16),
        status="open",
    )
    db_session.add(task)
    evidence_dir = Path(app.config["EVIDENCE_DIR"])
    evidence_dir.mkdir(parents=True, exist_ok=True)
    (evidence_dir / "routes-walk.pdf").write_bytes(b"%PDF-1.4 test")
    db_session.add(
        Evidence(
            account_id=account.id,
            period_start=date(2026, 4, 6),
            kind="bank_statement",
            original_name="statement.pdf",
            stored_name="routes-walk.pdf",
            content_type="application/pdf",
            sha256="0" * 64,
            size=13,
            uploaded_by_id=users[Role.RECIPIENT].id,
        )
    )
    db_session.flush()
    event = record(
        users[Role.ADMIN], "test.event", account, account_id=account.id, session=db_session
    )
    db_session.flush()
    values = {
        "account_id": account.id,
        "person_id": account.person.id,
        "rep_id": rep.id,
        "user_id": users[Role.FINANCE_OFFICER].id,
        "link_id": link.id,
        "mandate_id": mandate.id,
        "override_id": override.id,
        "event_id": event.id,
        "token": "not-a-valid-token",
        "org_id": provider.id,
        "budget_id": budget.id,
        "run_id": run.id,
        "payment_id": payment.id,
        "letter_id": letter_id,
        "return_id": monitoring_return.id,
        "task_id": task.id,
        "evidence_id": db_session.execute(select(Evidence.id)).scalar(),
        "start": "2026-04-06",
        "fmt": "csv",
        "filename": "app.js",
    }
    return users, values


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_every_route_declares_its_access_and_is_listed(app):
    for rule in _rules(app):
        view = app.view_functions[rule.endpoint]
        assert access_of(view) is not None, f"{rule.endpoint} declares no access rule"
        assert rule.endpoint in EXPECTED, f"{rule.endpoint} is missing from EXPECTED"
        declared = access_of(view)
        expected = EXPECTED[rule.endpoint]
        if expected == PUBLIC_ROUTE:
            assert declared == PUBLIC, rule.endpoint
        elif expected == ALL:
            assert declared in (SIGNED_IN, ALL), rule.endpoint
        else:
            assert declared == frozenset(str(r) for r in expected), rule.endpoint
    assert set(EXPECTED) == {rule.endpoint for rule in _rules(app)}, "EXPECTED lists a stale route"


def _url(rule, values):
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule.rule)


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_every_route_for_every_role(app, client, world, role):
    users, values = world
    for rule in _rules(app):
        expected = EXPECTED[rule.endpoint]
        for method in sorted(rule.methods & {"GET", "POST"}):
            client.delete_cookie("session")
            if role is not None:
                sign_in_as(client, users[role])
            response = client.open(_url(rule, values), method=method, data={})
            where = f"{method} {rule.rule} as {role or 'anonymous'}: {response.status_code}"
            assert response.status_code < 500, where
            if expected == PUBLIC_ROUTE:
                assert response.status_code not in (401, 403), where
                assert "/sign-in" not in (response.location or "") or rule.endpoint in (
                    "auth.set_password",
                ), where
            elif role is None:
                assert response.status_code == 302, where
                assert response.location.startswith("/sign-in"), where
            elif role in expected:
                assert response.status_code in (200, 302, 410), where
            else:
                assert response.status_code == 403, where
