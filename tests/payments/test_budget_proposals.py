"""A new budget starts from the one in force, and the officer sees the current and the new
amounts side by side before anything is proposed; a proposal is only made for the figures
they were shown."""

import re
from datetime import date

from sqlalchemy import func, select

from dp_portal.auth.models import Role
from dp_portal.payments.models import Budget, BudgetLine

from ..conftest import sign_in_as
from .test_payment_pages import _setup_rates

TIMES = "\u00d7"


def _approved(db_session, account, proposer, decider, *, hours: int, contribution_pence: int):
    budget = Budget(
        account_id=account.id,
        version=1,
        effective_from=date(2025, 4, 1),
        status="approved",
        weekly_contribution_pence=contribution_pence,
        contribution_basis="net",
        weekly_at_proposal_pence=1,
        proposed_by_id=proposer.id,
        decided_by_id=decider.id,
    )
    db_session.add(budget)
    db_session.flush()
    db_session.add(
        BudgetLine(
            budget_id=budget.id,
            kind="pa_hours",
            description="Morning visits",
            hours_hundredths=hours * 100,
        )
    )
    db_session.flush()
    return budget


def _answers(**changes):
    return {
        "effective_from": ["1", "10", "2025"],
        "pa_hours": "12",
        "pa_description": "Morning visits",
        "weekly_contribution": "5.00",
        "contribution_basis": "net",
        "reason": "Review: two more hours a week",
    } | changes


def test_the_form_opens_with_the_current_budget_and_compares_before_proposing(
    client, factory, db_session
):
    admin, officer, leader = (
        factory.user(Role.ADMIN),
        factory.user(Role.FINANCE_OFFICER),
        factory.user(Role.TEAM_LEADER),
    )
    _setup_rates(client, admin)  # PA rate £14.54 an hour from 1 April 2025
    account = factory.account(start_date=date(2025, 4, 1))
    _approved(db_session, account, officer, leader, hours=10, contribution_pence=500)
    sign_in_as(client, officer)
    url = f"/accounts/{account.id}/budget/new"

    form = client.get(url).get_data(as_text=True)
    assert re.search(r'name="pa_hours"[^>]*value="10(\.00)?"', form)  # the current hours
    assert 'value="Morning visits"' in form and 'value="5.00"' in form
    assert "The form starts with the current budget" in form

    checked = client.post(url, data=_answers(check="y")).get_data(as_text=True)
    # 10 hours x 14.54 = 145.40 now; 12 hours x 14.54 = 174.48 new; 29.08 more a week.
    assert "£145.40" in checked and "£174.48" in checked and "£29.08" in checked
    assert f"£697.92 (£174.48 {TIMES} 4)" in checked and "£116.32" in checked  # 29.08 x 4
    assert f"£9,072.96 (£174.48 {TIMES} 52)" in checked and "£1,512.16" in checked
    assert db_session.execute(select(func.count(Budget.id))).scalar() == 1  # nothing saved
    shown = re.search(r'name="checked_weekly"[^>]*value="([\d.]+)"', checked).group(1)
    assert shown == "174.48"

    # Changing a figure after checking shows the comparison again instead of proposing.
    changed = client.post(url, data=_answers(pa_hours="14", submit="y", checked_weekly=shown))
    assert changed.status_code == 200 and "£203.56" in changed.get_data(as_text=True)
    assert db_session.execute(select(func.count(Budget.id))).scalar() == 1

    proposed = client.post(url, data=_answers(submit="y", checked_weekly=shown))
    assert proposed.status_code == 302
    newest = db_session.execute(select(Budget).order_by(Budget.version.desc())).scalars().first()
    assert (newest.version, newest.status, newest.weekly_at_proposal_pence) == (
        2,
        "proposed",
        17448,
    )


def test_a_first_budget_opens_empty_and_compares_with_nothing(client, factory, db_session):
    admin, officer = factory.user(Role.ADMIN), factory.user(Role.FINANCE_OFFICER)
    _setup_rates(client, admin)
    account = factory.account(start_date=date(2025, 4, 1))
    sign_in_as(client, officer)
    url = f"/accounts/{account.id}/budget/new"
    assert "The form starts with the current budget" not in client.get(url).get_data(as_text=True)
    checked = client.post(url, data=_answers(check="y")).get_data(as_text=True)
    assert "No budget" in checked and "£174.48" in checked
