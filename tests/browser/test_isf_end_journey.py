"""Ending an ISF agreement (issue 14): a finance officer ends it on its page, from a last day
and with the reason (a mistake is named in the error summary and changes nothing); the
agreement, the person's statement and the provider's home all say when it ends and why.
axe-core checks every page."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from dp_portal.auth.models import Role
from dp_portal.core.types import local_today
from dp_portal.extensions import db

from ..factories import Factory
from ..isf.helpers import in_force, living_wage
from .conftest import check_accessibility, sign_in

OFFICER = "isf-end-officer@browser.example"  # acts on no other journey's accounts
PERSON = "isf-end-person@browser.example"
STAFF = "isf-end-provider@browser.example"


def _world(app) -> dict:
    with app.app_context():
        factory = Factory(db.session)
        living_wage(db.session)
        org, account, row, _version = in_force(factory)
        factory.user(Role.FINANCE_OFFICER, email=OFFICER)
        person = factory.user(Role.RECIPIENT, email=PERSON)
        factory.access(person, account)
        factory.user(Role.PROVIDER_STAFF, email=STAFF, organisation_id=org.id)
        db.session.commit()
        return {"agreement_id": row.id, "account_id": account.id, "provider": org.name}


def test_an_officer_ends_an_agreement_and_every_party_reads_when_and_why(page, live_app):
    world = _world(live_app)
    last = local_today() + timedelta(days=30)
    ends = f"This agreement ends on {last.day} {last:%B %Y}"
    sign_in(page, Role.FINANCE_OFFICER, email=OFFICER)
    page.goto(f"/isf/agreements/{world['agreement_id']}")
    page.get_by_role("link", name="End the agreement").click()
    expect(page.locator("h1")).to_contain_text("End the agreement with")
    check_accessibility(page)
    page.get_by_role("button", name="End the agreement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the last day")
    check_accessibility(page)
    page.locator("#last_day-day").fill(str(last.day))
    page.locator("#last_day-month").fill(str(last.month))
    page.locator("#last_day-year").fill(str(last.year))
    page.get_by_label("Why is the agreement ending?").fill("The person has moved to Fife")
    page.get_by_role("button", name="End the agreement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The agreement ends on")
    expect(page.locator("main")).to_contain_text(ends)
    expect(page.get_by_role("link", name="End the agreement")).to_have_count(0)
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.RECIPIENT, email=PERSON)
    page.goto(f"/accounts/{world['account_id']}/isf")
    expect(page.locator("main")).to_contain_text(ends)
    expect(page.locator("main")).to_contain_text("The person has moved to Fife")
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.PROVIDER_STAFF, email=STAFF)
    expect(page.locator("main")).to_contain_text(re.compile("The agreement ends on"))
    expect(page.locator("main")).to_contain_text("The person has moved to Fife")
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()
