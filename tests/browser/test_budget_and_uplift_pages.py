"""A finance officer checks a new budget beside the current one before proposing it, and an
administrator works through an uplift preview a page at a time: both pages pass axe."""

from playwright.sync_api import expect

from dp_portal.auth.models import Role

from .conftest import check_accessibility, sign_in


def test_a_budget_is_checked_side_by_side_before_it_is_proposed(page, live_app):
    world = live_app.config["TEST_WORLD"]
    sign_in(page, Role.FINANCE_OFFICER)
    page.goto(f"/accounts/{world['account_id']}/budget/new")
    expect(page.get_by_label("Personal assistant hours a week (optional)")).to_have_value("20")
    check_accessibility(page)
    page.get_by_label("Day", exact=True).fill("1")
    page.get_by_label("Month", exact=True).fill("10")
    page.get_by_label("Year", exact=True).fill("2026")
    page.get_by_label("Personal assistant hours a week (optional)").fill("22")
    page.get_by_label("Reason for the budget").fill("Review: two more hours")
    page.get_by_role("button", name="Check the budget").click()
    expect(page.locator("#comparison")).to_contain_text("The current and the new budget")
    check_accessibility(page)


def test_an_uplift_preview_is_paged_with_its_totals_first(page, live_app):
    sign_in(page, Role.ADMIN)
    page.goto("/rates/uplift")
    page.get_by_label("New living wage rate, per hour").fill("13.45")
    page.get_by_label("Day", exact=True).fill("1")
    page.get_by_label("Month", exact=True).fill("4")
    page.get_by_label("Year", exact=True).fill("2026")
    page.get_by_label("Source").fill("Scottish Government letter")
    page.get_by_role("button", name="Preview the uplift").click()
    expect(page.locator("main")).to_contain_text("The uplift in total")
    check_accessibility(page)
    page.get_by_role("link", name="Difference a week").click()
    expect(page.locator("main")).to_contain_text("largest difference first")
    check_accessibility(page)
