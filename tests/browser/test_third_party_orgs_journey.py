"""Done means, for organisations: an organisation's administrator invites a member of staff
and asks for a pooled client account, which a council finance officer approves; a mandate is
recorded with the person's own on-screen consent; the next payment run pays the pooled
account with the person's reference. axe-core checks every page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dp_portal.auth.models import Role, User
from dp_portal.extensions import db
from dp_portal.payments import services
from dp_portal.payments.budgets import LineKind, LineSpec

from ..factories import Factory
from .conftest import check_accessibility, nav, sign_in

ORG = "Browser Money Management"
ADMIN = "orgadmin@browser.example"
PERSON = "managed-person@browser.example"


@pytest.fixture
def managed_world(live_app):
    """An organisation with its administrator, and a person (with their own login and an
    approved budget) whose money it will manage."""
    with live_app.app_context():
        factory = Factory(db.session)
        org = factory.organisation(
            name=ORG,
            kind="money_management",
            address_line_1="5 Ledger Lane",
            town="Glenarden",
            postcode="EH1 1YZ",
        )
        factory.user(
            Role.BROKERAGE_STAFF, email=ADMIN, organisation_id=org.id, is_organisation_admin=True
        )
        account = factory.account(
            payee_name="P MANAGED", sort_code="089999", account_number="66374958"
        )
        factory.access(factory.user(Role.RECIPIENT, email=PERSON), account, capacity="person")
        officer, leader = (
            db.session.execute(
                select(User).where(User.email == f"{role.value}@browser.example")
            ).scalar_one()
            for role in (Role.FINANCE_OFFICER, Role.TEAM_LEADER)
        )
        budget = services.propose_budget(
            account,
            effective_from=account.start_date,
            lines=[LineSpec(LineKind.PA_HOURS, "Personal assistant support", hours=Decimal("10"))],
            weekly_contribution=Decimal("0"),
            contribution_basis="net",
            reason="Assessment",
            actor=officer,
        )
        services.decide_budget(budget, approve=True, note="", actor=leader, ceiling=Decimal("1500"))
        db.session.commit()
        return {"account_id": account.id, "reference": account.reference}


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def _administrator_invites_and_asks_for_a_pooled_account(page) -> None:
    sign_in(page, Role.BROKERAGE_STAFF, email=ADMIN)
    nav(page, "Your organisation").click()
    expect(page.locator("h1")).to_have_text(ORG)
    check_accessibility(page)
    page.get_by_role("link", name="Invite a member of staff").click()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the person's full name")
    check_accessibility(page)
    page.get_by_label("Full name").fill("Nina Newstaff")
    page.get_by_label("Email address").fill("nina.newstaff@browser.example")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("main")).to_contain_text("Nina Newstaff")
    check_accessibility(page)
    page.get_by_role("link", name="Change the pooled client account").click()
    check_accessibility(page)
    page.get_by_label("Name on the account").fill("bmm client ac")
    page.get_by_label("Sort code").fill("30-96-34")
    page.get_by_label("Account number", exact=True).fill("00733445")
    page.get_by_label("Account number again").fill("00733445")
    page.get_by_label("Why are the details changing?").fill("Our client account")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("waiting for the council")
    check_accessibility(page)
    page.get_by_role("link", name="Activity log: who did what").click()
    expect(page.locator("main")).to_contain_text("Nina Newstaff invited")
    check_accessibility(page)
    _sign_out(page)


def _finance_officer_approves_the_pooled_account(page) -> None:
    sign_in(page, Role.FINANCE_OFFICER)
    nav(page, "Organisations").click()
    check_accessibility(page)
    page.get_by_role("link", name="Pooled client accounts to approve").click()
    check_accessibility(page)
    page.get_by_role("link", name=ORG).click()
    expect(page.locator("table")).to_contain_text("****3445")
    check_accessibility(page)
    page.get_by_label("Yes, approve").check()
    page.get_by_label("What did you check?").fill("Bank letter seen; called the office")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Approved")
    check_accessibility(page)


def _finance_officer_records_a_mandate(page, world) -> None:
    page.goto(f"/accounts/{world['account_id']}")
    page.get_by_role("link", name="Add a mandate for an organisation").click()
    check_accessibility(page)
    page.get_by_label("Organisation", exact=True).select_option(label=ORG)
    page.get_by_label("Manage the money").check()
    page.locator("#starts_on-day").fill("1")
    page.locator("#starts_on-month").fill("1")
    page.locator("#starts_on-year").fill("2026")
    page.get_by_label(re.compile("The person will confirm it on screen")).check()
    page.get_by_role("button", name="Add mandate").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("waiting for the person")
    expect(page.locator("main")).to_contain_text("Waiting for the person to confirm")
    check_accessibility(page)
    _sign_out(page)


def _person_confirms(page, world) -> None:
    sign_in(page, Role.RECIPIENT, email=PERSON)
    page.goto(f"/accounts/{world['account_id']}")
    page.get_by_role("link", name=re.compile("Confirm or read more")).click()
    expect(page.locator("h1")).to_contain_text(ORG)
    check_accessibility(page)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Tick the box")
    check_accessibility(page)
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("may now act for you")
    expect(page.locator("main")).to_contain_text("In force")
    check_accessibility(page)
    _sign_out(page)


def test_an_organisation_runs_itself_and_the_next_run_pays_its_pooled_account(page, managed_world):
    _administrator_invites_and_asks_for_a_pooled_account(page)
    _finance_officer_approves_the_pooled_account(page)
    _finance_officer_records_a_mandate(page, managed_world)
    _person_confirms(page, managed_world)

    sign_in(page, Role.FINANCE_OFFICER)
    nav(page, "Payment runs").click()
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Build the run").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The run has been built")
    row = page.locator("tr", has=page.get_by_role("link", name=managed_world["reference"])).last
    expect(row).to_contain_text("BMM CLIENT AC")
    expect(row).to_contain_text("30-96-34, ****3445")
    expect(row).to_contain_text(f"Reference {managed_world['reference']}")
    check_accessibility(page)
    # Leave nothing half done for other journeys: the run is cancelled.
    page.get_by_role("button", name="Cancel this run").click()
    page.get_by_role("button", name=re.compile("Cancel")).last.click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
