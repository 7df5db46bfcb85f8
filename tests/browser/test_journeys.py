"""Each role's main journeys in a real browser, with an accessibility check on every page."""

import re

from playwright.sync_api import expect

from dp_portal.auth.models import Role

from .conftest import check_accessibility, nav, sign_in


def test_public_pages_are_accessible(page):
    for path in ("/", "/accessibility", "/cookies", "/reset-password", "/sign-in"):
        page.goto(path)
        check_accessibility(page)
    # No crown and no GOV.UK branding: the council's own name is in the header.
    expect(page.locator(".govuk-generic-header")).to_contain_text("Glenarden Council")
    assert page.locator("svg.govuk-header__logotype").count() == 0


def test_sign_in_errors_are_summarised_and_accessible(page):
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your email address")
    expect(summary).to_contain_text("Enter your password")
    assert page.title().startswith("Error:")
    check_accessibility(page)


def test_finance_officer_creates_a_person_and_account(page, live_app):
    sign_in(page, Role.FINANCE_OFFICER)
    check_accessibility(page)
    nav(page, "Accounts").click()
    check_accessibility(page)
    page.get_by_role("button", name="Add a supported person").click()
    check_accessibility(page)

    page.get_by_label("Council client reference").fill("SW424242")
    page.get_by_label("First name").fill("Eilidh")
    page.get_by_label("Last name").fill("MacLeod")
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("1952")
    page.get_by_label("Address line 1").fill("7 Shore Street")
    page.get_by_label("Town or city").fill("Portlethen")
    page.get_by_label("Postcode").fill("ab12 4nq")
    page.get_by_label("Easy Read").check()
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Eilidh MacLeod has been added"
    )
    check_accessibility(page)
    page.get_by_label("Option 2: individual service fund").check()
    page.locator("#start_date-day").fill("6")
    page.locator("#start_date-month").fill("4")
    page.locator("#start_date-year").fill("2026")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Where should we pay the money?")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Name on the account").fill("E MacLeod")
    page.get_by_label("Sort code").fill("08 99 99")
    page.get_by_label("Account number", exact=True).fill("66374958")
    page.get_by_label("Account number again").fill("66374958")
    page.get_by_label("Why are the details changing?").fill("New direct payment account")
    page.get_by_role("button", name="Send for approval").click()

    expect(page.get_by_role("heading", name="Eilidh MacLeod")).to_be_visible()
    expect(page.locator("main")).to_contain_text("waiting for a second officer")
    expect(page.locator("main")).to_contain_text("Option 2: individual service fund")
    check_accessibility(page)
    page.get_by_role("link", name=re.compile("New bank details waiting")).click()
    expect(page.locator("main")).to_contain_text("****4958")
    check_accessibility(page)


def test_form_errors_in_the_browser_are_accessible(page):
    sign_in(page, Role.FINANCE_OFFICER)
    page.goto("/people/new")
    page.get_by_label("Postcode").fill("nonsense")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a real postcode")
    check_accessibility(page)
    page.locator(".govuk-error-summary a", has_text="Enter a real postcode").click()
    expect(page.get_by_label("Postcode")).to_be_focused()


def test_recipient_sees_only_their_own_account(page, live_app):
    world = live_app.config["TEST_WORLD"]
    sign_in(page, Role.RECIPIENT)
    expect(page.locator("main")).to_contain_text(world["account_ref"])
    expect(page.locator("main")).not_to_contain_text(world["other_ref"])
    check_accessibility(page)
    page.get_by_role("link", name=f"Everything about account {world['account_ref']}").click()
    expect(page.locator("main")).to_contain_text("****4958")
    check_accessibility(page)
    response = page.goto(f"/accounts/{world['other_id']}")
    assert response.status == 404
    check_accessibility(page)


def test_brokerage_sees_mandated_accounts(page, live_app):
    world = live_app.config["TEST_WORLD"]
    sign_in(page, Role.BROKERAGE_STAFF)
    expect(page.locator("main")).to_contain_text(world["other_ref"])
    expect(page.locator("main")).not_to_contain_text(world["account_ref"])
    check_accessibility(page)


def test_admin_invites_a_user_and_manages_settings(page):
    sign_in(page, Role.ADMIN)
    nav(page, "Users").click()
    check_accessibility(page)
    page.get_by_role("button", name="Invite a user").click()
    check_accessibility(page)
    page.get_by_label("Full name").fill("Greta Newcomer")
    page.get_by_label("Email address").fill("greta@browser.example")
    page.get_by_label("Role").select_option("team_leader")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Invitation sent")
    check_accessibility(page)
    for link in ("Working-day calendar", "Bank checking", "Audit log", "Organisations"):
        nav(page, link).click()
        check_accessibility(page)


def test_team_leader_pages_are_accessible(page, live_app):
    world = live_app.config["TEST_WORLD"]
    sign_in(page, Role.TEAM_LEADER)
    page.goto(f"/accounts/{world['account_id']}")
    check_accessibility(page)
    page.get_by_role("link", name=re.compile("^View")).click()
    check_accessibility(page)


def test_every_journey_works_without_javascript(browser, live_app):
    context = browser.new_context(base_url=live_app.config["LIVE_URL"], java_script_enabled=False)
    page = context.new_page()
    sign_in(page, Role.FINANCE_OFFICER)
    page.goto("/people/new")
    page.get_by_label("Council client reference").fill("SW515151")
    page.get_by_label("First name").fill("Angus")
    page.get_by_label("Last name").fill("NoScript")
    page.get_by_label("Address line 1").fill("1 Mill Lane")
    page.get_by_label("Town or city").fill("Dunmore")
    page.get_by_label("Postcode").fill("FK1 1AA")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Angus NoScript has been added"
    )
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    context.close()
