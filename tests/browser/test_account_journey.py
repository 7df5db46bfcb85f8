"""Your account, signing out of every device, asking for a reset link and being told to wait:
in a real browser, with an accessibility check on every page."""

import pytest
from playwright.sync_api import expect

from dp_portal.auth.models import Role
from dp_portal.extensions import limiter

from .conftest import check_accessibility, sign_in


def test_signing_out_of_all_devices(page, browser, live_app):
    other_device = browser.new_context(base_url=live_app.config["LIVE_URL"])
    phone = other_device.new_page()
    sign_in(phone, Role.TEAM_LEADER)
    sign_in(page, Role.TEAM_LEADER)

    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Change your password").click()
    check_accessibility(page)
    page.get_by_role("link", name="Your account").first.click()
    page.get_by_role("button", name="Sign out of all devices").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("every device")
    check_accessibility(page)
    phone.goto("/accounts")
    expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()
    other_device.close()


@pytest.fixture
def low_reset_limit(live_app):
    saved = live_app.config["RATELIMIT_RESET_PER_ACCOUNT"]
    live_app.config["RATELIMIT_RESET_PER_ACCOUNT"] = "1 per minute"
    limiter.reset()
    yield
    live_app.config["RATELIMIT_RESET_PER_ACCOUNT"] = saved
    limiter.reset()


def test_asking_for_a_reset_link_too_often_says_to_wait(page, low_reset_limit):
    for _ in range(2):
        page.goto("/reset-password")
        page.get_by_label("Email address").fill("finance_officer@browser.example")
        page.get_by_role("button", name="Send me a link").click()
        check_accessibility(page)
    expect(page.get_by_role("heading", name="Too many attempts")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Wait 1 minute, then go back and try again")
