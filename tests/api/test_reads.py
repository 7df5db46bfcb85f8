"""Returns, recoveries and committed runs as the API lists them: status and overdue for
returns, and for recoveries the amount asked back, what has come back and what is owed, each
exact to the penny."""

from __future__ import annotations

import json
from datetime import date, timedelta

from dp_portal.api.rules import Scope
from dp_portal.auth.models import Role
from dp_portal.core.types import local_today
from dp_portal.monitoring.models import MonitoringReturn
from dp_portal.payments.ledger_models import Recovery

from .conftest import bearer


def _return(db_session, account, start, **kw):
    row = MonitoringReturn(
        account_id=account.id,
        period_start=start,
        period_end=start + timedelta(days=89),
        due_date=start + timedelta(days=117),
        **kw,
    )
    db_session.add(row)
    db_session.flush()
    return row


def _get(client, token, path):
    response = client.get(path, headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_returns_with_their_status_and_whether_they_are_overdue(client, issue, factory, db_session):
    account, other = factory.account(), factory.account()
    today = local_today()
    late = _return(db_session, account, today - timedelta(days=200), status="draft")
    sent = _return(
        db_session,
        account,
        today - timedelta(days=300),
        status="accepted",
        version=2,
        closing_pence=123456,
        surplus_pence=-5,
        flags_json=json.dumps([{"code": "x"}]),
    )
    old = _return(db_session, account, today - timedelta(days=300), status="superseded", version=1)
    _return(db_session, other, today - timedelta(days=10), status="draft")
    _, token = issue(Scope.RETURNS_READ)

    mine = _get(client, token, f"/api/v1/returns?account={account.reference}")["returns"]
    assert [(r["id"], r["status"], r["overdue"]) for r in mine] == [
        (late.id, "draft", True),
        (sent.id, "accepted", False),
    ]  # the superseded version is left out
    accepted = mine[1]
    assert accepted["version"] == 2 and accepted["status_label"] == "Accepted"
    assert (accepted["closing_balance"], accepted["closing_balance_pence"]) == ("1234.56", 123456)
    assert (accepted["surplus"], accepted["surplus_pence"]) == ("-0.05", -5)
    assert accepted["flag_count"] == 1 and accepted["account_reference"] == account.reference
    replaced = _get(client, token, "/api/v1/returns?status=superseded")["returns"]
    assert [r["id"] for r in replaced] == [old.id]
    recent = _get(client, token, f"/api/v1/returns?from={today - timedelta(days=30)}")["returns"]
    assert [r["account_reference"] for r in recent] == [other.reference]


def test_recoveries_asked_back_repaid_and_still_owed(client, issue, factory, db_session):
    account = factory.account()
    officer = factory.user(Role.FINANCE_OFFICER)
    common = {"account_id": account.id, "reason": "Surplus", "created_by_id": officer.id}
    part = Recovery(
        amount_pence=50001,
        recovered_pence=20000,
        method="invoice",
        source="1 April 2026 to 30 June 2026",
        **common,
    )
    done = Recovery(
        amount_pence=1999,
        recovered_pence=1999,
        method="offset",
        status="recovered",
        source="Return",
        **common,
    )
    db_session.add_all([part, done])
    db_session.flush()
    _, token = issue(Scope.RECOVERIES_READ)
    listed = _get(client, token, "/api/v1/recoveries")["recoveries"]
    assert [
        (r["id"], r["status"], r["method"], r["amount"], r["recovered"], r["outstanding"])
        for r in listed
    ] == [
        (part.id, "open", "invoice", "500.01", "200.00", "300.01"),
        (done.id, "recovered", "offset", "19.99", "19.99", "0.00"),
    ]
    assert listed[0]["outstanding_pence"] == 30001
    assert listed[0]["source"] == "1 April 2026 to 30 June 2026"
    still_owed = _get(client, token, "/api/v1/recoveries?status=open")["recoveries"]
    assert [r["id"] for r in still_owed] == [part.id]


def test_committed_runs_with_their_totals(client, issue, paid):
    run_id = paid.commit_period(0)
    _, token = issue(Scope.PAYMENTS_READ)
    runs = _get(client, token, "/api/v1/payment-runs")["runs"]
    assert [
        (r["id"], r["pay_date"], r["payment_count"], r["total"], r["total_pence"]) for r in runs
    ] == [(run_id, "2026-04-02", 1, "1123.20", 112320)]
    assert _get(client, token, "/api/v1/payment-runs?from=2026-04-03")["runs"] == []


def test_pages_follow_on_from_their_cursor(client, issue, factory, db_session):
    account = factory.account()
    rows = [
        _return(db_session, account, date(2025, 4, 1) + timedelta(days=91 * n), status="draft")
        for n in range(3)
    ]
    _, token = issue(Scope.RETURNS_READ)
    first = _get(client, token, "/api/v1/returns?limit=2")
    assert [r["id"] for r in first["returns"]] == [rows[0].id, rows[1].id] and first["has_more"]
    rest = _get(client, token, first["next"])
    assert [r["id"] for r in rest["returns"]] == [rows[2].id] and not rest["has_more"]


def test_an_account_filter_is_a_reference_or_refused(client, issue):
    _, token = issue(Scope.RETURNS_READ)
    for sent in ("DP%00123", "DP 123", "x" * 21):  # PostgreSQL refuses a NUL outright
        response = client.get(f"/api/v1/returns?account={sent}", headers=bearer(token))
        assert response.status_code == 400, sent
        assert response.get_json()["errors"][0]["parameter"] == "account"
