"""Issue 13's "done means", in one journey: an organisation's administrator invites a member
of staff and asks for a pooled client account, which a council finance officer approves; a
mandate is recorded with the person's own on-screen consent; the next payment run pays the
pooled account with the person's reference; staff import September's pooled statement (CSV,
then OFX), fix one line's category and post the lines to the sub-ledgers; the month is
reconciled to the penny with the one difference listed from the statement and explained, and
a second member of staff signs it off; a return built from the sub-ledger is sent and a
finance officer accepts it; a recipient imports their own statement and sends a return from
it (third_party_recipient_steps.py). axe-core checks every page. (The demo's money management
service, with a reconciled month and an open one, is checked in tests/client_money.)"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dp_portal.auth.models import Role, User
from dp_portal.client_money.services import post_committed_run
from dp_portal.extensions import db
from dp_portal.monitoring.models import TierChange
from dp_portal.payments import services
from dp_portal.payments.budgets import LineKind, LineSpec
from dp_portal.payments.ledger_models import Payment
from dp_portal.payments.run_models import PaymentRun

from ..factories import Factory
from .conftest import check_accessibility, nav, sign_in
from .third_party_recipient_steps import a_recipient_fills_a_return_from_their_bank_statement

ORG = "Browser Money Management"
ADMIN = "orgadmin@browser.example"
CHECKER = "orgchecker@browser.example"
PERSON = "managed-person@browser.example"


@pytest.fixture
def managed_world(live_app):
    """An organisation with its administrator, and a person (with their own login and an
    approved budget) whose money it will manage."""
    with live_app.app_context():
        factory = Factory(db.session)
        org = factory.organisation(
            name=ORG,
            kind="money_management",
            address_line_1="5 Ledger Lane",
            town="Glenarden",
            postcode="EH1 1YZ",
        )
        factory.user(
            Role.BROKERAGE_STAFF, email=ADMIN, organisation_id=org.id, is_organisation_admin=True
        )
        factory.user(Role.BROKERAGE_STAFF, email=CHECKER, organisation_id=org.id)
        account = factory.account(
            payee_name="P MANAGED", sort_code="089999", account_number="66374958"
        )
        factory.access(factory.user(Role.RECIPIENT, email=PERSON), account, capacity="person")
        officer, leader = (
            db.session.execute(
                select(User).where(User.email == f"{role.value}@browser.example")
            ).scalar_one()
            for role in (Role.FINANCE_OFFICER, Role.TEAM_LEADER)
        )
        budget = services.propose_budget(
            account,
            effective_from=account.start_date,
            lines=[LineSpec(LineKind.PA_HOURS, "Personal assistant support", hours=Decimal("10"))],
            weekly_contribution=Decimal("0"),
            contribution_basis="net",
            reason="Assessment",
            actor=officer,
        )
        services.decide_budget(budget, approve=True, note="", actor=leader, ceiling=Decimal("1500"))
        db.session.add(
            TierChange(
                account_id=account.id,
                tier="monthly",
                effective_from=date(2026, 9, 1),
                reason="Managed account: monthly returns",
                decided_by_id=officer.id,
            )
        )
        db.session.commit()
        return {"account_id": account.id, "reference": account.reference, "officer": officer.id}


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def _administrator_invites_and_asks_for_a_pooled_account(page) -> None:
    sign_in(page, Role.BROKERAGE_STAFF, email=ADMIN)
    nav(page, "Your organisation").click()
    expect(page.locator("h1")).to_have_text(ORG)
    check_accessibility(page)
    page.get_by_role("link", name="Invite a member of staff").click()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the person's full name")
    check_accessibility(page)
    page.get_by_label("Full name").fill("Nina Newstaff")
    page.get_by_label("Email address").fill("nina.newstaff@browser.example")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("main")).to_contain_text("Nina Newstaff")
    check_accessibility(page)
    page.get_by_role("link", name="Change the pooled client account").click()
    check_accessibility(page)
    page.get_by_label("Name on the account").fill("bmm client ac")
    page.get_by_label("Sort code").fill("30-96-34")
    page.get_by_label("Account number", exact=True).fill("00733445")
    page.get_by_label("Account number again").fill("00733445")
    page.get_by_label("Why are the details changing?").fill("Our client account")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("waiting for the council")
    check_accessibility(page)
    page.get_by_role("link", name="Activity log: who did what").click()
    expect(page.locator("main")).to_contain_text("Nina Newstaff invited")
    check_accessibility(page)
    _sign_out(page)


def _finance_officer_approves_the_pooled_account(page) -> None:
    sign_in(page, Role.FINANCE_OFFICER)
    nav(page, "Organisations").click()
    check_accessibility(page)
    page.get_by_role("link", name="Pooled client accounts to approve").click()
    check_accessibility(page)
    page.get_by_role("link", name=ORG).click()
    expect(page.locator("table")).to_contain_text("****3445")
    check_accessibility(page)
    page.get_by_label("Yes, approve").check()
    page.get_by_label("What did you check?").fill("Bank letter seen; called the office")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Approved")
    check_accessibility(page)


def _finance_officer_records_a_mandate(page, world) -> None:
    page.goto(f"/accounts/{world['account_id']}")
    page.get_by_role("link", name="Add a mandate for an organisation").click()
    check_accessibility(page)
    page.get_by_label("Organisation", exact=True).select_option(label=ORG)
    page.get_by_label("Manage the money").check()
    page.locator("#starts_on-day").fill("1")
    page.locator("#starts_on-month").fill("1")
    page.locator("#starts_on-year").fill("2026")
    page.get_by_label(re.compile("The person will confirm it on screen")).check()
    page.get_by_role("button", name="Add mandate").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("waiting for the person")
    expect(page.locator("main")).to_contain_text("Waiting for the person to confirm")
    check_accessibility(page)
    _sign_out(page)


def _person_confirms(page, world) -> None:
    sign_in(page, Role.RECIPIENT, email=PERSON)
    page.goto(f"/accounts/{world['account_id']}")
    page.get_by_role("link", name=re.compile("Confirm or read more")).click()
    expect(page.locator("h1")).to_contain_text(ORG)
    check_accessibility(page)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Tick the box")
    check_accessibility(page)
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("may now act for you")
    expect(page.locator("main")).to_contain_text("In force")
    check_accessibility(page)
    _sign_out(page)


def _the_next_run_pays_the_pooled_account(page, world) -> None:
    sign_in(page, Role.FINANCE_OFFICER)
    nav(page, "Payment runs").click()
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Build the run").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The run has been built")
    row = page.locator("tr", has=page.get_by_role("link", name=world["reference"])).last
    expect(row).to_contain_text("BMM CLIENT AC")
    expect(row).to_contain_text("30-96-34, ****3445")
    expect(row).to_contain_text(f"Reference {world['reference']}")
    check_accessibility(page)
    # Leave nothing half done for other journeys: the run is cancelled.
    page.get_by_role("button", name="Cancel this run").click()
    page.get_by_role("button", name=re.compile("Cancel")).last.click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    _sign_out(page)


def _septembers_council_payment(app, world) -> None:
    """September's council payment of £600.00, committed into the pooled account (its own
    run, far from the periods other journeys pay), posted to the sub-ledger as a commit does."""
    with app.app_context():
        run = PaymentRun(
            period_index=9013,
            period_start=date(2026, 9, 1),
            period_end=date(2026, 9, 28),
            pay_date=date(2026, 9, 1),
            status="committed",
            built_by_id=world["officer"],
        )
        db.session.add(run)
        db.session.flush()
        db.session.add(
            Payment(
                run_id=run.id,
                account_id=world["account_id"],
                period_index=9013,
                period_start=date(2026, 9, 1),
                period_end=date(2026, 9, 1) + timedelta(days=27),
                payee_type="organisation",
                amount_pence=60000,
                pay_date=date(2026, 9, 1),
                breakdown_json='{"segments": [], "offsets": []}',
            )
        )
        db.session.flush()
        post_committed_run(run.id)
        db.session.commit()


OFX = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
<DTSERVER>20261001120000[0:GMT]</DTSERVER><LANGUAGE>ENG</LANGUAGE></SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY>
</STATUS><STMTRS><CURDEF>GBP</CURDEF><BANKACCTFROM><BANKID>309634</BANKID>
<ACCTID>00733445</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>
<BANKTRANLIST><DTSTART>20260916</DTSTART><DTEND>20260930</DTEND>
<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20260920</DTPOSTED><TRNAMT>-350.00</TRNAMT>
<FITID>S1</FITID><NAME>J BLOGGS CARE</NAME><MEMO>{ref}</MEMO></STMTTRN>
<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20260930</DTPOSTED><TRNAMT>3.17</TRNAMT>
<FITID>S2</FITID><NAME>GROSS INTEREST</NAME></STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>353.17</BALAMT><DTASOF>20260930</DTASOF></LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""


def _staff_import_septembers_statement(page, world, tmp_path) -> None:
    ref = world["reference"]
    first_half = tmp_path / "pooled-1-15-sep.csv"
    first_half.write_text(
        "Date,Description,Amount\r\n"
        f"01/09/2026,GLENARDEN COUNCIL DP {ref},600.00\r\n"
        f"05/09/2026,{ref} CONTRIBUTION,100.00\r\n"
    )
    second_half = tmp_path / "pooled-16-30-sep.qfx"
    second_half.write_text(OFX.format(ref=ref))
    sign_in(page, Role.BROKERAGE_STAFF, email=ADMIN)
    page.goto("/money")
    page.get_by_role("link", name="Import the pooled account's bank statement").click()
    check_accessibility(page)
    page.get_by_role("button", name="Import the statement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the statement file")
    check_accessibility(page)
    page.get_by_label("Choose the statement file").set_input_files(str(first_half))
    page.get_by_role("button", name="Import the statement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 lines imported")
    # The council's payment is matched: it reached the sub-ledger when the run committed.
    expect(page.locator("tr", has_text="GLENARDEN COUNCIL")).to_contain_text("Posted")
    expect(page.locator("main")).to_contain_text(f"The description shows {ref}")
    check_accessibility(page)
    page.get_by_role("button", name="Save and post to the sub-ledgers").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 lines posted")

    page.goto("/money/statements")
    page.get_by_label("Choose the statement file").set_input_files(str(second_half))
    page.get_by_role("button", name="Import the statement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 lines imported")
    expect(page.locator("main")).to_contain_text(f"The description shows {ref}")
    check_accessibility(page)
    # The wages were classified as an invoice ("CARE"): staff put that right.
    page.get_by_label("Category for row 1").select_option(label="Personal assistant wages")
    page.get_by_role("button", name="Save and post to the sub-ledgers").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 lines posted")
    expect(page.locator("main")).to_contain_text("Posted")
    check_accessibility(page)
    page.goto(f"/accounts/{world['account_id']}/client-money")
    expect(page.locator("main")).to_contain_text("£350.00")
    check_accessibility(page)


def _september_reconciled_and_signed_off(page) -> None:
    page.goto("/money/reconciliations")
    page.get_by_label("Month").select_option(label="September 2026")
    page.get_by_role("button", name="Start reconciling this month").click()
    expect(page.locator("main")).to_contain_text("GROSS INTEREST")  # listed from the statement
    page.get_by_label("Closing balance on the bank statement").fill("353.17")
    page.get_by_role("button", name="Save the closing balance").click()
    expect(page.locator("main")).to_contain_text("Left to explain")
    check_accessibility(page)
    page.get_by_label("Why it differs").first.fill("Bank interest: shared out in October")
    page.get_by_role("button", name="Save the explanation").first.click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("explanation")
    page.get_by_role("button", name="Send for sign-off").click()
    expect(page.locator("main")).to_contain_text("another member of staff must sign it off")
    check_accessibility(page)
    month_url = page.url
    _sign_out(page)
    sign_in(page, Role.BROKERAGE_STAFF, email=CHECKER)
    page.goto(month_url)
    page.get_by_role("button", name="Sign off September 2026").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("signed off and sealed")
    check_accessibility(page)


def _a_return_from_the_sub_ledger_accepted(page, world) -> None:
    page.goto(f"/accounts/{world['account_id']}/client-money/returns/2026-09-01")
    expect(page.locator("main")).to_contain_text("Every month in this period was reconciled")
    check_accessibility(page)
    page.get_by_role("button", name="Send this return for review").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("built from the sub-ledger")
    return_url = page.url
    _sign_out(page)
    sign_in(page, Role.FINANCE_OFFICER)
    page.goto(return_url)
    expect(page.locator("main")).to_contain_text(re.compile(f"Built by {ORG} from the 3 lines"))
    check_accessibility(page)
    page.get_by_label("What did you check?").fill("The reconciled sub-ledger and its statement")
    page.get_by_role("button", name="Accept the return").click()
    expect(page.locator("main")).to_contain_text("Accepted")
    check_accessibility(page)
    _sign_out(page)


def test_issue_13_done_means_from_an_organisation_to_accepted_returns(
    page, managed_world, live_app, tmp_path
):
    _administrator_invites_and_asks_for_a_pooled_account(page)
    _finance_officer_approves_the_pooled_account(page)
    _finance_officer_records_a_mandate(page, managed_world)
    _person_confirms(page, managed_world)
    _the_next_run_pays_the_pooled_account(page, managed_world)
    _septembers_council_payment(live_app, managed_world)
    _staff_import_septembers_statement(page, managed_world, tmp_path)
    _september_reconciled_and_signed_off(page)
    _a_return_from_the_sub_ledger_accepted(page, managed_world)
    a_recipient_fills_a_return_from_their_bank_statement(page, live_app, tmp_path)
