"""Done means, for the review work: a person sends a flagged return with a bank statement (PDF)
and a receipt (photo); a finance officer opens it from the queue and sees its lines with the
flag on the line it concerns, the evidence on the page and the last two returns beside it,
and asks a question; the person sees the question on the form they answer it on and sends
the return again; the officer sees the conversation and accepts the flagged return with a
note. Every page passes axe; the evidence loads under the portal's own CSP."""

from datetime import date

from playwright.sync_api import expect

from dp_portal.auth.models import Role
from dp_portal.extensions import db
from dp_portal.monitoring.models import MonitoringReturn

from ..factories import Factory
from ..hostile_files import pdf_pages, picture
from .conftest import check_accessibility, nav, sign_in

PERSON = "review_recipient@browser.example"
QUESTION = "The bank statement shows £50 more than your closing balance. Why?"


def _world(app) -> tuple[int, str]:
    """An account with two accepted returns before April-June 2026, and its own person."""
    with app.app_context():
        factory = Factory(db.session)
        account = factory.account(start_date=date(2025, 10, 1))
        factory.access(factory.user(Role.RECIPIENT, email=PERSON), account)
        for start, end, wages in (
            (date(2025, 10, 1), date(2025, 12, 31), 31111),
            (date(2026, 1, 1), date(2026, 3, 31), 32222),
        ):
            db.session.add(
                MonitoringReturn(
                    account_id=account.id,
                    period_start=start,
                    period_end=end,
                    due_date=end,
                    status="accepted",
                    opening_pence=wages,
                    spend_pa_wages_pence=wages,
                )
            )
        db.session.commit()
        return account.id, account.reference


def _person_sends_a_flagged_return(page, account_id, tmp_path):
    sign_in(page, Role.RECIPIENT, email=PERSON)
    page.goto(f"/accounts/{account_id}/returns/2026-04-01")
    for kind, name, data in (
        ("bank_statement", "statement.pdf", pdf_pages(1)),
        ("receipt", "receipt.png", picture("png", (300, 200))),
    ):
        (tmp_path / name).write_bytes(data)
        page.get_by_label("What is it?").select_option(kind)
        page.get_by_label("Choose the file").set_input_files(str(tmp_path / name))
        page.get_by_role("button", name="Add the file").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("has been added")
    page.get_by_label("Personal assistant wages").fill("100")
    page.get_by_label("Balance at the end of the period").fill("-100")
    page.get_by_label("Closing balance on the bank statement").fill("-50")
    page.get_by_role("button", name="Send the return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your return has been sent")
    page.get_by_role("button", name="Sign out").click()


def _evidence_loads_under_the_portals_csp(browser, app, url):
    """The review page as a real browser applies its CSP (the axe pages bypass it): the PDF
    frame and the photo load, and nothing is refused."""
    context = browser.new_context(base_url=app.config["LIVE_URL"])
    tab = context.new_page()
    refused, evidence = [], []
    tab.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    tab.on(
        "response",
        lambda r: (
            evidence.append((r.url.split("/")[-1], r.status)) if "view=inline" in r.url else None
        ),
    )
    sign_in(tab, Role.FINANCE_OFFICER)
    tab.goto(url)
    tab.get_by_text("Show statement.pdf on this page").click()  # loaded only when opened
    image = tab.get_by_role("img", name="Receipt: receipt.png, as sent with the return")
    image.scroll_into_view_if_needed()
    expect(image).to_be_visible()
    assert tab.evaluate("() => document.querySelector('img.app-evidence-image').naturalWidth")
    tab.wait_for_timeout(500)  # the frame's request, which no element waits for
    frames = [frame.url for frame in tab.frames[1:]]
    context.close()
    # A frame the CSP refuses shows Chromium's error page instead of the document; a PDF
    # shown opens Chromium's PDF viewer inside the frame.
    assert any("view=inline" in u for u in frames), frames
    assert not any(u.startswith("chrome-error:") for u in frames), frames
    # Both files were fetched and served (the PDF into its frame, not refused by the CSP).
    assert refused == [] and len(set(evidence)) == 2, (refused, evidence)
    assert {status for _, status in evidence} == {200}, evidence


def test_an_officer_reviews_a_flagged_return_asks_and_accepts_with_a_note(
    page, browser, live_app, tmp_path
):
    account_id, reference = _world(live_app)
    _person_sends_a_flagged_return(page, account_id, tmp_path)

    sign_in(page, Role.FINANCE_OFFICER)
    nav(page, "Returns to review").click()
    page.get_by_role("link", name=reference).first.click()
    review_url = page.url
    lines = page.locator("#lines")
    expect(lines.locator("#line-spend_pa_wages")).to_contain_text("£100.00")
    expect(lines.locator("#line-spend_pa_wages")).to_contain_text("£322.22")
    expect(lines.locator("#line-spend_pa_wages")).to_contain_text("£311.11")
    expect(lines.locator("#line-bank_balance")).to_contain_text("is not the bank statement")
    expect(lines).to_contain_text("1 January 2026 to 31 March 2026")
    page.get_by_text("Show statement.pdf on this page").click()
    expect(page.locator("iframe[title='Bank statement: statement.pdf (PDF)']")).to_be_visible()
    expect(page.get_by_role("link", name="Download statement.pdf")).to_be_visible()
    check_accessibility(page)
    _evidence_loads_under_the_portals_csp(browser, live_app, review_url)
    page.get_by_label("Your question").fill(QUESTION)
    page.get_by_role("button", name="Send the question").click()
    expect(page.locator("main")).to_contain_text("We have a question")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.RECIPIENT, email=PERSON)
    page.goto(review_url)
    page.get_by_role("link", name="Answer the question and send the return again").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text(f"Our question: {QUESTION}")
    check_accessibility(page)
    page.get_by_label("Anything we should know (optional)").fill(
        "£50 of wages was paid on 30 June and left the bank on 1 July."
    )
    page.get_by_role("button", name="Send the return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your return has been sent")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, Role.FINANCE_OFFICER)
    nav(page, "Returns to review").click()
    page.get_by_role("link", name=reference).first.click()
    record = page.locator(".app-record")
    expect(record).to_contain_text(QUESTION)
    expect(record).to_contain_text("left the bank on 1 July")
    check_accessibility(page)
    page.get_by_role("button", name="Accept the return").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("say what you checked")
    check_accessibility(page)
    page.get_by_label("What did you check?").fill("Statement for July shows the £50 wages.")
    page.get_by_role("button", name="Accept the return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been accepted")
    expect(record).to_contain_text("Statement for July shows the £50 wages.")
    check_accessibility(page)
