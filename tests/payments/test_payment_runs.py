"""Budgets to payments: approval rules, pro-rating, arrears, suspension, exactly once."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dp_portal.auth.models import Role
from dp_portal.core.calendar import Cycle, PaymentSchedule
from dp_portal.core.errors import RuleError
from dp_portal.extensions import db
from dp_portal.payments import (
    bankfile,
    corrections,
    run_build,
    run_decisions,
    run_files,
    services,
)
from dp_portal.payments.budgets import LineKind, LineSpec
from dp_portal.payments.ledger_models import LedgerEntry, Payment
from dp_portal.payments.rates import RateKind
from dp_portal.payments.run_models import PaymentRun, RunLine

D = Decimal
# Runs are built ahead of their pay dates (paying late is its own test).
BUILT_AHEAD = date(2026, 1, 5)
ANCHOR = date(2026, 4, 6)
SCHEDULE = PaymentSchedule(Cycle.FOUR_WEEKLY, ANCHOR)  # cycle 0: 6 April to 3 May 2026
CEILING = D("1500")


@pytest.fixture
def world(app_ctx, factory):
    officer, second = factory.user(Role.FINANCE_OFFICER), factory.user(Role.FINANCE_OFFICER)
    leader = factory.user(Role.TEAM_LEADER)
    for kind, value in [
        (RateKind.LIVING_WAGE, D("12.60")),
        (RateKind.HOLIDAY, D("12.07")),
        (RateKind.PENSION, D("3")),
    ]:
        services.add_rate_row(kind, date(2025, 4, 1), value, "test", actor=officer)
    db.session.flush()
    return officer, second, leader


def _account(factory, **kw):
    kw.setdefault("payee_name", "A TESTER")
    kw.setdefault("sort_code", "089999")
    kw.setdefault("account_number", "66374958")
    kw.setdefault("start_date", date(2026, 4, 6))
    account = factory.account(**kw)
    return db.session.merge(account)


def _budget(
    account,
    proposer,
    approver,
    *,
    hours="20",
    start=date(2026, 4, 6),
    contribution="0",
    basis="net",
):
    budget = services.propose_budget(
        account,
        effective_from=start,
        lines=[LineSpec(LineKind.PA_HOURS, "Personal care", hours=D(hours))],
        weekly_contribution=D(contribution),
        contribution_basis=basis,
        reason="Assessment",
        actor=proposer,
    )
    services.decide_budget(budget, approve=True, note="ok", actor=approver, ceiling=CEILING)
    return budget


def _commit(period_index, builder, approver):
    run = run_build.build_run(period_index, schedule=SCHEDULE, actor=builder, today=BUILT_AHEAD)
    run_decisions.approve_run(run, actor=approver)
    run_decisions.commit_run(run.id, actor=approver)
    return run


def test_nobody_approves_their_own_budget_and_team_leaders_have_a_ceiling(world, factory):
    officer, second, leader = world
    account = _account(factory)
    small = services.propose_budget(
        account,
        effective_from=date(2026, 4, 6),
        lines=[LineSpec(LineKind.PA_HOURS, "Care", hours=D("10"))],
        weekly_contribution=D("0"),
        contribution_basis="net",
        reason="",
        actor=officer,
    )
    with pytest.raises(RuleError, match="cannot decide a budget you proposed"):
        services.decide_budget(small, approve=True, note="", actor=officer, ceiling=CEILING)
    services.decide_budget(small, approve=True, note="", actor=leader, ceiling=CEILING)
    assert small.status == "approved"

    big = services.propose_budget(
        account,
        effective_from=date(2026, 5, 4),
        lines=[LineSpec(LineKind.PA_HOURS, "Care", hours=D("120"))],
        weekly_contribution=D("0"),
        contribution_basis="net",
        reason="",
        actor=officer,
    )
    with pytest.raises(RuleError, match="need a finance officer"):
        services.decide_budget(big, approve=True, note="", actor=leader, ceiling=CEILING)
    services.decide_budget(big, approve=True, note="", actor=second, ceiling=CEILING)
    assert big.version == 2


def test_a_run_pays_the_prorated_net_amount_once(world, factory):
    officer, second, leader = world
    account = _account(factory)
    _budget(account, officer, leader, contribution="14")
    run = _commit(0, officer, second)
    payment = db.session.execute(
        select(Payment).where(Payment.account_id == account.id)
    ).scalar_one()
    rate = services.rate_book().pa_rate_on(date(2026, 4, 6)).total
    assert payment.amount == (D(20) * rate * 4 - D(14) * 4).quantize(D("0.01"))
    assert payment.pay_date == date(2026, 4, 2)  # Easter Monday and Good Friday skipped
    assert D(payment.breakdown["contribution"]) == D("56")
    ledger = {
        entry.kind: entry.amount_pence
        for entry in db.session.execute(
            select(LedgerEntry).where(LedgerEntry.account_id == account.id)
        ).scalars()
    }
    # The payment, and the contribution the person pays in (net payment): £14 x 4 weeks.
    assert ledger == {"payment": payment.amount_pence, "contribution": 5600}
    assert run.status == "committed"
    # Retried, the run is refused and nothing more is paid.
    with pytest.raises(RuleError, match="already been committed"):
        run_decisions.commit_run(run.id, actor=second)
    assert db.session.execute(select(func.count(Payment.id))).scalar() == 1


def test_the_two_officer_rule(world, factory):
    officer, second, leader = world
    _budget(_account(factory), officer, leader)
    run = run_build.build_run(0, schedule=SCHEDULE, actor=officer, today=BUILT_AHEAD)
    with pytest.raises(RuleError, match="different finance officer"):
        run_decisions.approve_run(run, actor=officer)
    with pytest.raises(RuleError, match="has not been approved"):
        run_decisions.commit_run(run.id, actor=officer)
    with pytest.raises(RuleError, match="already a run for this period"):
        run_build.build_run(0, schedule=SCHEDULE, actor=second, today=BUILT_AHEAD)


def test_exceptions_are_withheld_and_listed(world, factory):
    officer, _second, leader = world
    suspended = _account(factory, status="suspended")
    no_bank = _account(factory, sort_code=None, account_number=None, payee_name=None)
    no_budget = _account(factory)
    closed = _account(factory, status="closed")
    _account(factory, status="closed", end_date=date(2026, 4, 30), start_date=date(2026, 1, 5))
    for account in (suspended, no_bank, closed):
        _budget(account, officer, leader)
    run = run_build.build_run(0, schedule=SCHEDULE, actor=officer, today=BUILT_AHEAD)
    reasons = dict(
        db.session.execute(
            select(RunLine.account_id, RunLine.reason).where(RunLine.run_id == run.id)
        ).all()
    )
    assert reasons[suspended.id].startswith("Account suspended")
    assert reasons[no_bank.id] == "No bank details"
    assert reasons[no_budget.id] == "No approved budget"
    assert reasons[closed.id] == "Account closed"
    assert run.payment_count == 0 and run.withheld_count == 5


def test_suspended_account_gets_its_arrears_after_reinstatement(world, factory):
    officer, second, leader = world
    account = _account(factory, status="suspended")
    _budget(account, officer, leader)
    _commit(0, officer, second)
    assert db.session.execute(select(func.count(Payment.id))).scalar() == 0
    account.status = "active"
    db.session.flush()
    run = _commit(1, officer, second)
    payments = (
        db.session.execute(select(Payment).where(Payment.run_id == run.id).order_by(Payment.id))
        .scalars()
        .all()
    )
    assert [(p.kind, p.period_index) for p in payments] == [("regular", 1), ("arrears", 0)]
    assert payments[0].amount == payments[1].amount  # same budget, same length of period
    # The next run owes nothing more for period 0.
    run3 = run_build.build_run(2, schedule=SCHEDULE, actor=officer, today=BUILT_AHEAD)
    line = db.session.execute(select(RunLine).where(RunLine.run_id == run3.id)).scalar_one()
    assert line.arrears_pence == 0


def test_backdated_uplift_pays_itemised_arrears_in_the_next_run(world, factory):
    officer, second, leader = world
    account = _account(factory)
    _budget(account, officer, leader)
    _commit(0, officer, second)
    first = db.session.execute(select(Payment).where(Payment.account_id == account.id)).scalar_one()
    # In period 1, the living wage rises back-dated to 20 April (inside period 0).
    services.add_rate_row(
        RateKind.LIVING_WAGE, date(2026, 4, 20), D("13.45"), "uplift", actor=officer
    )
    db.session.flush()
    run = run_build.build_run(1, schedule=SCHEDULE, actor=officer, today=BUILT_AHEAD)
    line = db.session.execute(select(RunLine).where(RunLine.run_id == run.id)).scalar_one()
    book = services.rate_book()
    old, new = book.pa_rate_on(date(2026, 4, 6)).total, book.pa_rate_on(date(2026, 4, 20)).total
    expected_p0 = (D(20) * old * 14 / 7 + D(20) * new * 14 / 7).quantize(D("0.01"))
    (item,) = line.breakdown["arrears"]
    assert item["period_index"] == 0
    assert item["paid_pence"] == first.amount_pence
    assert item["due_pence"] == int(expected_p0 * 100) - first.amount_pence
    assert line.arrears_pence == item["due_pence"] > 0


def test_gross_payment_does_not_deduct_the_contribution(world, factory):
    officer, second, leader = world
    net, gross = _account(factory), _account(factory)
    _budget(net, officer, leader, contribution="20", basis="net")
    _budget(gross, officer, leader, contribution="20", basis="gross")
    _commit(0, officer, second)
    amounts = dict(db.session.execute(select(Payment.account_id, Payment.amount_pence)).all())
    assert amounts[gross.id] - amounts[net.id] == 8000  # 4 weeks x £20
    # The gross payer is invoiced for the contribution instead (reg. 4).
    from dp_portal.core.letters import Letter

    (invoice,) = db.session.execute(select(Letter)).scalars().all()
    assert invoice.account_id == gross.id and invoice.kind == "contribution_invoice"
    assert invoice.context["amount"] == "80.00"


def test_budget_change_midperiod_is_prorated(world, factory):
    officer, second, leader = world
    account = _account(factory)
    _budget(account, officer, leader, hours="10")
    _budget(account, officer, leader, hours="20", start=date(2026, 4, 20))
    _commit(0, officer, second)
    payment = db.session.execute(select(Payment)).scalar_one()
    rate = services.rate_book().pa_rate_on(date(2026, 4, 6)).total
    assert payment.amount == (D(10) * rate * 2 + D(20) * rate * 2).quantize(D("0.01"))
    assert [s["days"] for s in payment.breakdown["segments"]] == [14, 14]


def test_bank_payment_file_has_a_record_per_payee(world, factory, app):
    officer, second, leader = world
    a, b = _account(factory), _account(factory)
    _budget(a, officer, leader)
    _budget(b, officer, leader)
    run = _commit(0, officer, second)
    transfers = run_files.run_transfers(run.id)
    assert len(transfers) == 2
    text_file = run_files.bank_file(run.id, app.config, "txt")
    assert len(text_file.splitlines()) == 2 and all(len(r) == 100 for r in text_file.splitlines())
    assert sum(t.amount_pence for t in transfers) == run.total_pence


def test_the_bank_file_pays_what_the_run_paid_arrears_and_all(world, factory):
    """The file is read from the run's paid lines: each credit must be the account's
    payments in that run (its period's and any arrears) added up, to the payee paid, with
    the account's reference and the period; a withheld account has no credit."""
    officer, second, leader = world
    owed = _account(factory, status="suspended", payee_name="OWED ARREARS")
    plain = _account(factory, payee_name="PLAIN PAYEE", sort_code="401234")
    unpaid = _account(factory, sort_code=None, account_number=None, payee_name=None)
    for account in (owed, plain, unpaid):
        _budget(account, officer, leader)
    _commit(0, officer, second)
    owed.status = "active"
    db.session.flush()
    run = _commit(1, officer, second)

    payments = db.session.execute(
        select(Payment).where(Payment.run_id == run.id).order_by(Payment.account_id, Payment.id)
    ).scalars()
    paid: dict[int, list] = {}
    kinds: dict[int, list[str]] = {}
    for payment in payments:
        paid.setdefault(payment.account_id, [payment, 0])[1] += payment.amount_pence
        kinds.setdefault(payment.account_id, []).append(payment.kind)
    assert kinds == {owed.id: ["regular", "arrears"], plain.id: ["regular"]}
    suffix = " " + bankfile.reference_suffix(run.period_start)
    expected = [
        bankfile.Transfer(
            p.sort_code, p.account_number, p.payee_name, pence, p.account.reference + suffix
        )
        for p, pence in paid.values()
    ]
    assert run_files.run_transfers(run.id) == expected
    assert unpaid.id not in paid
    assert [t.name for t in expected] == ["OWED ARREARS", "PLAIN PAYEE"]


def test_a_national_run_total_fits(world, factory):
    officer, _, _ = world
    run = PaymentRun(
        period_index=99,
        period_start=date(2033, 1, 1),
        period_end=date(2033, 1, 28),
        pay_date=date(2032, 12, 31),
        built_by_id=officer.id,
        total_pence=13_414_236_827,
    )
    db.session.add(run)
    db.session.flush()
    db.session.expire(run)
    assert run.total == D("134142368.27")


def test_committed_payments_ledger_entries_and_run_lines_are_never_edited(world, factory):
    from dp_portal.core.audit import AuditLogIsAppendOnly

    officer, second, leader = world
    _budget(_account(factory), officer, leader)
    _commit(0, officer, second)
    payment = db.session.execute(select(Payment)).scalar_one()
    entry = db.session.execute(select(LedgerEntry)).scalars().first()
    nested = db.session.begin_nested()
    payment.amount_pence += 1
    with pytest.raises(AuditLogIsAppendOnly, match="never changed"):
        db.session.flush()
    nested.rollback()
    nested = db.session.begin_nested()
    db.session.delete(entry)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    nested.rollback()
    # The run's lines are what the bank file pays (run_files.run_transfers): never edited.
    line = db.session.execute(select(RunLine)).scalar_one()
    nested = db.session.begin_nested()
    line.sort_code = "000000"
    with pytest.raises(AuditLogIsAppendOnly, match="never changed"):
        db.session.flush()
    nested.rollback()


def test_a_returned_payment_is_corrected_and_paid_again_next_run(world, factory):
    officer, second, leader = world
    account = _account(factory)
    _budget(account, officer, leader)
    _commit(0, officer, second)
    payment = db.session.execute(select(Payment)).scalar_one()
    with pytest.raises(RuleError, match="not zero"):
        corrections.record_adjustment(
            payment, amount=D("0"), on=date(2026, 4, 9), reason="x", actor=second
        )
    corrections.record_adjustment(
        payment,
        amount=-payment.amount,
        on=date(2026, 4, 9),
        reason="Returned by the bank",
        actor=second,
    )
    db.session.flush()
    balance = db.session.execute(
        select(func.sum(LedgerEntry.amount_pence)).where(LedgerEntry.account_id == account.id)
    ).scalar()
    assert balance == 0  # the payment and its correction cancel out in the ledger
    run = run_build.build_run(1, schedule=SCHEDULE, actor=officer, today=BUILT_AHEAD)
    line = db.session.execute(select(RunLine).where(RunLine.run_id == run.id)).scalar_one()
    assert line.arrears_pence == payment.amount_pence  # period 0 is owed again
    assert line.breakdown["arrears"][0]["period_index"] == 0


def test_provider_rates_cannot_undercut_the_living_wage_rate(world, factory):
    officer, _, _ = world
    provider = db.session.merge(factory.organisation(kind="provider"))
    floor = services.rate_book().pa_rate_on(date(2026, 4, 6)).total
    with pytest.raises(RuleError, match="at least"):
        services.add_provider_rate(
            provider.id, date(2026, 4, 6), floor - D("0.01"), "x", actor=officer
        )
    services.add_provider_rate(provider.id, date(2026, 4, 6), floor, "x", actor=officer)


def test_monthly_payments_are_priced_by_the_days_in_the_month(world, factory):
    officer, _, leader = world
    account = _account(factory)
    _budget(account, officer, leader)
    monthly = PaymentSchedule(Cycle.MONTHLY, ANCHOR)
    index = monthly.index_of(date(2026, 10, 1))
    run = run_build.build_run(index, schedule=monthly, actor=officer, today=BUILT_AHEAD)
    assert (run.period_start, run.period_end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert run.pay_date == date(2026, 10, 1)  # a Thursday: paid on the first day
    line = db.session.execute(select(RunLine).where(RunLine.run_id == run.id)).scalar_one()
    rate = services.rate_book().pa_rate_on(date(2026, 10, 1)).total
    assert line.amount_pence == int((D(20) * rate * 31 / 7).quantize(D("0.01")) * 100)
