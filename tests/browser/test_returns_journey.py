"""Done means, for returns: a recipient downloads the template, fills it in as a spreadsheet
program would, uploads it with a bank statement PDF and sends it; a finance officer works the
queue, records the conversation about the surplus, raises a recovery that the next payment run
takes, and queries the return; the recipient answers and sends it again."""

import io
import re

import openpyxl
from playwright.sync_api import expect

from dp_portal.auth.models import Role

from .conftest import check_accessibility, nav, sign_in


def test_return_upload_review_and_recovery(page, live_app, tmp_path):
    world = live_app.config["TEST_WORLD"]
    sign_in(page, Role.RECIPIENT)
    page.goto(f"/accounts/{world['account_id']}")
    page.get_by_role("link", name="Financial returns").click()
    check_accessibility(page)
    page.get_by_role("link", name="Fill in").first.click()
    check_accessibility(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the return spreadsheet for this period").click()
    with open(download.value.path(), "rb") as downloaded:
        book = openpyxl.load_workbook(io.BytesIO(downloaded.read()))
    sheet = book["Return"]
    opening = sheet["B7"].value or 0
    sheet["B12"] = 150.0  # personal assistant wages
    sheet["B10"] = 3000.0  # other money in, leaving more than 8 weeks' budget: a surplus
    sheet["B21"] = opening + (sheet["B8"].value or 0) + 3000.0 - 150.0
    sheet["B22"] = sheet["B21"].value
    filled = tmp_path / "return.xlsx"
    book.save(filled)

    page.get_by_label("Upload a filled-in return spreadsheet").set_input_files(str(filled))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("read from the spreadsheet")
    expect(page.get_by_label("Personal assistant wages")).to_have_value("150.00")
    check_accessibility(page)

    statement = tmp_path / "statement.pdf"
    statement.write_bytes(b"%PDF-1.7\n%%EOF\n")
    page.get_by_label("What is it?").select_option("bank_statement")
    page.get_by_label("Choose the file").set_input_files(str(statement))
    page.get_by_role("button", name="Add the file").click()
    expect(page.locator("main")).to_contain_text("statement.pdf")
    page.get_by_role("button", name="Send the return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your return has been sent")
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()

    # The finance officer talks to the person, records it, and recovers part of the surplus.
    sign_in(page, Role.FINANCE_OFFICER)
    nav(page, "Returns to review").click()
    page.get_by_role("link", name=world["account_ref"]).first.click()
    expect(page.locator("main")).to_contain_text("Underspend of")
    page.locator("#talk-held_on-day").fill("1")
    page.locator("#talk-held_on-month").fill("11")
    page.locator("#talk-held_on-year").fill("2026")
    page.get_by_label("Who took part?").fill("The person and their social worker")
    page.get_by_label("Reasons the person gave for the underspend").fill("A gift from family")
    page.get_by_label("Recover the surplus").check()
    page.get_by_role("button", name="Record the conversation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("recorded")
    check_accessibility(page)
    page.get_by_label("Amount to recover").fill("100")
    page.get_by_label("Take it from the next payments").check()
    page.get_by_label("Reason, for the letter").fill("Money not needed for support")
    page.get_by_role("button", name="Raise the recovery").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The recovery has been raised"
    )
    check_accessibility(page)

    # The next payment run takes it.
    nav(page, "Payment runs").click()
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Build the run").click()
    run_url = page.url
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, Role.FINANCE_OFFICER, email="finance_officer2@browser.example")
    page.goto(run_url)
    page.get_by_role("button", name="Approve this run").click()
    page.get_by_role("button", name="Commit the payments").click()  # to the confirmation page
    page.get_by_role("button", name="Commit the payments").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("committed")
    page.goto(f"/accounts/{world['account_id']}/payments")
    # Every run in this session pays ahead, so the newest payment (this run's) is due last.
    due = page.locator("table", has=page.locator("caption", has_text="Due to be paid"))
    due.get_by_role("link", name=re.compile("Remittance advice")).last.click()
    expect(page.locator("main")).to_contain_text("Less money we asked back")
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.FINANCE_OFFICER)
    nav(page, "Returns to review").click()
    check_accessibility(page)
    page.get_by_role("link", name=world["account_ref"]).first.click()
    check_accessibility(page)
    page.get_by_label("Your question").fill("Please send the timesheets for May.")
    page.get_by_role("button", name="Send the question").click()
    expect(page.locator("main")).to_contain_text("We have a question")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.RECIPIENT)
    page.goto(f"/accounts/{world['account_id']}/returns")
    page.get_by_role("link", name="Answer and send again").first.click()
    page.get_by_label("Anything we should know (optional)").fill("Timesheets posted today.")
    page.get_by_role("button", name="Send the return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your return has been sent")
    check_accessibility(page)
