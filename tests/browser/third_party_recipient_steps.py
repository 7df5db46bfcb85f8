"""The recipient's part of issue 13's "done means" (test_third_party_done_means_journey.py
runs it): a recipient imports their own statement for a period that
has ended (a Windows-1252 export with account details above the columns), sees the council's
payment matched, corrects one line's category, imports a second statement with no column
names by saying which column is which (the correction is remembered for it), sees a statement
for another account refused with its row and column, has the return filled from the lines,
adds evidence and sends the return; a finance officer finds it in the queue. axe-core checks
every page."""

from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect

from dp_portal.auth.models import Role
from dp_portal.extensions import db
from dp_portal.payments.ledger_models import Payment

from ..factories import Factory
from .conftest import check_accessibility, nav, sign_in

CORPUS = Path(__file__).parent.parent / "data" / "statements"
EMAIL = "statements.recipient@browser.example"


def _my_account(app) -> tuple[int, str]:
    """A recipient's account paid into the account the corpus statements are for, with the
    council's committed payment of 1 September 2026."""
    with app.app_context():
        factory = Factory(db.session)
        account = factory.account(
            start_date=date(2026, 4, 6),
            payee_name="S STATEMENT",
            sort_code="309950",
            account_number="12345678",
        )
        factory.access(factory.user(Role.RECIPIENT, email=EMAIL), account)
        db.session.add(
            Payment(
                account_id=account.id,
                period_index=99,
                period_start=date(2026, 9, 1),
                period_end=date(2026, 9, 1) + timedelta(days=27),
                payee_type="person",
                amount_pence=123456,
                pay_date=date(2026, 9, 1),
                breakdown_json='{"segments": [], "offsets": []}',
            )
        )
        db.session.commit()
        return account.id, account.reference


def a_recipient_fills_a_return_from_their_bank_statement(page, live_app, tmp_path):
    account_id, reference = _my_account(live_app)
    sign_in(page, Role.RECIPIENT, email=EMAIL)
    page.goto(f"/accounts/{account_id}/returns/2026-07-01")
    check_accessibility(page)
    page.get_by_role("link", name="Import your bank statement").click()
    check_accessibility(page)

    page.get_by_label("Choose the statement file").set_input_files(
        str(CORPUS / "refused_other_account.csv")
    )
    page.get_by_role("button", name="Import the statement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Row 1, column B: this statement is for the account ending 4321"
    )
    check_accessibility(page)

    # The corpus's October statement, moved to September: a return can be sent only once
    # its period (July to September) has ended.
    september = tmp_path / "september.csv"
    october = (CORPUS / "nationwide_cp1252.csv").read_bytes()
    september.write_bytes(october.replace(b"31 Oct", b"30 Sep").replace(b"Oct", b"Sep"))
    page.get_by_label("Choose the statement file").set_input_files(str(september))
    page.get_by_role("button", name="Import the statement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("4 lines imported")
    expect(page.locator("main")).to_contain_text(
        "Matches the council's payment of £1,234.56 on 1 September 2026"
    )
    check_accessibility(page)

    page.get_by_label("Category for J SMITH WAGES on 9 September 2026").select_option(
        label="Agency or provider invoice"
    )
    page.get_by_role("button", name="Save the categories").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("for lines like these")

    # A later statement has no column names: the person says which is which, and the
    # wages line takes the category chosen for October's.
    later = tmp_path / "later.csv"
    later.write_bytes(b"2026-09-16,J SMITH WAGES 16SEP,-400.00,-150.79\r\n")
    page.get_by_label("Choose the statement file").set_input_files(str(later))
    page.get_by_role("button", name="Import the statement").click()
    expect(page.get_by_role("heading", name="Tell us which column is which")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Which column has the date?").select_option(
        label="Column A, for example 2026-09-16"
    )
    page.get_by_label("Which column says what the payment was?").select_option(index=2)
    page.get_by_label("One column of amounts, with money out shown as a minus").check()
    page.get_by_label("Which column has the amount?").select_option(index=3)
    page.get_by_label("Which column has the balance? (optional)").select_option(index=4)
    page.get_by_role("button", name="Import with these columns").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 line imported")
    expect(page.locator("main")).to_contain_text("You chose this for lines like it before")
    check_accessibility(page)

    page.get_by_role("button", name="Put these lines into my return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("filled in from your")
    expect(page.get_by_label("Agency or provider invoices")).to_have_value("800.00")
    expect(page.get_by_label("Payments from the council")).to_have_value("1234.56")
    check_accessibility(page)

    evidence = tmp_path / "statement.pdf"
    evidence.write_bytes(b"%PDF-1.7\n%%EOF\n")
    page.get_by_label("What is it?").select_option("bank_statement")
    page.get_by_label("Choose the file").set_input_files(str(evidence))
    page.get_by_role("button", name="Add the file").click()
    page.get_by_role("button", name="Send the return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your return has been sent")
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.FINANCE_OFFICER)
    nav(page, "Returns to review").click()
    page.get_by_role("link", name=reference).first.click()
    expect(page.locator("main")).to_contain_text("£1,234.56")
    check_accessibility(page)
