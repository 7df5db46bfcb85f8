"""Done means, for Option 2 individual service funds (issue 14, part A): a finance officer sets
up a care provider (services, a contact, its bank account approved by a second officer, an
agreed rate) and proposes an ISF agreement; the council, the person and the provider each
confirm it on screen; the next payment run pays the provider's account on the schedule.
axe-core checks every page."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import expect
from sqlalchemy import select

from dp_portal.auth.models import Role, User
from dp_portal.extensions import db
from dp_portal.payments import services
from dp_portal.payments.budgets import LineKind, LineSpec
from dp_portal.third_party.models import Organisation

from ..factories import PASSWORD, Factory
from .conftest import check_accessibility, nav, sign_in

PROVIDER = "Browser Home Care"
PERSON = "isf-person@browser.example"
STAFF = "isf-provider@browser.example"


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def _officer_sets_up_the_provider(page) -> None:
    sign_in(page, Role.FINANCE_OFFICER)
    nav(page, "Care providers").click()
    check_accessibility(page)
    page.get_by_role("link", name="Add a care provider").click()
    page.get_by_label("Organisation name").fill(PROVIDER)
    page.get_by_label("Care provider").check()
    page.get_by_role("button", name="Save").click()
    nav(page, "Care providers").click()
    page.get_by_role("link", name=PROVIDER).click()
    expect(page.locator("h1")).to_have_text(PROVIDER)
    check_accessibility(page)
    page.get_by_role("button", name="Save the services").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose at least one")
    check_accessibility(page)
    page.get_by_label("Day support").check()
    page.get_by_label("Sleepover").check()
    page.get_by_role("button", name="Save the services").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("services have been saved")
    page.get_by_text("Add a contact").click()
    page.get_by_label("Name", exact=True).fill("Iona Manager")
    page.get_by_role("button", name="Add contact").click()
    expect(page.locator("main")).to_contain_text("Iona Manager")
    page.get_by_role("link", name="Enter the bank account").click()
    check_accessibility(page)
    page.get_by_label("Name on the account").fill("browser home care")
    page.get_by_label("Sort code").fill("30-96-34")
    page.get_by_label("Account number", exact=True).fill("00733445")
    page.get_by_label("Account number again").fill("00733445")
    page.get_by_label("Why are the details changing?").fill("From the signed contract")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("another finance officer")
    page.get_by_role("link", name="Add or see rates").click()
    check_accessibility(page)
    page.get_by_label("Day support").check()
    page.locator("#effective_from-day").fill("1")
    page.locator("#effective_from-month").fill("4")
    page.locator("#effective_from-year").fill("2025")
    page.get_by_label("Hourly rate").fill("10.00")
    page.get_by_label("Source").fill("Framework contract")
    page.get_by_role("button", name="Add rate").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The rate must be at least")
    check_accessibility(page)
    page.get_by_label("Hourly rate").fill("23.00")
    page.get_by_role("button", name="Add rate").click()
    expect(page.locator("main")).to_contain_text("£23.00")
    _sign_out(page)


def _second_officer_approves_the_bank_account(page) -> None:
    sign_in(page, Role.FINANCE_OFFICER, email="finance_officer2@browser.example")
    nav(page, "Care providers").click()
    page.get_by_role("link", name=PROVIDER).click()
    page.get_by_role("link", name="Check and approve the new bank details").click()
    check_accessibility(page)
    page.get_by_label("Yes, approve").check()
    page.get_by_label("What did you check?").fill("Called the provider on the contract number")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Approved")
    _sign_out(page)


def _a_person_with_provider_hours(app) -> dict:
    """The person chose the provider: their Option 2 budget buys its hours; the provider's
    member of staff has accepted the invitation (their password is set here)."""
    with app.app_context():
        factory = Factory(db.session)
        org = db.session.execute(
            select(Organisation).where(Organisation.name == PROVIDER)
        ).scalar_one()
        account = factory.account(
            sds_option=2, payee_name="I PERSON", sort_code="089999", account_number="66374958"
        )
        factory.access(factory.user(Role.RECIPIENT, email=PERSON), account)
        factory.user(Role.PROVIDER_STAFF, email=STAFF, organisation_id=org.id)
        officer, leader = (
            db.session.execute(
                select(User).where(User.email == f"{role.value}@browser.example")
            ).scalar_one()
            for role in (Role.FINANCE_OFFICER, Role.TEAM_LEADER)
        )
        budget = services.propose_budget(
            account,
            effective_from=account.start_date,
            lines=[
                LineSpec(
                    LineKind.PROVIDER_HOURS, "Support at home", Decimal(10), provider_id=org.id
                )
            ],
            weekly_contribution=Decimal("0"),
            contribution_basis="net",
            reason="Assessment",
            actor=officer,
        )
        services.decide_budget(budget, approve=True, note="", actor=leader, ceiling=Decimal("1500"))
        db.session.commit()
        return {"account_id": account.id, "reference": account.reference}


def _officer_proposes_and_confirms(page, world) -> str:
    sign_in(page, Role.FINANCE_OFFICER)
    page.goto(f"/accounts/{world['account_id']}")
    page.get_by_role("link", name=re.compile("Individual service fund")).click()
    check_accessibility(page)
    page.get_by_role("link", name="Propose an agreement with a care provider").click()
    page.get_by_label("Provider", exact=True).select_option(label=PROVIDER)
    for part, value in (("day", "6"), ("month", "4"), ("year", "2026")):
        page.locator(f"#starts_on-{part}").fill(value)
    page.get_by_label("Budget for the year").fill("11960")
    page.get_by_label(re.compile("management fee")).fill("0")
    page.get_by_label(re.compile("may be banked")).fill("20")
    page.get_by_role("button", name="Send for confirmation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("waiting for all three")
    check_accessibility(page)
    page.get_by_label(re.compile("I have read this agreement")).check()
    page.get_by_role("button", name="Confirm the agreement").click()
    expect(page.locator("main")).to_contain_text("Not yet confirmed")
    agreement_url = page.url
    _sign_out(page)
    return agreement_url


def _person_confirms(page, world) -> None:
    sign_in(page, Role.RECIPIENT, email=PERSON)
    page.goto(f"/accounts/{world['account_id']}/isf")
    expect(page.locator("main")).to_contain_text("Your budget for the year")
    check_accessibility(page)
    page.get_by_role("link", name=re.compile("Read your agreement")).click()
    page.get_by_role("button", name="Confirm the agreement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Tick the box")
    check_accessibility(page)
    page.get_by_label(re.compile("I have read this agreement")).check()
    page.get_by_role("button", name="Confirm the agreement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("all three")
    _sign_out(page)


def _provider_confirms(page) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(STAFF)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/provider")
    expect(page.locator("main")).to_contain_text("Waiting for you to confirm it")
    check_accessibility(page)
    page.locator("main table").first.get_by_role("link").first.click()
    page.get_by_label(re.compile("I have read this agreement")).check()
    page.get_by_role("button", name="Confirm the agreement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("now in force")
    check_accessibility(page)
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download version 1 as a PDF").click()
    assert open(pdf.value.path(), "rb").read(4) == b"%PDF"  # noqa: SIM115
    _sign_out(page)


def test_a_provider_is_set_up_an_isf_agreed_by_three_and_the_run_pays_the_provider(page, live_app):
    _officer_sets_up_the_provider(page)
    _second_officer_approves_the_bank_account(page)
    world = _a_person_with_provider_hours(live_app)
    _officer_proposes_and_confirms(page, world)
    _person_confirms(page, world)
    _provider_confirms(page)

    sign_in(page, Role.FINANCE_OFFICER)
    nav(page, "Payment runs").click()
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Build the run").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The run has been built")
    row = page.locator("tr", has=page.get_by_role("link", name=world["reference"])).last
    expect(row).to_contain_text("BROWSER HOME CARE")
    expect(row).to_contain_text("30-96-34, ****3445")
    check_accessibility(page)
    # Leave nothing half done for other journeys: the run is cancelled.
    page.get_by_role("button", name="Cancel this run").click()
    page.get_by_role("button", name=re.compile("Cancel")).last.click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
