"""Done means, for returns: a recipient downloads the template, fills it in as a spreadsheet
program would, uploads it with a bank statement PDF and sends it; a finance officer works the
queue and queries it; the recipient answers and sends it again. (Recoveries taken by the next
run are covered in tests/integration/test_recoveries.py.)"""

import io

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
    sheet["B21"] = opening + (sheet["B8"].value or 0) - 150.0
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
