"""Done means, for paying providers on their invoices (issue 14, part B): the provider
uploads an invoice of delivered hours with one line over the cap, which is held and then
released by a finance officer; approving it seals the period and the next run pays it; a
correction goes through a change request and lands as an arrears line in the run after; the
person reads their ISF statement with banked hours. axe-core checks every page."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from dp_portal.auth.models import Role, User
from dp_portal.core.calendar import Cycle, PaymentSchedule
from dp_portal.extensions import db
from dp_portal.payments import run_build, run_decisions
from dp_portal.payments.ledger_models import Payment

from ..factories import PASSWORD, Factory
from ..isf.helpers import in_force, living_wage
from .conftest import check_accessibility, sign_in

STAFF = "isf-invoices@browser.example"
PERSON = "isf-invoice-person@browser.example"
RUN_OFFICERS = ("isf-runs-1@browser.example", "isf-runs-2@browser.example")
SCHEDULE = PaymentSchedule(Cycle.FOUR_WEEKLY, date(2026, 4, 6))


def _world(app) -> dict:
    """A person paid to a provider on its invoices, 40 hours planned a period; £500 a year, so
    38 hours (£855) is over what remains."""
    with app.app_context():
        factory = Factory(db.session)
        living_wage(db.session)
        org, account, _row, _version = in_force(
            factory, payment_basis="invoice", annual_budget_pence=50000
        )
        factory.user(Role.PROVIDER_STAFF, email=STAFF, organisation_id=org.id)
        factory.access(factory.user(Role.RECIPIENT, email=PERSON), account)
        # The run's builder and approver: officers no other journey has acted as, so none of
        # them is barred from approving by what they changed elsewhere.
        for email in RUN_OFFICERS:
            factory.user(Role.FINANCE_OFFICER, email=email)
        db.session.commit()
        return {"account_id": account.id, "reference": account.reference}


def _run(app, index: int, account_id: int) -> list:
    with app.app_context():
        builder, approver = (
            db.session.execute(select(User).where(User.email == email)).scalar_one()
            for email in RUN_OFFICERS
        )
        run = run_build.build_run(index, schedule=SCHEDULE, actor=builder, today=date(2026, 1, 5))
        run_decisions.approve_run(run, actor=approver)
        run_decisions.commit_run(run.id, actor=approver)
        db.session.commit()
        return [
            (p.kind, p.amount_pence)
            for p in db.session.execute(
                select(Payment).where(Payment.run_id == run.id, Payment.account_id == account_id)
            ).scalars()
        ]


def _provider_signs_in(page) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(STAFF)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/provider")


def _provider_uploads(page) -> None:
    _provider_signs_in(page)
    page.goto("/provider/invoices")
    check_accessibility(page)
    template = page.request.get("/provider/invoices/template.xlsx?start=2026-04-06")
    book = load_workbook(io.BytesIO(template.body()))
    book["Invoice"]["B2"], book["Invoice"]["D7"] = "BRW-1", 38
    out = io.BytesIO()
    book.save(out)
    page.get_by_role("link", name="upload it").click()
    check_accessibility(page)
    page.get_by_label("Upload your filled-in invoice spreadsheet").set_input_files(
        {"name": "invoice.xlsx", "mimeType": "application/octet-stream", "buffer": out.getvalue()}
    )
    page.get_by_role("button", name="Upload and send").click()
    expect(page.locator("main")).to_contain_text("remains of the budget for the year")
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()


def _officer_releases_and_approves(page) -> None:
    sign_in(page, Role.FINANCE_OFFICER)
    page.goto("/isf/finance")
    check_accessibility(page)
    page.get_by_role("link", name="Invoice BRW-1, line 1").click()
    page.get_by_label("Release it: it is paid").check()
    page.get_by_label("Why").first.fill("Extra cover agreed with the social worker")
    page.get_by_role("button", name="Record the decision").click()
    check_accessibility(page)
    page.get_by_role("button", name="Approve the invoice").click()
    expect(page.locator("main")).to_contain_text("Approved, waiting for payment")
    page.get_by_role("button", name="Sign out").click()


def _provider_asks_for_a_correction(page) -> None:
    _provider_signs_in(page)
    page.goto("/provider/invoices")
    page.get_by_role("link", name="Sealed: ask for a correction").click()
    check_accessibility(page)
    page.get_by_label("What should be corrected?").fill("Two hours left off")
    page.get_by_label("Amount to correct by (optional)").fill("45.00")
    page.get_by_label("Explain the correction").fill("Timesheet signed by the person")
    page.get_by_role("button", name="Ask for the correction").click()
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()


def _officer_agrees(page) -> None:
    sign_in(page, Role.FINANCE_OFFICER)
    page.goto("/isf/finance")
    page.get_by_role("link", name="Two hours left off").click()
    page.get_by_label("Agree it: pay it in the next run").check()
    page.get_by_label("Amount agreed").fill("45.00")
    page.get_by_label("Why").fill("Timesheet seen")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("main")).to_contain_text("Agreed")
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()


def test_an_invoice_held_released_paid_sealed_and_corrected(page, live_app):
    world = _world(live_app)
    _provider_uploads(page)
    _officer_releases_and_approves(page)
    assert _run(live_app, 1, world["account_id"]) == [("regular", 85500)]  # 38 hours at £22.50
    _provider_asks_for_a_correction(page)
    _officer_agrees(page)
    assert sorted(_run(live_app, 2, world["account_id"])) == [("arrears", 4500), ("regular", 0)]
    sign_in(page, Role.RECIPIENT, PERSON)
    page.goto(f"/accounts/{world['account_id']}/isf")
    # 40 planned, 38 delivered: 2 hours banked for later in the year.
    expect(page.locator("main")).to_contain_text("Hours banked for later in the year")
    expect(page.locator("main")).to_contain_text("2 hours (you can bank up to 20 hours)")
    check_accessibility(page)
