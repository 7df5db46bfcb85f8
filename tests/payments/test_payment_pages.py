"""The payments journey through the web: rates, uplift, budget, run, bank file, remittance."""

import io
import re
from datetime import date

import openpyxl
from sqlalchemy import func, select

from dp_portal.auth.models import Role
from dp_portal.payments.ledger_models import Payment
from dp_portal.payments.models import Budget
from dp_portal.payments.rate_models import ProviderRate, RateRow, Uplift
from dp_portal.payments.run_models import PaymentRun

from ..conftest import sign_in_as

TIMES = "\u00d7"  # the multiplication sign the pages use to show their working


def _setup_rates(client, admin):
    sign_in_as(client, admin)
    for kind, value in (("living_wage", "12.60"), ("holiday_pct", "12.07"), ("pension_pct", "3")):
        response = client.post(
            "/rates/new",
            data={
                "kind": kind,
                "effective_from": ["1", "4", "2025"],
                "value": value,
                "source_note": "test",
            },
        )
        assert response.status_code == 302, response.data


def test_rate_breakdown_and_validation(client, factory):
    admin = factory.user(Role.ADMIN)
    _setup_rates(client, admin)
    bad = client.post(
        "/rates/new",
        data={
            "kind": "living_wage",
            "effective_from": ["1", "4", "2026"],
            "value": "12.345",
            "source_note": "x",
        },
    )
    assert b"no more than 2 decimal places" in bad.data
    page = client.get("/rates").data.decode()
    assert "Holiday pay" in page and "£1.52" in page and "£14.54" in page  # 12.60 + 1.52 + 0.42
    assert "In force from 1 April 2025" in page  # when the rate in force started, not "today"


def test_uplift_preview_apply_and_apply_again(client, factory, db_session):
    admin, officer, leader = (
        factory.user(Role.ADMIN),
        factory.user(Role.FINANCE_OFFICER),
        factory.user(Role.TEAM_LEADER),
    )
    _setup_rates(client, admin)
    provider = factory.organisation(kind="provider", name="Care Co")
    db_session.add(
        ProviderRate(
            organisation_id=provider.id,
            effective_from=date(2025, 4, 1),
            hourly_pence=2000,
            source_note="c",
        )
    )
    account = factory.account(start_date=date(2025, 4, 1))
    db_session.add(
        Budget(
            account_id=account.id,
            version=1,
            effective_from=date(2025, 4, 1),
            status="approved",
            weekly_at_proposal_pence=1,
            proposed_by_id=officer.id,
            decided_by_id=leader.id,
        )
    )
    db_session.flush()
    from dp_portal.payments.models import BudgetLine

    budget_id = db_session.execute(
        select(Budget.id).where(Budget.account_id == account.id)
    ).scalar()
    db_session.add(
        BudgetLine(budget_id=budget_id, kind="pa_hours", description="Care", hours_hundredths=1000)
    )
    db_session.flush()

    sign_in_as(client, admin)
    data = {"new_wage": "13.45", "effective_from": ["1", "4", "2026"], "source_note": "SG letter"}
    preview = client.get("/rates/uplift", query_string=data).data.decode()
    assert account.reference in preview
    assert "6.746" in preview  # (13.45 - 12.60) / 12.60 = 6.746%
    assert "Care Co" in preview and "£21.35" in preview  # 20.00 x 13.45 / 12.60
    # 10 hours x (15.52 - 14.54) = 9.80 a week more, totalled first with its working.
    assert f"£9.80 {TIMES} 4 = £39.20" in preview and f"£9.80 {TIMES} 52 = £509.60" in preview
    sheet = client.get("/rates/uplift.xlsx", query_string=data)
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"
    assert (
        db_session.execute(select(func.count(Uplift.id))).scalar() == 0
    )  # a preview (and its download) changes nothing

    assert client.post("/rates/uplift/apply", data=data).status_code == 302
    again = client.post("/rates/uplift/apply", data=data, follow_redirects=True)
    assert b"already been applied" in again.data
    assert db_session.execute(select(func.count(Uplift.id))).scalar() == 1
    assert (
        db_session.execute(select(func.count(RateRow.id)).where(RateRow.value == 1345)).scalar()
        == 1
    )
    assert db_session.execute(select(func.count(ProviderRate.id))).scalar() == 2


