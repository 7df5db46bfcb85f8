"""Done means, for the PA Employer Handbook: a member of the public (not signed in) reads the
contents, opens a section, searches, prints and downloads the PDF; an administrator edits a
section, previews it and publishes it, and then a reader sees the new words and the note of
what changed. axe-core checks every page on the way."""

from playwright.sync_api import expect

from dp_portal.auth.models import Role
from dp_portal.employers.demo_handbook import demo_handbook
from dp_portal.extensions import db

from .conftest import check_accessibility, sign_in

NEW_WORDS = "Ask your pension scheme for a welcome pack to give your PA."
NOTE = "Added a tip about welcome packs."


def _handbook(app) -> None:
    with app.app_context():
        demo_handbook()
        db.session.commit()


def test_a_reader_reads_searches_and_downloads_the_handbook(page, live_app):
    _handbook(live_app)
    page.goto("/")
    page.get_by_role("link", name="PA Employer Handbook").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PA Employer Handbook")
    expect(page.locator("main")).to_contain_text("Taking your first steps")
    check_accessibility(page)

    page.get_by_role("link", name="Checking your PA through the PVG scheme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Checking your PA through the PVG scheme"
    )
    expect(page.locator("main")).to_contain_text("Disclosure Scotland")
    expect(page.locator("main")).to_contain_text("Last updated")
    check_accessibility(page)
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Employed or self-employed?")

    page.get_by_label("Search the handbook").fill("sick pay")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search the handbook")
    results = page.locator(".app-handbook-results")
    expect(results.get_by_role("link", name="Sickness and Statutory Sick Pay")).to_be_visible()
    expect(results.locator("mark").first).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Search the handbook").fill("")  # an empty search says what to do
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a word or two")
    check_accessibility(page)

    page.get_by_role("link", name="Print the whole handbook").click()
    expect(page.locator("main")).to_contain_text("Moving to an agency or another option")
    check_accessibility(page)
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link").click()
    page.get_by_role("link", name="What changed recently").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What changed recently")
    check_accessibility(page)
    # The whole handbook takes seconds to render the first time (then it is kept).
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("link", name="Download the handbook (PDF)").click(timeout=120_000)
    assert download.value.suggested_filename == "pa-employer-handbook.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_an_admin_edits_previews_and_publishes_a_section(page, live_app):
    _handbook(live_app)
    sign_in(page, Role.ADMIN)
    page.goto("/employers/handbook/workplace-pensions")
    page.get_by_role("link", name="Edit this section").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit: Workplace pensions")
    check_accessibility(page)

    text = page.get_by_label("Text", exact=True)
    text.fill(text.input_value() + "\n\n## A tip\n\n" + NEW_WORDS + "\n")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what changed")
    check_accessibility(page)
    page.get_by_label("What changed").fill(NOTE)
    page.get_by_role("button", name="Save and preview").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("Preview")
    expect(page.locator("article")).to_contain_text(NEW_WORDS)
    check_accessibility(page)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose when readers")
    check_accessibility(page)
    page.get_by_label("Now").check()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Readers see it now")
    page.get_by_role("link", name="Edit the handbook").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the PA Employer Handbook")
    check_accessibility(page)
    page.get_by_role("button", name="Add a section").click()
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()

    page.goto("/employers/handbook/workplace-pensions")
    expect(page.locator("article")).to_contain_text(NEW_WORDS)
    expect(page.locator("main")).to_contain_text(NOTE)
    page.get_by_role("link", name="What changed recently").click()
    expect(page.locator("main")).to_contain_text(NOTE)
    expect(page.get_by_role("link", name="Workplace pensions").first).to_be_visible()
