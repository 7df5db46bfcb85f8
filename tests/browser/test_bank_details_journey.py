"""Done means, for where the money goes: one officer asks for new bank details (typed twice,
a 7-digit number shown back standardised), a second approves them side by side, and a third
approves the run that pays them, because the first two changed what it pays."""

import re

from playwright.sync_api import expect

from dp_portal.auth.models import Role

from .conftest import check_accessibility, nav, sign_in

SECOND = "finance_officer2@browser.example"
THIRD = "finance_officer3@browser.example"


def test_bank_details_four_eyes_then_a_run_approved_by_someone_uninvolved(page, live_app):
    world = live_app.config["TEST_WORLD"]
    account_url = f"/accounts/{world['moving_id']}"

    sign_in(page, Role.FINANCE_OFFICER)
    page.goto(account_url)
    page.get_by_role("link", name=re.compile("Change.*bank details")).click()
    check_accessibility(page)
    page.get_by_label("Name on the account").fill("m mover")
    page.get_by_label("Sort code").fill("30-94-47")
    page.get_by_label("Account number", exact=True).fill("7334451")
    page.get_by_label("Account number again").fill("7334452")
    page.get_by_label("Why are the details changing?").fill("New account, statement seen")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "two account numbers are different"
    )
    check_accessibility(page)
    page.get_by_label("Account number", exact=True).fill("7334451")
    page.get_by_label("Account number again").fill("7334451")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator("h1")).to_have_text("Check the account number")
    expect(page.locator("main")).to_contain_text("07334451")
    check_accessibility(page)
    page.get_by_role("button", name="Yes, send these details for approval").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "waiting for another finance officer"
    )
    expect(page.locator("main")).to_contain_text("****5678")  # still paying the old account
    check_accessibility(page)
    page.get_by_role("link", name="Review the change").click()
    expect(page.locator("main")).to_contain_text("You asked for this change")
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.FINANCE_OFFICER, email=SECOND)
    page.get_by_role("link", name="Bank details changes waiting for a second officer").click()
    check_accessibility(page)
    page.get_by_role("link", name=world["moving_ref"]).click()
    expect(page.locator("table")).to_contain_text("****4451")
    check_accessibility(page)
    page.get_by_label("Yes, approve").check()
    page.get_by_label("What did you check?").fill("Called the person on the number we hold")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Approved")
    expect(page.locator("main")).to_contain_text("****4451")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.FINANCE_OFFICER)
    nav(page, "Payment runs").click()
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Build the run").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The run has been built")
    run_url = page.url
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.FINANCE_OFFICER, email=SECOND)
    page.goto(run_url)
    expect(page.locator("main")).to_contain_text("You bank details changed for 1 account")
    expect(page.get_by_role("button", name="Approve this run")).to_have_count(0)
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.FINANCE_OFFICER, email=THIRD)
    page.goto(run_url)
    expect(page.locator("main")).to_contain_text("What changed since the last run")
    expect(page.locator("main")).to_contain_text("M MOVER")  # the payee as built, masked
    expect(page.locator("main")).to_contain_text("30-94-47, ****4451")
    page.get_by_text("Who cannot approve this run, and why").click()
    check_accessibility(page)
    page.get_by_role("button", name="Approve this run").click()
    page.get_by_role("button", name="Commit the payments").click()
    expect(page.locator("h1")).to_have_text("Commit the payments?")
    check_accessibility(page)
    page.get_by_role("button", name="Commit the payments").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("committed")