def test_budget_to_bank_file_through_the_web(client, factory, db_session):
    admin = factory.user(Role.ADMIN)
    builder, approver = factory.user(Role.FINANCE_OFFICER), factory.user(Role.FINANCE_OFFICER)
    leader = factory.user(Role.TEAM_LEADER)
    recipient = factory.user(Role.RECIPIENT)
    _setup_rates(client, admin)
    account = factory.account(
        start_date=date(2026, 4, 6),
        payee_name="M TESTER",
        sort_code="089999",
        account_number="66374958",
    )
    factory.access(recipient, account)

    sign_in_as(client, builder)
    bad = client.post(
        f"/accounts/{account.id}/budget/new",
        data={
            "effective_from": ["6", "4", "2026"],
            "pa_hours": "7.1",
            "weekly_contribution": "0",
            "contribution_basis": "net",
            "reason": "x",
        },
    )
    assert b"quarter hours" in bad.data
    answers = {
        "effective_from": ["6", "4", "2026"],
        "pa_hours": "20",
        "pa_description": "Personal care",
        "weekly_contribution": "10",
        "contribution_basis": "net",
        "reason": "Assessment 2026",
    }
    # Checking first: the new budget beside the current one (none yet), and nothing saved.
    check = client.post(f"/accounts/{account.id}/budget/new", data=answers | {"check": "y"})
    checked = check.get_data(as_text=True)
    assert "The current and the new budget" in checked and "No budget" in checked
    assert db_session.execute(select(func.count(Budget.id))).scalar() == 0
    shown = re.search(r'name="checked_weekly"[^>]*value="([\d.]+)"', checked).group(1)
    response = client.post(
        f"/accounts/{account.id}/budget/new",
        data=answers | {"submit": "y", "checked_weekly": shown},
    )
    assert response.status_code == 302
    budget = db_session.execute(select(Budget).where(Budget.account_id == account.id)).scalar_one()
    own = client.post(f"/budgets/{budget.id}", data={"decision": "approve"})
    assert b"cannot decide a budget you proposed" in own.data

    sign_in_as(client, leader)
    assert (
        client.post(f"/budgets/{budget.id}", data={"decision": "approve", "note": "ok"}).status_code
        == 302
    )

    sign_in_as(client, builder)
    page = client.get("/payment-runs").data.decode()
    period = re.search(r'name="period"[^>]*value="(-?\d+)"', page) or re.search(
        r'value="(-?\d+)"[^>]*name="period"', page
    )
    assert period is not None  # the first offered: the next period still to be paid on time
    response = client.post("/payment-runs", data={"period": period.group(1)})
    assert response.status_code == 302
    run = db_session.execute(select(PaymentRun)).scalar_one()
    review = client.get(f"/payment-runs/{run.id}").data.decode()
    assert "You built this run, so a finance officer who did not must approve it" in review
    client.post(f"/payment-runs/{run.id}/approve")
    db_session.expire_all()
    assert run.status == "built"  # the builder cannot approve their own run

    sign_in_as(client, approver)
    client.post(f"/payment-runs/{run.id}/approve")
    confirm = client.get(f"/payment-runs/{run.id}/commit").get_data(as_text=True)
    assert "This cannot be undone" in confirm and "1 payments totalling" in confirm
    client.post(f"/payment-runs/{run.id}/commit")
    again = client.post(f"/payment-runs/{run.id}/commit", follow_redirects=True)
    assert b"already been committed" in again.data
    assert db_session.execute(select(func.count(Payment.id))).scalar() == 1

    bacs = client.get(f"/payment-runs/{run.id}/bank-file.txt")
    assert bacs.status_code == 200 and bacs.data.startswith(b"08999966374958099")
    assert len(bacs.data.decode().splitlines()[0]) == 100
    csv_file = client.get(f"/payment-runs/{run.id}/bank-file.csv").data.decode()
    assert "M TESTER" in csv_file
    report = client.get(f"/payment-runs/{run.id}/report.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(report.data))
    assert book.sheetnames == ["Summary", "Accounts"]
    assert book["Accounts"]["A2"].value == account.reference

    payment = db_session.execute(select(Payment)).scalar_one()
    bad = client.post(
        f"/payments/{payment.id}/correct",
        data={"amount": "abc", "on": ["9", "4", "2026"], "reason": "x"},
    )
    assert b"Enter an amount in pounds and pence" in bad.data
    fixed = client.post(
        f"/payments/{payment.id}/correct",
        data={
            "amount": f"-{payment.amount}",
            "on": ["9", "4", "2026"],
            "reason": "Returned by the bank",
        },
    )
    assert fixed.status_code == 302
    assert b"Returned by the bank" in client.get(f"/payments/{payment.id}").data

    sign_in_as(client, recipient)
    budget_page = client.get(f"/accounts/{account.id}/budget").data.decode()
    assert "Personal care" in budget_page and "20 hours x" in budget_page
    payments = client.get(f"/accounts/{account.id}/payments").data.decode()
    assert f"/payments/{payment.id}" in payments
    advice = client.get(f"/payments/{payment.id}").data.decode()
    assert "Remittance advice" in advice and "Less your contribution" in advice
    other = factory.account()
    assert client.get(f"/accounts/{other.id}/payments").status_code == 404


def test_a_long_uplift_preview_is_paged_sorted_and_downloadable(client, factory, db_session):
    from io import BytesIO

    from openpyxl import load_workbook

    from dp_portal.payments.models import BudgetLine

    admin, officer = factory.user(Role.ADMIN), factory.user(Role.FINANCE_OFFICER)
    _setup_rates(client, admin)
    for hours in range(1, 61):  # 60 accounts: two pages of 50
        account = factory.account(start_date=date(2025, 4, 1))
        budget = Budget(
            account_id=account.id,
            version=1,
            effective_from=date(2025, 4, 1),
            status="approved",
            weekly_at_proposal_pence=1,
            proposed_by_id=officer.id,
            decided_by_id=admin.id,
        )
        db_session.add(budget)
        db_session.flush()
        db_session.add(
            BudgetLine(
                budget_id=budget.id, kind="pa_hours", description="PA", hours_hundredths=hours * 100
            )
        )
    db_session.flush()
    sign_in_as(client, admin)
    query = {"new_wage": "13.45", "effective_from": ["1", "4", "2026"], "source_note": "SG"}
    first = client.get("/rates/uplift", query_string=query).get_data(as_text=True)
    assert "Page 1 of 2 (60 in all)" in first
    # 0.98 an hour more for 1..60 hours: 1,830 hours x 0.98 = 1,793.40 a week.
    assert "£1,793.40" in first
    assert "effective_from=1&amp;effective_from=4&amp;effective_from=2026" in first  # dates kept
    largest = client.get("/rates/uplift", query_string=query | {"sort": "difference"}).get_data(
        as_text=True
    )
    assert largest.index("£58.80") < largest.index("£57.82")  # 60 hours, then 59, first
    assert 'aria-sort="descending"' in largest
    second = client.get("/rates/uplift", query_string=query | {"page": "2"}).get_data(as_text=True)
    assert "Page 2 of 2" in second
    sheet = client.get("/rates/uplift.xlsx", query_string=query)
    rows = list(load_workbook(BytesIO(sheet.data), read_only=True).active.values)
    assert len(rows) == 61 and rows[0][0] == "Account"  # every account, not one page
    assert db_session.execute(select(func.count(Uplift.id))).scalar() == 0


def test_the_runs_page_reads_the_working_calendars_once(app, client, factory):
    """The page offers several periods, each with its pay date worked out from the council's
    and Bacs's working days: the two calendars are read once for all of them, not once a
    period (a page 50 officers open at once must not ask the database the same thing a dozen
    times)."""
    from sqlalchemy import event

    from dp_portal.extensions import db

    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    with app.app_context():
        engine = db.engine
    calendar_reads = []

    def count(_conn, _cursor, statement, *_args):
        if "FROM calendar_overrides" in statement:
            calendar_reads.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get("/payment-runs")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert page.status_code == 200
    assert "Payment runs" in page.data.decode()
    assert len(calendar_reads) == 2  # the council's, and Bacs's
