"""Done means, for payments: uplift with preview, a run built by one officer and approved and
committed by another, the bank file, and the recipient's breakdown and remittance advice."""

import re

from playwright.sync_api import expect

from dp_portal.auth.models import Role

from .conftest import check_accessibility, nav, sign_in


def test_uplift_run_bank_file_and_remittance(page, live_app):
    world = live_app.config["TEST_WORLD"]

    sign_in(page, Role.ADMIN)
    nav(page, "Rates").click()
    expect(page.locator("main")).to_contain_text("Holiday pay")
    check_accessibility(page)
    page.get_by_role("button", name="Uplift the living wage").click()
    check_accessibility(page)
    page.get_by_label("New living wage rate, per hour").fill("13.45")
    page.locator("#effective_from-day").fill("1")
    page.locator("#effective_from-month").fill("4")
    page.locator("#effective_from-year").fill("2026")
    page.get_by_label("Source").fill("Scottish Government letter")
    page.get_by_role("button", name="Preview the uplift").click()
    expect(page.locator("main")).to_contain_text(world["account_ref"])
    expect(page.locator("main")).to_contain_text("6.746")
    check_accessibility(page)
    page.get_by_role("button", name="Apply the uplift").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The uplift has been applied"
    )
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.FINANCE_OFFICER)
    nav(page, "Payment runs").click()
    check_accessibility(page)
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Build the run").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The run has been built")
    expect(page.locator("main")).to_contain_text("a finance officer who did not must approve it")
    check_accessibility(page)
    run_url = page.url
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.FINANCE_OFFICER, email="finance_officer2@browser.example")
    page.goto(run_url)
    page.get_by_role("button", name="Approve this run").click()
    page.get_by_role("button", name="Commit the payments").click()  # a link styled as a button
    expect(page.locator("h1")).to_have_text("Commit the payments?")
    check_accessibility(page)
    page.get_by_role("button", name="Commit the payments").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("committed")
    check_accessibility(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the Bacs file").click()
    bacs = open(download_info.value.path()).read()  # noqa: SIM115
    assert bacs and all(len(line) == 100 for line in bacs.splitlines())
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.RECIPIENT)
    page.goto(f"/accounts/{world['account_id']}/budget")
    expect(page.locator("main")).to_contain_text("20 hours x")
    expect(page.locator("main")).to_contain_text("£15.52")  # 13.45 + 1.62 holiday + 0.45 pension
    check_accessibility(page)
    page.get_by_role("link", name="Payments made").click()
    check_accessibility(page)
    page.get_by_role("link", name=re.compile("Remittance advice")).first.click()
    expect(page.locator("h1")).to_have_text("Remittance advice")
    check_accessibility(page)
    with page.expect_download() as remittance_pdf:
        page.get_by_role("link", name="Download this remittance advice (PDF)").click()
    assert open(remittance_pdf.value.path(), "rb").read(4) == b"%PDF"  # noqa: SIM115

    page.goto(f"/accounts/{world['account_id']}")
    page.get_by_role("link", name="Letters", exact=True).click()
    expect(page.locator("main")).to_contain_text("Your direct payment is going up")
    check_accessibility(page)
    with page.expect_download() as letter:
        page.get_by_role("link", name=re.compile("Your direct payment is going up")).click()
    assert open(letter.value.path(), "rb").read(4) == b"%PDF"  # noqa: SIM115
