"""Done means, for reminders: a recipient reads the published timetable and downloads the
reminder letter sent to them; a finance officer works the escalation queue, suspends the
account's payments and later reinstates them, and reads the reminder report."""

from datetime import date

from playwright.sync_api import expect
from sqlalchemy import update

from dp_portal.auth.models import Role
from dp_portal.core.letters import Letter
from dp_portal.extensions import db
from dp_portal.monitoring.jobs import issue_due_reminders

from ..factories import Factory
from .conftest import check_accessibility, nav, sign_in

EMAIL = "reminded@browser.example"


def _reminded_account(app) -> str:
    """An account whose April-June 2025 return never came: every stage has gone out."""
    with app.app_context():
        factory = Factory(db.session)
        recipient = factory.user(Role.RECIPIENT, email=EMAIL)
        person = factory.person(email="reminded.person@example.org")
        account = factory.account(person=person, start_date=date(2025, 4, 1))
        factory.access(recipient, account)
        db.session.commit()
        issue_due_reminders(date(2025, 9, 16))
        # The mail server refused the first reminder's email.
        db.session.execute(
            update(Letter)
            .where(Letter.account_id == account.id, Letter.kind == "reminder_first")
            .values(email_status="failed", email_attempts=1, email_error="550 mailbox full")
        )
        db.session.commit()
        return account.reference


def test_reminder_letters_escalation_suspend_and_reinstate(page, live_app):
    reference = _reminded_account(live_app)

    sign_in(page, Role.RECIPIENT, EMAIL)
    page.get_by_role("link", name="Reminders about returns").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("When we will remind you")
    expect(page.locator("main")).to_contain_text("First reminder")
    check_accessibility(page)
    nav(page, "Accounts").click()
    page.get_by_role("link", name=reference).first.click()
    page.get_by_role("link", name="Letters", exact=True).click()
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role(
            "link", name="Reminder: your direct payment return (PDF)", exact=True
        ).click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.FINANCE_OFFICER)
    nav(page, "Escalations").click()
    check_accessibility(page)
    page.get_by_role("link", name=reference).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consider suspending payments")
    check_accessibility(page)
    page.get_by_label("Suspend payments until the return arrives").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why")
    check_accessibility(page)
    page.get_by_label("Why?").fill("Talked to the social worker: no risk to care")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Payments are suspended")
    expect(page.get_by_role("heading", level=1)).to_have_text("Payments suspended")
    check_accessibility(page)

    page.get_by_label("Why are you reinstating payments?").fill("Return received and accepted")
    page.get_by_role("button", name="Reinstate payments").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Payments are reinstated")
    expect(page.locator("main")).to_contain_text("Payments reinstated")
    page.get_by_role("link", name="Read the letters").click()
    expect(page.locator("main")).to_contain_text("We have stopped your direct payments for now")
    expect(page.locator("main")).to_contain_text("Your direct payments are starting again")

    nav(page, "Letters not emailed").click()
    expect(page.locator("main")).to_contain_text("550 mailbox full")
    check_accessibility(page)
    page.get_by_role("button", name="Try again").first.click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "will be emailed again to reminded.person@example.org"
    )

    nav(page, "Reminder report").click()
    expect(page.locator("main")).to_contain_text("Overdue returns today")
    check_accessibility(page)
