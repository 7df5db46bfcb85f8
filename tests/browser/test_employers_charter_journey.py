"""Done means, for the Charter Mark: a signed-in recipient applies as a holder, answering every
criterion with evidence for one; a finance officer asks for more on one criterion; the
recipient answers it and sends the application again; the officer awards it; the certificate
downloads; the public page verifies the number. axe-core checks every page on the way."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.employers.models import CriteriaVersion
from dp_portal.extensions import db

from .conftest import check_accessibility, sign_in

PVG = "Checks each PA through the PVG scheme (Disclosure Scotland)"


def _keys(live_app) -> list[str]:
    with live_app.app_context():
        version = (
            db.session.execute(select(CriteriaVersion).order_by(CriteriaVersion.version.desc()))
            .scalars()
            .first()
        )
        return [criterion.key for criterion in version.criteria]


def _apply_as_holder(page, world, keys, evidence) -> None:
    sign_in(page, Role.RECIPIENT)
    page.get_by_role("link", name="The Charter Mark for good PA employers").click()
    check_accessibility(page)
    page.get_by_role("link", name=re.compile(f"Charter Mark for {world['account_ref']}")).click()
    check_accessibility(page)
    page.get_by_role("button", name="Apply for the Charter Mark").click()
    check_accessibility(page)
    page.get_by_label("Charter Mark holder: I will answer each criterion").check()
    page.get_by_label("The name to show when someone checks your Charter Mark").fill(
        "A. Tester, Glenarden"
    )
    page.get_by_label("I commit to meeting the Charter Mark criteria").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("h1")).to_have_text("Answer the Charter Mark criteria")
    check_accessibility(page)
    for key in keys:
        page.locator(f"textarea[name=answer_{key}]").fill(f"This is how I meet {key}.")
    page.locator("input[name=evidence_written_contract]").set_input_files(str(evidence))
    page.get_by_role("button", name="Save and send for review").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been sent")
    expect(page.locator("main")).to_contain_text("Waiting for review")
    expect(page.locator("main")).to_contain_text("contract.pdf")
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()


def _review(page, keys, more_on: str | None) -> None:
    sign_in(page, Role.FINANCE_OFFICER)
    # The finance officer's home page counts the applications waiting and links to them.
    page.get_by_role("link", name="Charter Mark applications waiting for review").click()
    check_accessibility(page)
    page.get_by_role("link", name="A. Tester, Glenarden").click()
    check_accessibility(page)
    page.get_by_role("button", name="Review this application").click()
    check_accessibility(page)
    for key in keys:
        finding = "more_info" if key == more_on else "met"
        page.locator(f"input[name=finding_{key}][value={finding}]").check()
    if more_on:
        page.locator(f"textarea[name=message_{more_on}]").fill("Please tell us when you checked.")
        page.locator("input[name=decision][value=more_info]").check()
    else:
        page.locator("input[name=decision][value=award]").check()
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("review has been recorded")
    check_accessibility(page)


def test_apply_review_award_and_verify(page, live_app, tmp_path, browser):
    world = live_app.config["TEST_WORLD"]
    keys = _keys(live_app)
    evidence = tmp_path / "contract.pdf"
    evidence.write_bytes(b"%PDF-1.7\n%%EOF\n")
    _apply_as_holder(page, world, keys, evidence)

    _review(page, keys, more_on="pvg")
    expect(page.locator("main")).to_contain_text("We need more information")
    page.get_by_role("button", name="Sign out").click()

    # The recipient sees the question beside its criterion, answers it and sends it again.
    sign_in(page, Role.RECIPIENT)
    page.goto(f"/employers/accounts/{world['account_id']}/charter-mark")
    page.locator("main table").get_by_role("link").first.click()
    expect(page.locator("#criterion-pvg")).to_contain_text("Please tell us when you checked.")
    check_accessibility(page)
    page.get_by_role("button", name="Answer and send again").click()
    check_accessibility(page)
    expect(page.locator("textarea")).to_have_count(1)
    page.get_by_role("textbox", name=f"7. {PVG}").fill("Both PAs were checked in March 2026.")
    page.get_by_role("button", name="Save and send for review").click()
    expect(page.locator("main")).to_contain_text("Waiting for review")
    page.get_by_role("button", name="Sign out").click()

    _review(page, keys, more_on=None)
    expect(page.locator("main")).to_contain_text("Awarded")
    page.get_by_role("link", name="See the certificate").click()
    check_accessibility(page)
    number = re.search(r"CM-\d{4}-\d{4}", page.locator("h1").inner_text()).group(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the certificate (PDF)").click()
    assert download.value.suggested_filename == f"charter-mark-{number}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.get_by_role("button", name="Sign out").click()

    # Anyone can check the number, without signing in.
    public = browser.new_context(base_url=live_app.config["LIVE_URL"], bypass_csp=True).new_page()
    public.goto("/employers/charter-mark")
    check_accessibility(public)
    public.get_by_label("Charter Mark number").fill(number.lower())
    public.get_by_role("button", name="Check the number").click()
    expect(public.locator("h1")).to_have_text(f"{number} is a current Charter Mark")
    expect(public.locator("main")).to_contain_text("A. Tester, Glenarden")
    check_accessibility(public)
    public.context.close()
