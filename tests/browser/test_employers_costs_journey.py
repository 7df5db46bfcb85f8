"""Done means, for the PA cost calculator and the employer checklist: a member of the public
works out the cost of one PA, then two; a signed-in recipient compares a bookmarked result
with their budget and ticks two checklist items, one with a certificate and a renewal date.
axe-core checks every page."""

import os
from datetime import date, timedelta

from playwright.sync_api import expect

from dp_portal.auth.models import Role
from dp_portal.employers.pa_costs import MINUS as M
from dp_portal.employers.pa_costs import TIMES as X

from .conftest import check_accessibility, sign_in

# Set DP_SCREENSHOTS to a folder to look at the pages as a person would.
SCREENSHOTS = os.environ.get("DP_SCREENSHOTS")
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _fill_date(page, name: str, day: date) -> None:
    page.locator(f"#{name}-day").fill(str(day.day))
    page.locator(f"#{name}-month").fill(str(day.month))
    page.locator(f"#{name}-year").fill(str(day.year))


def test_the_public_works_out_the_cost_of_one_pa_then_two(page):
    page.goto("/employers/calculator")
    check_accessibility(page)
    page.get_by_role("button", name="Work out the cost").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the hours a week")
    check_accessibility(page)

    page.get_by_label("Hours a week").fill("20")
    page.get_by_label("Hourly wage").fill("12.60")
    page.get_by_label("Date the costs are for").fill("2026-06-01")
    page.get_by_label("No").check()
    page.get_by_role("button", name="Work out the cost").click()
    main = page.locator("main")
    expect(main).to_contain_text("The cost for the 2026/27 tax year")
    expect(main).to_contain_text("£315.25 a week")
    expect(main).to_contain_text(f"(282.42 {M} 96) {X} 15% = 27.96")
    assert "hours_per_week=20" in page.url  # a result can be bookmarked
    check_accessibility(page)

    page.get_by_role("button", name="Add another PA").click()
    page.locator("#hours_per_week-2").fill("10")
    page.locator("#hourly_wage-2").fill("13.75")
    page.get_by_role("button", name="Work out the cost").click()
    # PA 2: gross 154.10, NI (154.10 - 96) x 15% = 8.715, an exact half penny: 8.71.
    expect(main).to_contain_text(f"(154.10 {M} 96) {X} 15% = 8.71")
    expect(main).to_contain_text("£478.06 a week")
    check_accessibility(page)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/calculator.png", full_page=True)

    page.get_by_role("link", name="What a PA employer needs to do: the employer checklist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The employer checklist")
    check_accessibility(page)


def test_a_recipient_compares_with_their_budget_and_keeps_the_checklist(page, live_app, tmp_path):
    world = live_app.config["TEST_WORLD"]
    sign_in(page, Role.RECIPIENT)
    expect(page.get_by_role("link", name="work out what employing a PA costs")).to_be_visible()
    check_accessibility(page)
    page.goto(
        "/employers/calculator?hours_per_week=20&hourly_wage=12.60&on=2026-06-01"
        "&employment_allowance=yes"
    )
    # Budget: 20 hours x 14.54 = 290.80 a week; the cost with the allowance is 287.29.
    expect(page.locator("main")).to_contain_text(
        "Your budget covers this cost, with £3.51 a week (£182.52 a year) to spare"
    )
    check_accessibility(page)

    page.get_by_role(
        "link", name=f"Your employer checklist for account {world['account_ref']}"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Employer checklist")
    check_accessibility(page)

    today = date.today()  # noqa: DTZ011 - the tick date must not be after the UK's today
    certificate = tmp_path / "insurance certificate.pdf"
    certificate.write_bytes(PDF)
    page.get_by_role("link", name="Tick Employer's liability insurance in place").click()
    check_accessibility(page)
    _fill_date(page, "done_on", today - timedelta(days=3))
    _fill_date(page, "renews_on", today + timedelta(days=362))
    page.get_by_label("Note (optional)").fill("Policy EL-1234")
    page.get_by_label("Evidence (optional)").set_input_files(str(certificate))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved")
    row = page.locator("#item-insurance")
    expect(row).to_contain_text("Due again on")
    expect(row).to_contain_text("Policy EL-1234")
    check_accessibility(page)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/checklist.png", full_page=True)

    page.get_by_role("link", name="Tick Contract or written statement issued").click()
    _fill_date(page, "done_on", today - timedelta(days=30))
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#item-contract")).to_contain_text("Done on")
    check_accessibility(page)

    with page.expect_download() as download:
        row.get_by_role("link", name="Download insurance certificate.pdf").click()
    assert download.value.suggested_filename == "insurance certificate.pdf"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == PDF
