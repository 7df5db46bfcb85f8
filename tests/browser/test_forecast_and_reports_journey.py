"""Done means, for the balance forecast and the SDS reports: a recipient reads their forecast
(the chart, with its title and description, and the table); an officer opens the list of
accounts likely to run out or underspend, and an account's forecast; an officer opens each SDS
report and downloads it, and downloads the quarterly return. axe-core checks every page."""

import os

from playwright.sync_api import expect

from dp_portal.auth.models import Role
from dp_portal.core.types import local_today
from dp_portal.extensions import db
from dp_portal.monitoring.forecast_jobs import work_out_forecasts
from dp_portal.reports.sds_services import REPORTS

from .conftest import check_accessibility, sign_in

SCREENSHOTS = os.environ.get("DP_SCREENSHOTS")


def test_a_recipient_reads_their_forecast_as_a_chart_and_a_table(page, live_app):
    world = live_app.config["TEST_WORLD"]
    sign_in(page, Role.RECIPIENT)
    page.goto(f"/accounts/{world['account_id']}/forecast")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Balance forecast to 31 March")
    chart = page.get_by_role("img", name="Forecast balance to the end of the financial year")
    expect(chart).to_be_visible()
    expect(page.locator("svg desc")).to_contain_text("The table below gives every figure")
    table = page.get_by_role("table", name="The forecast, period by period")
    expect(table).to_contain_text("Balance at the end")
    expect(page.locator("main")).to_contain_text("How it was worked out")
    check_accessibility(page)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/forecast.png", full_page=True)


def test_an_officer_opens_the_watch_list_and_an_accounts_forecast(page, live_app):
    world = live_app.config["TEST_WORLD"]
    with live_app.app_context():
        work_out_forecasts(local_today())  # the morning job
        db.session.commit()
    sign_in(page, Role.FINANCE_OFFICER)
    page.goto("/forecasts")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Accounts likely to run out or underspend"
    )
    expect(page.locator("main")).to_contain_text("Last worked out on")
    check_accessibility(page)
    page.get_by_role("link", name="Likely to underspend beyond what may be kept").click()
    check_accessibility(page)
    page.goto(f"/accounts/{world['account_id']}/forecast")
    expect(page.get_by_role("table", name="The forecast, period by period")).to_be_visible()
    check_accessibility(page)


def test_an_officer_opens_each_sds_report_and_downloads_it(page, live_app):
    sign_in(page, Role.FINANCE_OFFICER)
    page.goto("/reports/sds")
    check_accessibility(page)
    for title in REPORTS.values():
        page.goto("/reports/sds")
        page.get_by_role("link", name=title).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        check_accessibility(page)
        with page.expect_download() as download:
            page.get_by_role("link", name="Download this report as a spreadsheet").click()
        assert download.value.suggested_filename.endswith(".xlsx")
    page.goto("/reports/sds/options?quarter=not-a-quarter")
    expect(page.locator(".govuk-error-summary")).to_contain_text("written like 2026Q3")
    check_accessibility(page)
    page.goto("/reports/sds")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the return").click()
    assert download.value.suggested_filename.startswith("sds-quarterly-return-")
