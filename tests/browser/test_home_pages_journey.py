"""Each role's home page in a real browser: accessible (axe-core), the main menu on one line at
1280 px, every group of the menu opening a page of its items, and a person's late return one
button away."""

import pytest
from playwright.sync_api import expect

from dp_portal.auth.models import Role

from .conftest import check_accessibility, sign_in


def menu_rows(page) -> set[float]:
    """The distinct tops of the main menu's items: one value means one line."""
    return set(
        page.eval_on_selector_all(
            "nav[aria-label='Main menu'] li",
            "items => items.map(item => Math.round(item.getBoundingClientRect().top))",
        )
    )


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_home_is_accessible_and_its_menu_fits_one_line(page, role):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, role)
    check_accessibility(page)
    assert len(menu_rows(page)) == 1, f"the {role.value} menu wraps at 1280 px"
    menu = page.get_by_role("navigation", name="Main menu")
    groups = [
        link.get_attribute("href")
        for link in menu.get_by_role("link").all()
        if (link.get_attribute("href") or "").startswith("/menu/")
    ]
    for href in groups:
        page.goto(href)
        expect(menu.locator("[aria-current]")).to_have_attribute("href", href)
        assert page.locator("main a.govuk-link").count() >= 2, href
        check_accessibility(page)


def test_a_finance_officers_home_leads_to_the_work(page):
    sign_in(page, Role.FINANCE_OFFICER)
    expect(page.get_by_role("heading", name="What needs doing")).to_be_visible()
    page.get_by_role("link", name="Returns waiting for review", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Returns")
    check_accessibility(page)


def test_a_persons_home_has_a_button_to_their_late_return(page, live_app):
    world = live_app.config["TEST_WORLD"]
    sign_in(page, Role.RECIPIENT)
    expect(page.locator("main")).to_contain_text(f"account {world['account_ref']}")
    page.get_by_role("button", name="Fill in your return").first.click()
    assert f"/accounts/{world['account_id']}/returns/" in page.url
    check_accessibility(page)
