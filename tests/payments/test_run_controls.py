"""A payment run pays exactly what its approver saw: each payee is snapshotted when the run is
built, any later change makes the run stale, nobody who changed what it depends on approves
it, late periods are paid only on purpose, and runs are committed in order."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from dp_portal.accounts import bank_changes
from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent
from dp_portal.core.calendar import Cycle, PaymentSchedule
from dp_portal.core.errors import RuleError
from dp_portal.extensions import db
from dp_portal.payments import (
    run_build,
    run_decisions,
    run_pages,
    run_periods,
    run_review,
    run_summary,
    services,
)
from dp_portal.payments.budgets import LineKind, LineSpec
from dp_portal.payments.ledger_models import Payment
from dp_portal.payments.rates import RateKind
from dp_portal.payments.run_models import RunChanger, RunLine

from ..conftest import sign_in_as

D = Decimal
SCHEDULE = PaymentSchedule(Cycle.FOUR_WEEKLY, date(2026, 4, 6))
AHEAD = date(2026, 1, 5)  # every period's pay date is still to come
CEILING = D("1500")


@pytest.fixture
def team(app_ctx, factory):
    """Three finance officers and a team leader, and the rates."""
    builder, approver, clerk = (factory.user(Role.FINANCE_OFFICER) for _ in range(3))
    leader = factory.user(Role.TEAM_LEADER)
    services.add_rate_row(RateKind.LIVING_WAGE, date(2025, 4, 1), D("12.60"), "t", actor=leader)
    db.session.flush()
    return builder, approver, clerk, leader


def _paid_account(factory, proposer, decider=None, hours="20"):
    """An account with bank details and an approved budget (decided by a team leader of
    its own unless `decider` is given, so the officers in a test stay uninvolved)."""
    decider = decider or factory.user(Role.TEAM_LEADER)
    account = db.session.merge(
        factory.account(payee_name="A TESTER", sort_code="089999", account_number="66374958")
    )
    budget = services.propose_budget(
        account,
        effective_from=date(2026, 4, 6),
        lines=[LineSpec(LineKind.PA_HOURS, "Care", hours=D(hours))],
        weekly_contribution=D("0"),
        contribution_basis="net",
        reason="Assessment",
        actor=proposer,
    )
    services.decide_budget(budget, approve=True, note="", actor=decider, ceiling=CEILING)
    return account


def _change_bank(account, asker, approver, number="00733445"):
    proposed = bank_changes.Proposed("NEW PAYEE", "309634", number, "New account")
    change = bank_changes.request_change(account, proposed, confirmed="", tables=None, actor=asker)
    bank_changes.decide(change, approve=True, note="checked", actor=approver)


def _build(index, actor):
    return run_build.build_run(index, schedule=SCHEDULE, actor=actor, today=AHEAD)


def test_commit_pays_the_payee_as_built(team, factory):
    builder, approver, _clerk, leader = team
    account = _paid_account(factory, leader)
    run = _build(0, builder)
    line = db.session.execute(select(RunLine).where(RunLine.run_id == run.id)).scalar_one()
    assert (line.payee_name, line.sort_code, line.account_number) == (
        "A TESTER",
        "089999",
        "66374958",
    )
    assert line.payee_reference == f"{account.reference} 06APR26"
    run_decisions.approve_run(run, actor=approver)
    run_decisions.commit_run(run.id, actor=approver)
    payment = db.session.execute(select(Payment)).scalar_one()
    assert (payment.payee_name, payment.sort_code, payment.account_number) == (
        line.payee_name,
        line.sort_code,
        line.account_number,
    )


def test_new_bank_details_after_the_build_make_the_run_stale(team, factory):
    builder, approver, clerk, leader = team
    account = _paid_account(factory, leader)
    run = _build(0, builder)
    run_decisions.approve_run(run, actor=approver)
    _change_bank(account, clerk, builder)  # asked for and approved after the approval
    reasons = run_review.stale_reasons(run)
    assert reasons == [
        "bank details changed on 1 account",
        "1 payee no longer has the bank details the run was built with",
    ]
    with pytest.raises(RuleError, match="changed since it was built"):
        run_decisions.commit_run(run.id, actor=approver)
    run_decisions.cancel_run(run, actor=approver)
    again = _build(0, builder)
    line = db.session.execute(select(RunLine).where(RunLine.run_id == again.id)).scalar_one()
    assert (line.payee_name, line.account_number) == ("NEW PAYEE", "00733445")
    assert run_review.stale_reasons(again) == []


def test_a_change_that_skipped_the_audit_log_still_stops_the_commit(team, factory):
    builder, approver, _clerk, leader = team
    account = _paid_account(factory, leader)
    run = _build(0, builder)
    run_decisions.approve_run(run, actor=approver)
    db.session.execute(
        text("UPDATE accounts SET account_number = '11111111' WHERE id = :id"), {"id": account.id}
    )
    assert run_review.stale_reasons(run) == [
        "1 payee no longer has the bank details the run was built with"
    ]
    # The database stamped when the details changed, as the app reads times.
    db.session.refresh(account)
    assert account.bank_details_changed_at >= run.built_at
    with pytest.raises(RuleError):
        run_decisions.commit_run(run.id, actor=approver)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("budget", "a new budget was approved on 1 account"),
        ("rate", "a rate was added"),
        ("suspend", "account status changed on 1 account"),
    ],
)
def test_budgets_rates_and_status_after_the_build_make_it_stale(team, factory, change, reason):
    builder, approver, clerk, leader = team
    account = _paid_account(factory, leader)
    run = _build(0, builder)
    if change == "budget":
        _paid_account(factory, leader)  # another account: not in the run
        budget = services.propose_budget(
            account,
            effective_from=date(2026, 4, 20),
            lines=[LineSpec(LineKind.PA_HOURS, "Care", hours=D("30"))],
            weekly_contribution=D("0"),
            contribution_basis="net",
            reason="Review",
            actor=clerk,
        )
        services.decide_budget(budget, approve=True, note="", actor=leader, ceiling=CEILING)
    elif change == "rate":
        services.add_rate_row(RateKind.PENSION, date(2026, 4, 1), D("3"), "t", actor=clerk)
    else:
        from dp_portal.accounts import services as account_services

        account_services.update_account(account, {"status": "suspended"}, actor=clerk)
    assert reason in run_review.stale_reasons(run)
    with pytest.raises(RuleError, match="Cancel it and build it again"):
        run_decisions.approve_run(run, actor=approver)


def test_whoever_changed_what_the_run_pays_cannot_approve_it(team, factory):
    builder, approver, clerk, leader = team
    first = _paid_account(factory, leader)
    _change_bank(first, clerk, approver)  # the would-be approver approved a change
    run = _build(0, builder)
    blocked = run_review.blocked_approvers(run)
    assert blocked[builder.id] == "built this run"
    assert blocked[clerk.id] == "asked for new bank details for 1 account in it"
    assert blocked[approver.id] == "bank details changed for 1 account in it"
    assert blocked[leader.id].startswith("proposed a budget")
    with pytest.raises(RuleError, match="You cannot approve this run: you asked for new bank"):
        run_decisions.approve_run(run, actor=clerk)
    with pytest.raises(RuleError, match="bank details changed for 1 account"):
        run_decisions.approve_run(run, actor=approver)
    uninvolved = factory.user(Role.FINANCE_OFFICER)
    run_decisions.approve_run(run, actor=uninvolved)
    assert run.status == "approved"


def test_changes_before_the_last_committed_run_do_not_block_approval(team, factory):
    builder, approver, clerk, leader = team
    account = _paid_account(factory, leader)
    _change_bank(account, clerk, approver)
    first = _build(0, builder)
    run_decisions.approve_run(first, actor=factory.user(Role.FINANCE_OFFICER))
    run_decisions.commit_run(first.id, actor=builder)
    second = _build(1, builder)
    assert set(run_review.blocked_approvers(second)) == {builder.id}
    run_decisions.approve_run(second, actor=clerk)


def test_the_approver_sees_what_changed_since_the_last_run(team, factory):
    builder, approver, clerk, leader = team
    same = _paid_account(factory, leader)
    moved = _paid_account(factory, leader)
    grown = _paid_account(factory, leader)
    first = _build(0, builder)
    run_decisions.approve_run(first, actor=approver)
    run_decisions.commit_run(first.id, actor=approver)
    _change_bank(moved, clerk, builder)
    budget = services.propose_budget(
        grown,
        effective_from=date(2026, 5, 4),
        lines=[LineSpec(LineKind.PA_HOURS, "Care", hours=D("23"))],  # 15% more
        weekly_contribution=D("0"),
        contribution_basis="net",
        reason="Review",
        actor=clerk,
    )
    services.decide_budget(budget, approve=True, note="", actor=leader, ceiling=CEILING)
    new = _paid_account(factory, leader)
    second = _build(1, builder)
    previous, changes = run_summary.changes_since_last_run(second)
    assert previous.id == first.id
    flagged = {c.account_id: (c.new_payee, c.new_bank_details, c.big_change) for c in changes}
    assert flagged == {
        moved.id: (False, True, False),
        grown.id: (False, False, True),
        new.id: (True, False, False),
    }
    assert same.id not in flagged
    (up,) = [c for c in changes if c.account_id == grown.id]
    assert up.after_pence * 100 > up.before_pence * 110
    # What the build kept is what the lines say, and the page reads it.
    assert run_summary.stored_changes(second) == changes
    assert second.compared_with_run_id == first.id
    kept = run_pages.run_totals(second)
    second.summarised_at = None  # as a run built before summaries were kept
    assert run_pages.run_totals(second) == kept
    assert kept["by_option"] and sum(n for *_, n, _total in kept["by_option"]) == 4


def test_a_late_period_is_never_offered_first_and_needs_a_reason(team, factory):
    builder, *_ = team
    today = date(2026, 6, 10)  # period 2 (1 June) has started: its pay date has passed
    on_time, late = run_periods.period_choices(SCHEDULE, today)
    assert [c.index for c in on_time] == [3, 4, 5]
    assert all(c.pay_date >= today for c in on_time)
    assert [c.index for c in late] == [2, 1, 0]
    with pytest.raises(RuleError, match=r"has passed\. To pay it late"):
        run_build.build_run(2, schedule=SCHEDULE, actor=builder, today=today)
    run = run_build.build_run(
        2, schedule=SCHEDULE, actor=builder, today=today, late_reason="Missed at go-live"
    )
    assert run.late_reason == "Missed at go-live"
    assert run.pay_date == today  # a Wednesday both the council and Bacs work
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "payment_run.built")
    ).scalar_one()
    assert event.after["late_reason"] == "Missed at go-live"


def test_runs_are_committed_in_order(team, factory):
    builder, approver, _clerk, leader = team
    _paid_account(factory, leader)
    one, two = _build(1, builder), _build(2, builder)
    run_decisions.approve_run(one, actor=approver)
    run_decisions.approve_run(two, actor=approver)
    with pytest.raises(RuleError, match="starting 04 May 2026 has not been committed"):
        run_decisions.commit_run(two.id, actor=approver)
    run_decisions.cancel_run(one, actor=approver)
    run_decisions.commit_run(two.id, actor=approver)  # period 0 has no run at all: it never blocks
    assert two.status == "committed"


@pytest.mark.parametrize("table", ["payments", "ledger_entries"])
def test_money_rows_are_append_only_in_the_database_itself(team, factory, table):
    builder, approver, _clerk, leader = team
    _paid_account(factory, leader)
    run = _build(0, builder)
    run_decisions.approve_run(run, actor=approver)
    run_decisions.commit_run(run.id, actor=approver)
    for statement in (
        f"UPDATE {table} SET amount_pence = amount_pence + 1",
        f"DELETE FROM {table}",
    ):
        nested = db.session.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        nested.rollback()


def test_commit_and_cancel_each_ask_first(client, factory, db_session):
    builder, approver = factory.user(Role.FINANCE_OFFICER), factory.user(Role.FINANCE_OFFICER)
    with client.application.app_context():
        run = run_build.build_run(0, schedule=SCHEDULE, actor=builder, today=AHEAD)
        run_decisions.approve_run(run, actor=approver)
        db.session.commit()  # a savepoint of the test's transaction: the requests see it
        run_id = run.id
    sign_in_as(client, approver)
    page = client.get(f"/payment-runs/{run_id}")
    assert f'href="/payment-runs/{run_id}/commit"' in page.text  # a link, not a button
    confirm = client.get(f"/payment-runs/{run_id}/commit").text
    assert "Commit the payments?" in confirm and "This cannot be undone" in confirm
    cancel = client.get(f"/payment-runs/{run_id}/cancel").text
    assert "Nothing is paid from a cancelled run" in cancel
    assert db_session.execute(text("SELECT status FROM payment_runs")).scalar() == "approved"
    client.post(f"/payment-runs/{run_id}/cancel")
    assert db_session.execute(text("SELECT status FROM payment_runs")).scalar() == "cancelled"


def test_the_build_page_offers_late_periods_last_and_asks_why(client, factory, db_session):
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    page = client.get("/payment-runs").text
    assert "Paying a period late" in page
    first_radio = page.index('name="period"')
    assert "pay date passed" not in page[first_radio : first_radio + 300]
    late_index = page.split("pay date passed")[0].rsplit('value="', 1)[1].split('"')[0]
    refused = client.post("/payment-runs", data={"period": late_index})
    assert "tick the box to confirm" in refused.text and "Say why" in refused.text
    assert db_session.execute(text("SELECT count(*) FROM payment_runs")).scalar() == 0
    built = client.post(
        "/payment-runs",
        data={"period": late_index, "pay_late": "y", "late_reason": "Missed in error"},
    )
    assert built.status_code == 302
    assert db_session.execute(text("SELECT late_reason FROM payment_runs")).scalar() == (
        "Missed in error"
    )


def test_bank_file_downloads_are_in_the_audit_log(client, factory, db_session):
    builder, approver = factory.user(Role.FINANCE_OFFICER), factory.user(Role.FINANCE_OFFICER)
    with client.application.app_context():
        run = run_build.build_run(0, schedule=SCHEDULE, actor=builder, today=AHEAD)
        run_decisions.approve_run(run, actor=approver)
        run_decisions.commit_run(run.id, actor=approver)
        db.session.commit()
        run_id = run.id
    sign_in_as(client, approver)
    assert client.get(f"/payment-runs/{run_id}/bank-file.txt").status_code == 200
    assert client.get(f"/payment-runs/{run_id}/report.xlsx").status_code == 200
    actions = db_session.execute(
        select(AuditEvent.action, AuditEvent.actor_id).where(AuditEvent.action.like("download.%"))
    ).all()
    assert sorted(actions) == [
        ("download.bank_file", approver.id),
        ("download.run_report", approver.id),
    ]


def test_exports_of_peoples_data_are_in_the_audit_log(client, factory, db_session):
    officer = factory.user(Role.FINANCE_OFFICER)
    account = factory.account()
    sign_in_as(client, officer)
    for url in (
        "/returns/export.xlsx",
        f"/accounts/{account.id}/returns/history.xlsx",
        "/reports/reminders.xlsx",
    ):
        assert client.get(url).status_code == 200, url
    events = db_session.execute(
        select(AuditEvent.action, AuditEvent.account_id).where(
            AuditEvent.action.like("download.%"), AuditEvent.actor_id == officer.id
        )
    ).all()
    assert sorted(events, key=str) == sorted(
        [
            ("download.returns", None),
            ("download.returns", account.id),
            ("download.reminder_report", None),
        ],
        key=str,
    )


def test_every_page_of_a_run_lists_the_lines_the_count_says(team, factory, monkeypatch):
    """Pages found from where the build noted each page starts hold the same lines, in the
    same order, as counting through the run (two lines a page here)."""
    builder, *_rest, leader = team
    monkeypatch.setattr(run_summary, "LINES_A_PAGE", 2)
    monkeypatch.setattr(run_pages, "LINES_A_PAGE", 2)
    paid = sorted(_paid_account(factory, leader).id for _ in range(5))
    factory.account()  # no budget: withheld, on no page
    run = _build(0, builder)
    kept = {n: [line.account_id for line in run_pages.paid_lines(run, n).items] for n in range(4)}
    run.summarised_at = None  # as a run built before the pages were noted
    counted = {
        n: [line.account_id for line in run_pages.paid_lines(run, n).items] for n in range(4)
    }
    assert kept == counted
    assert kept[1] + kept[2] + kept[3] == paid
    assert kept[0] == kept[1]  # a page before the first is the first
    assert run_pages.paid_lines(run, 99).page == 3  # and one after the last, the last


@pytest.mark.parametrize("in_flight", [timedelta(0), timedelta(hours=1)])
def test_who_may_not_approve_reads_the_same_from_what_the_build_kept(
    team, factory, monkeypatch, in_flight
):
    """Kept at the build (up to `in_flight` before it) or read from the audit log, the same
    people are blocked with the same counts, also when one of them asked again after the
    build for another account in the run (counted once each, not twice)."""
    monkeypatch.setattr(run_review, "IN_FLIGHT", in_flight)
    builder, approver, clerk, leader = team
    first, second = _paid_account(factory, leader), _paid_account(factory, leader)
    _change_bank(first, clerk, approver)
    run = _build(0, builder)
    kept_rows = db.session.execute(select(RunChanger).where(RunChanger.run_id == run.id)).all()
    assert bool(kept_rows) == (in_flight == timedelta(0))
    proposed = bank_changes.Proposed("OTHER PAYEE", "309634", "00733445", "New account")
    bank_changes.request_change(second, proposed, confirmed="", tables=None, actor=clerk)
    again = bank_changes.request_change(first, proposed, confirmed="", tables=None, actor=clerk)
    bank_changes.decide(again, approve=False, note="not needed", actor=approver)
    kept = run_review.blocked_approvers(run)
    # first (before the build and again after it) and second: two accounts, not three
    assert kept[clerk.id] == "asked for new bank details for 2 accounts in it"
    run.summarised_at = None  # as a run built before anything was kept
    assert run_review.blocked_approvers(run) == kept
