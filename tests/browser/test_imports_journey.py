"""Bulk import, as a finance officer does it in Chromium with no JavaScript needed: upload a
case-management export, say what its sheets hold, map the columns, read the dry run's
problems by sheet and cell, upload the corrected file (the columns are remembered), apply.
axe-core checks every page. People only: the shared browser world's accounts, bank details
and budgets are left as the other journeys expect them."""

from playwright.sync_api import expect

from dp_portal.auth.models import Role

from ..imports.helpers import PEOPLE_HEADINGS, workbook
from .conftest import check_accessibility, nav, sign_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export(date_of_birth: str) -> bytes:
    people = [
        [
            f"SWB{n:04d}",
            "Ailsa",
            f"Journey{n}",
            "27/03/1950",
            f"{n} Shore Road",
            "Glenarden",
            "EH1 1YZ",
        ]
        for n in range(3)
    ]
    people[1][3] = date_of_birth
    return workbook({"People": (PEOPLE_HEADINGS, people), "Notes": (["Note"], [["Exported"]])})


def _upload(page, data: bytes, name: str) -> None:
    page.goto("/imports/new")
    page.get_by_label("Which system is the file from?").fill("Mosaic")
    page.get_by_label("Choose the file").set_input_files(
        files=[{"name": name, "mimeType": XLSX, "buffer": data}]
    )
    page.get_by_role("button", name="Upload and choose the columns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What does each sheet hold?")
    expect(page.get_by_label("What does People hold?")).to_have_value("people")
    expect(page.get_by_label("What does Notes hold?")).to_have_value("")
    check_accessibility(page)
    page.get_by_role("button", name="Continue to the columns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Which column is which?")
    expect(page.get_by_label("Column D: DOB")).to_have_value("date_of_birth")
    check_accessibility(page)


def test_a_finance_officer_imports_people_after_putting_a_date_right(page):
    sign_in(page, Role.FINANCE_OFFICER)
    nav(page, "Import records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import records")
    check_accessibility(page)
    page.get_by_role("button", name="Import a file").click()
    page.get_by_role("button", name="Upload and choose the columns").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the system the file is from"
    )
    check_accessibility(page)

    _upload(page, _export("31/02/1950"), "people-export.xlsx")
    page.get_by_role("button", name="Check the file").click()
    main = page.locator("main")
    expect(main).to_contain_text("People, cell D3")
    expect(main).to_contain_text("date of birth 31/02/1950 is not a real date")
    expect(page.get_by_role("button", name="Apply the import")).to_have_count(0)
    check_accessibility(page)

    _upload(page, _export("28/02/1950"), "people-export-corrected.xlsx")
    expect(page.locator("main")).to_contain_text("These are the columns you chose last time")
    page.get_by_role("button", name="Check the file").click()
    expect(main).to_contain_text("New (3)")
    check_accessibility(page)
    page.get_by_role("button", name="Apply the import").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The import has been applied"
    )
    expect(main).to_contain_text("What was done")
    check_accessibility(page)

    page.get_by_role("link", name="Import records").first.click()
    expect(main).to_contain_text("people-export-corrected.xlsx")
    expect(main).to_contain_text("Applied")
    check_accessibility(page)
