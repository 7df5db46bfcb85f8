"""Done means, for client money: a money management service's staff member records money in
and out of a person's sub-ledger (and is told plainly when a payment would take it below
zero), reconciles September's pooled account to the penny with one explained difference, a
second staff member signs it off, a return built from the sub-ledger is sent, and a finance
officer sees where it came from and accepts it. axe-core checks every page."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from dp_portal.auth.models import Role, User
from dp_portal.extensions import db
from dp_portal.monitoring.models import TierChange

from ..factories import Factory
from .conftest import check_accessibility, sign_in

PREPARER, CHECKER = "money1@browser.example", "money2@browser.example"


def _service(app) -> dict:
    """Its own organisation and client, so other journeys' worlds are untouched."""
    with app.app_context():
        factory = Factory(db.session)
        org = factory.organisation(name="Journey Money Management", kind="money_management")
        for email in (PREPARER, CHECKER):
            factory.user(Role.BROKERAGE_STAFF, email=email, organisation_id=org.id)
        account = factory.account(start_date=date(2026, 9, 1))
        factory.mandate(account, org, scope="manage_money")
        officer = db.session.execute(
            select(User.id).where(User.email == "finance_officer@browser.example")
        ).scalar_one()
        db.session.add(
            TierChange(
                account_id=account.id,
                tier="monthly",
                effective_from=date(2026, 9, 1),
                reason="Managed account: monthly returns",
                decided_by_id=officer,
            )
        )
        db.session.commit()
        return {"account_id": account.id, "reference": account.reference}


def _add_line(page, kind: str, amount: str, day: str, who: str) -> None:
    page.get_by_role("button", name="Add money in or out").click()
    page.get_by_label(kind).check()
    page.get_by_label("Amount").fill(amount)
    page.get_by_label("Day").fill(day)
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Who was paid, or who paid in").fill(who)
    page.get_by_role("button", name="Add to the sub-ledger").click()


def test_money_in_and_out_a_reconciled_month_signed_off_and_a_return_from_it(page, live_app):
    client = _service(live_app)
    sign_in(page, Role.BROKERAGE_STAFF, email=PREPARER)
    page.get_by_role("link", name="Client money").click()
    expect(page.locator("h1")).to_have_text("Journey Money Management")
    check_accessibility(page)
    page.get_by_role("link", name=client["reference"]).click()
    expect(page.locator("h1")).to_have_text("Client money")
    check_accessibility(page)

    page.get_by_role("button", name="Add money in or out").click()
    page.get_by_role("button", name="Add to the sub-ledger").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose what the money was for")
    check_accessibility(page)
    page.get_by_role("link", name="Client money").click()
    _add_line(page, "The person's contribution", "1,200.00", "1", "Paid in by the person")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been added")
    _add_line(page, "Personal assistant wages", "700", "20", "September wages")
    _add_line(page, "Personal assistant wages", "600.00", "25", "Extra wages")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "This would take the balance below zero: it is £500.00"
    )
    check_accessibility(page)
    page.goto(f"/accounts/{client['account_id']}/client-money")
    expect(page.locator("main")).to_contain_text("£500.00")

    page.goto("/money")
    page.get_by_role("link", name="All months and reconciling a month").click()
    check_accessibility(page)
    page.get_by_label("Month").select_option(label="September 2026")
    page.get_by_role("button", name="Start reconciling this month").click()
    expect(page.locator("h1")).to_contain_text("September 2026")
    check_accessibility(page)
    page.get_by_label("Closing balance on the bank statement").fill("503.17")
    page.get_by_role("button", name="Save the closing balance").click()
    expect(page.locator("main")).to_contain_text("Left to explain")
    expect(page.locator("main")).to_contain_text("£3.17")
    page.get_by_label("On the statement, not in the sub-ledgers").check()
    page.get_by_label("Amount").fill("3.17")
    page.get_by_label("What it is").fill("Credit 30 Sep: GROSS INTEREST")
    page.get_by_label("Why it differs").fill("Bank interest: shared out to clients in October")
    page.get_by_role("button", name="Add the difference").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("listed")
    check_accessibility(page)
    page.get_by_role("button", name="Send for sign-off").click()
    expect(page.locator("main")).to_contain_text("another member of staff must sign it off")
    check_accessibility(page)
    month_url = page.url
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.BROKERAGE_STAFF, email=CHECKER)
    page.goto(month_url)
    check_accessibility(page)
    page.get_by_role("button", name="Sign off September 2026").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("signed off and sealed")
    check_accessibility(page)

    page.goto(f"/accounts/{client['account_id']}/client-money/returns/2026-09-01")
    expect(page.locator("main")).to_contain_text("Every month in this period was reconciled")
    check_accessibility(page)
    page.get_by_role("button", name="Send this return for review").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("built from the sub-ledger")
    return_url = page.url
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.FINANCE_OFFICER)
    page.goto(return_url)
    expect(page.locator("main")).to_contain_text(
        re.compile("Built by Journey Money Management from the 2 lines")
    )
    check_accessibility(page)
    page.get_by_label("What did you check?").fill("The reconciled sub-ledger and its bank line")
    page.get_by_role("button", name="Accept the return").click()
    expect(page.locator("main")).to_contain_text("Accepted")
    page.goto("/money/overview")
    expect(page.locator("main")).to_contain_text("Journey Money Management")
    expect(page.locator("main")).to_contain_text("September 2026")
    check_accessibility(page)
