"""Done means, for integration clients: an administrator finds Integration clients under
Settings, creates one for the finance system (a missing choice is named first), copies its
token from the one page that shows it, sees it used, gives it a new token and revokes it with
a reason; the API's documentation reads as a page. axe-core checks every page."""

from __future__ import annotations

import os
import re

from playwright.sync_api import expect

from dp_portal.auth.models import Role

from .conftest import check_accessibility, nav, sign_in

SCREENSHOTS = os.environ.get("DP_SCREENSHOTS")
TOKEN = re.compile(r"^dpk_[A-Za-z0-9_-]{43}$")


def _api_status(page, token: str) -> int:
    return page.request.get("/api/v1/journal", headers={"Authorization": f"Bearer {token}"}).status


def test_an_administrator_creates_uses_replaces_and_revokes_a_client(page):
    sign_in(page, Role.ADMIN)
    nav(page, "Integration clients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Integration clients")
    check_accessibility(page)
    page.get_by_role("button", name="Create a client").click()
    page.get_by_label("Name of the system").fill("Finance system (browser)")
    page.get_by_role("button", name="Create the client and show its token").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose at least one thing the system may do"
    )
    check_accessibility(page)

    page.get_by_label(re.compile(r"Read the finance journal")).check()
    page.get_by_role("button", name="Create the client and show its token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Copy the token now")
    token = page.locator("#token").inner_text().strip()
    assert TOKEN.match(token)
    check_accessibility(page)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/api-token.png", full_page=True)
    assert _api_status(page, token) == 200

    page.get_by_role("button", name="I have copied the token").click()
    main = page.locator("main")
    expect(main).to_contain_text(token[:12])
    expect(main).to_contain_text("GET /api/v1/journal answered 200")
    assert token not in main.inner_text()  # shown once, never again
    check_accessibility(page)

    page.get_by_role("button", name="Give it a new token").click()
    new = page.locator("#token").inner_text().strip()
    assert TOKEN.match(new) and new != token
    assert _api_status(page, token) == 401 and _api_status(page, new) == 200
    page.get_by_role("button", name="I have copied the token").click()

    page.get_by_role("button", name="Revoke the client").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the client is being revoked"
    )
    check_accessibility(page)
    page.get_by_label("Why is it being revoked?").fill("Moved to the new finance system")
    page.get_by_role("button", name="Revoke the client").click()
    expect(main).to_contain_text("is revoked: its token no longer works")
    expect(main).to_contain_text("Moved to the new finance system")
    assert _api_status(page, new) == 401
    check_accessibility(page)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/api-client-revoked.png", full_page=True)


def test_the_api_documentation_reads_as_a_page(page):
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", level=1)).to_contain_text("integration API")
    check_accessibility(page)
    page.get_by_role("link", name="The finance journal: payments and ledger entries").click()
    expect(page.locator("#journal")).to_be_visible()
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/api-docs.png", full_page=False)
