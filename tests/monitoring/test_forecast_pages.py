"""The balance forecast on real rows: where it starts (the last accepted return), what it counts
as paid in (the ledger since, and the periods still to pay, priced from the budget), the
officers' list read from the morning's summaries, and the pages people and officers open."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D

import pytest

from dp_portal.auth.models import Role
from dp_portal.core.calendar import Cycle, PaymentSchedule
from dp_portal.extensions import db
from dp_portal.monitoring import forecast_services
from dp_portal.monitoring.forecast import Outlook
from dp_portal.monitoring.models import MonitoringReturn
from dp_portal.payments.ledger_models import LedgerEntry, Payment
from dp_portal.payments.models import Budget, BudgetLine

from ..conftest import sign_in_as

SCHEDULE = PaymentSchedule(Cycle.FOUR_WEEKLY, date(2026, 4, 6))
TODAY = date(2026, 7, 1)
SETTINGS = {"schedule": SCHEDULE, "underspend_weeks": 8}


def _account(factory, db_session, *, status="active", closing=50000, weekly=14000):
    """An account with £140.00 a week (£20.00 a day) from 6 April 2026, and an accepted
    return for 6 April to 30 June 2026 (86 days) that spent £1,720.00 (£20.00 a day)."""
    officer, leader = factory.user(Role.FINANCE_OFFICER), factory.user(Role.TEAM_LEADER)
    account = factory.account(status=status)
    budget = Budget(
        account_id=account.id,
        version=1,
        effective_from=date(2026, 4, 6),
        status="approved",
        weekly_at_proposal_pence=weekly,
        proposed_by_id=officer.id,
        decided_by_id=leader.id,
    )
    db_session.add(budget)
    db_session.flush()
    db_session.add(
        BudgetLine(
            budget_id=budget.id, kind="fixed_weekly", description="Care", amount_pence=weekly
        )
    )
    db_session.add(
        MonitoringReturn(
            account_id=account.id,
            period_start=date(2026, 4, 6),
            period_end=date(2026, 6, 30),
            due_date=date(2026, 7, 28),
            status="accepted",
            closing_pence=closing,
            spend_pa_wages_pence=172000,
        )
    )
    db_session.flush()
    return account


def test_the_forecast_starts_from_the_last_accepted_return_and_prices_the_periods_to_pay(
    app_ctx, factory, db_session
):
    account = _account(factory, db_session)
    found = forecast_services.account_forecast(account, TODAY, **SETTINGS).forecast
    assert found.known.balance == D("500.00") and found.known.day == date(2026, 6, 30)
    assert found.rate.per_day == D("20")  # 1,720.00 / 86 days
    # Ten periods still to pay (from 29 June 2026 to the one from 8 March 2027), each 28 days
    # x £20.00 = £560.00: 5,600.00 in. 274 days (1 July to 31 March) x 20.00 = 5,480.00 out.
    # 500.00 + 5,600.00 - 5,480.00 = 620.00, under the 8 x 140.00 = 1,120.00 that may be kept.
    assert found.total_in == D("5600.00") and found.total_spending == D("5480.00")
    assert found.year_end_balance == D("620.00")
    assert found.outlook == Outlook.ON_TRACK
    assert found.headline(you=True) == "You are likely to have £620.00 left at 31 March 2027."


def test_a_period_already_paid_is_not_scheduled_again(app_ctx, factory, db_session):
    account = _account(factory, db_session)
    payment = Payment(
        account_id=account.id,
        period_index=3,
        period_start=date(2026, 6, 29),
        period_end=date(2026, 7, 26),
        payee_type="person",
        amount_pence=56000,
        pay_date=date(2026, 6, 29),
        breakdown_json="{}",
    )
    db_session.add(payment)
    db_session.flush()
    db_session.add(
        LedgerEntry(
            account_id=account.id,
            entry_date=date(2026, 6, 29),
            kind="payment",
            amount_pence=56000,
            payment_id=payment.id,
            description="Direct payment",
        )
    )
    db_session.flush()
    found = forecast_services.account_forecast(account, TODAY, **SETTINGS).forecast
    # Paid on 29 June, inside the return's period: already in its closing balance, and not
    # scheduled again. 500.00 + 9 x 560.00 - 5,480.00 = 60.00.
    assert found.year_end_balance == D("60.00")


def test_a_suspended_account_gets_nothing_scheduled_and_is_warned_early(
    app_ctx, factory, db_session
):
    account = _account(factory, db_session, status="suspended")
    result = forecast_services.account_forecast(account, TODAY, **SETTINGS)
    # Nothing paid in: 500.00 - 26 days x 20.00 (520.00) = -20.00 by 26 July 2026.
    assert result.forecast.outlook == Outlook.OVERSPEND
    assert result.forecast.runs_out.period.end == date(2026, 7, 26)
    assert any("suspended" in note for note in result.notes)


def test_the_officers_list_reads_the_morning_summaries(app, client, factory, db_session):
    with app.app_context():
        on_track = _account(factory, db_session)
        short = _account(factory, db_session, status="suspended")
        rich = _account(factory, db_session, closing=500000)  # 5,000 + 5,600 - 5,480 = 5,120
        count = forecast_services.refresh_summaries(TODAY, **SETTINGS)
        db.session.commit()  # as the morning job does
    assert count == 3
    sign_in_as(client, factory.user(Role.TEAM_LEADER))
    page = client.get("/forecasts").get_data(as_text=True)
    assert short.reference in page and on_track.reference not in page and rich.reference not in page
    assert "26 July 2026" in page
    page = client.get("/forecasts?show=underspend").get_data(as_text=True)
    # 5,120.00 - 1,120.00 that may be kept = 4,000.00 above it.
    assert rich.reference in page and "£4,000.00" in page and short.reference not in page
    assert client.get("/forecasts?show=nonsense&page=x").status_code == 200


@pytest.mark.parametrize("role", [Role.RECIPIENT, Role.FINANCE_OFFICER])
def test_the_forecast_page_shows_the_chart_the_table_and_the_working(
    app, client, factory, db_session, role
):
    with app.app_context():
        account = _account(factory, db_session)
    user = factory.user(role)
    if role == Role.RECIPIENT:
        factory.access(user, account)
    sign_in_as(client, user)
    page = client.get(f"/accounts/{account.id}/forecast").get_data(as_text=True)
    assert '<svg class="app-forecast-chart" role="img"' in page and "<desc" in page
    assert "The forecast, period by period" in page
    assert "The closing balance of the last accepted return" in page
    assert ("You are likely" in page or "your money" in page) == (role == Role.RECIPIENT)


def test_the_home_page_line_links_to_the_forecast(app, factory, db_session):
    from dp_portal.core.permissions import Viewer
    from dp_portal.core.types import local_today

    with app.test_request_context():
        account = _account(factory, db_session)
        line = forecast_services.forecast_summary(
            Viewer(factory.user(Role.RECIPIENT), local_today()), account
        )
    assert line.href == f"/accounts/{account.id}/forecast"
    # What is likely, by the year's end, or already (the fixture's spending outruns its money).
    assert "31 March" in line.text or "may already have run out" in line.text


def test_a_finance_officers_home_counts_accounts_likely_to_run_out(client, factory, db_session):
    from datetime import date

    from dp_portal.monitoring.forecast_models import ForecastSummary

    officer = factory.user(Role.FINANCE_OFFICER)
    for outlook, runs_out in (("overspend", date(2027, 2, 1)), ("on_track", None)):
        db_session.add(
            ForecastSummary(
                account_id=factory.account().id,
                worked_out_on=date(2026, 12, 3),
                year_end=date(2027, 3, 31),
                outlook=outlook,
                year_end_balance_pence=-5000 if runs_out else 1000,
                excess_pence=0,
                runs_out_on=runs_out,
            )
        )
    db_session.flush()
    sign_in_as(client, officer)
    page = client.get("/").get_data(as_text=True)
    task = re.search(
        r'href="/forecasts\?show=overspend"[^>]*>Accounts likely to run out of money before 31 '
        r"March</a>.*?govuk-tag--red\">(\d+)<",
        page,
        re.S,
    )
    assert task and task.group(1) == "1"
