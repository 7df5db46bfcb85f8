"""The morning totals the SDS reports read (budget steps, people by quarter) give the figures
worked out by hand for the awkward cases: a budget from before the account opened, one
replaced, one from after it closed, two approved the same day, an account whose last day is
a new budget's first; people with two accounts, with a gap, and quarters after the last one
worked out. The figures are as of the morning's rebuild."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from dp_portal.auth.models import Role
from dp_portal.core.money import from_pence
from dp_portal.monitoring.spend_totals import rebuild_spend_totals
from dp_portal.reports import sds_figures, sds_money, sds_return, sds_services

from ..conftest import sign_in_as
from .test_sds_reports import _budget

TODAY = date(2026, 11, 15)


@pytest.fixture
def budgets(factory, db_session):
    """E: open 10 January to 31 March 2026; budgets from 1 December 2025 (100.00), 1 February
    2026 (200.00, PA hours) and 1 May 2026 (300.00, after E closed). F: open from 1 January
    2026; two approved the same day (50.00 with PA hours, 80.00 without), a proposal and a
    rejected one. G: open 1 January to 1 February 2026; 10.00 from 1 January, 500.00 from 1
    February, its last day."""
    officer, leader = factory.user(Role.FINANCE_OFFICER), factory.user(Role.TEAM_LEADER)
    e = factory.account(start_date=date(2026, 1, 10), end_date=date(2026, 3, 31))
    f = factory.account(start_date=date(2026, 1, 1))
    g = factory.account(start_date=date(2026, 1, 1), end_date=date(2026, 2, 1))
    _budget(db_session, e, date(2025, 12, 1), 10000, officer, leader)
    _budget(db_session, e, date(2026, 2, 1), 20000, officer, leader, pa=True)
    _budget(db_session, e, date(2026, 5, 1), 30000, officer, leader)
    for weekly, pa in ((5000, True), (8000, False)):
        _budget(db_session, f, date(2026, 1, 1), weekly, officer, leader, pa=pa, version=weekly)
    _budget(db_session, f, date(2026, 2, 15), 99999, officer, leader, status="proposed")
    _budget(db_session, f, date(2026, 3, 1), 77777, officer, leader, status="rejected")
    _budget(db_session, g, date(2026, 1, 1), 1000, officer, leader)
    _budget(db_session, g, date(2026, 2, 1), 50000, officer, leader)
    db_session.flush()
    rebuild_spend_totals(TODAY)


@pytest.mark.parametrize(
    ("day", "weekly", "with_pa"),
    [
        (date(2025, 12, 31), 0, 0),  # nobody open yet
        (date(2026, 1, 9), 8000 + 1000, 1),  # F (the larger of its two), G; E not open
        (date(2026, 1, 10), 10000 + 8000 + 1000, 1),  # E opens on its December budget
        (date(2026, 1, 31), 10000 + 8000 + 1000, 1),
        (date(2026, 2, 1), 20000 + 8000 + 50000, 2),  # E's and G's new budgets; G's last day
        (date(2026, 2, 2), 20000 + 8000, 2),  # G closed
        (date(2026, 3, 31), 20000 + 8000, 2),  # E's last day (F's proposal never counts)
        (date(2026, 4, 1), 8000, 1),  # E closed
        (date(2026, 5, 1), 8000, 1),  # E's May budget came after it closed
    ],
)
def test_the_budget_in_force_on_a_day(app_ctx, budgets, day, weekly, with_pa):
    this_year = sds_money.spend_against_budget(day, years=1)[0]
    assert this_year.budget == from_pence(weekly * 52)
    assert sds_money.pa_employers(day) == with_pa


@pytest.fixture
def people(factory, db_session):
    """H: option 1 in North and option 1 in South (two accounts) from 1 April 2026. J: option
    2 in North, April to June 2025 and again from 1 January 2026 (nothing in between). K:
    option 4 in South, 1 April 2026 to 31 December 2026."""
    h = factory.person()
    factory.account(h, sds_option=1, locality="North", start_date=date(2026, 4, 1))
    factory.account(h, sds_option=1, locality="South", start_date=date(2026, 4, 1))
    j = factory.person()
    factory.account(
        j, sds_option=2, locality="North", start_date=date(2025, 4, 1), end_date=date(2025, 6, 30)
    )
    factory.account(j, sds_option=2, locality="North", start_date=date(2026, 1, 1))
    factory.account(
        sds_option=4, locality="South", start_date=date(2026, 4, 1), end_date=date(2026, 12, 31)
    )
    db_session.flush()
    rebuild_spend_totals(TODAY)


def _quarter(code):
    return sds_services.quarter_from(code, TODAY)


def test_people_by_option_count_each_person_once(app_ctx, people):
    quarters = sds_figures.last_quarters(_quarter("2026Q4").period.end)
    trend = sds_figures.option_trend(quarters)
    # 2025/26 Q1 to 2026/27 Q4: J in Q1, not in Q2 and Q3 (the gap), again from Q4.
    assert trend.people[2] == [1, 0, 0, 1, 1, 1, 1, 1]
    assert trend.people[1] == [0, 0, 0, 0, 1, 1, 1, 1]  # H once, with two accounts
    assert trend.people[4] == [0, 0, 0, 0, 1, 1, 1, 0]  # K to 31 December 2026
    places = {row.locality: row.people for row in sds_figures.by_locality(_quarter("2026Q3"))}
    assert places == {"North": {1: 1, 2: 1, 4: 0}, "South": {1: 1, 2: 0, 4: 1}}


def test_quarters_after_the_last_worked_out_and_before_the_first(app_ctx, people):
    later = sds_figures.option_trend([_quarter("2031Q2")])
    assert {o: later.people[o] for o in (1, 2, 4)} == {1: [1], 2: [1], 4: [0]}  # K ended
    assert [r.locality for r in sds_figures.by_locality(_quarter("2031Q2"))] == ["North", "South"]
    earlier = sds_figures.option_trend([_quarter("2019Q1")])
    assert all(earlier.people[o] == [0] for o in (1, 2, 4))


def test_the_figures_are_as_of_the_mornings_rebuild(app_ctx, people, factory, db_session):
    factory.account(sds_option=4, locality="East", start_date=date(2026, 10, 1))
    db_session.flush()
    quarter = _quarter("2026Q3")
    assert sds_figures.option_trend([quarter]).people[4] == [1]  # not until tomorrow
    rebuild_spend_totals(TODAY)
    assert sds_figures.option_trend([quarter]).people[4] == [2]


def test_the_quarterly_returns_summary_counts_the_people_its_rows_list(
    app, app_ctx, people, factory, db_session
):
    factory.account(sds_option=4, locality="East", start_date=date(2026, 10, 1))  # since then
    with app.test_request_context():
        data, _ = sds_return.quarterly_return(
            _quarter("2026Q3"),
            council="Test Council",
            sending_location="S12",
            today=TODAY,
            actor=factory.user(Role.FINANCE_OFFICER),
        )
    book = load_workbook(io.BytesIO(data))
    rows = list(book["SDS"].iter_rows(values_only=True))[1:]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert len(rows) == 5  # H twice, J, K, and the account opened since the morning
    assert summary["Option 4"] == 2 and summary["All options"] == 4  # H once under option 1


def test_the_pages_say_which_morning_their_totals_are_from(client, app_ctx, people, factory):
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    for name in sds_services.FROM_TOTALS:
        page = client.get(f"/reports/sds/{name}").get_data(as_text=True)
        assert "worked out on the morning of 15 November 2026" in page, name
    recoveries = client.get("/reports/sds/recoveries").get_data(as_text=True)
    assert "morning of" not in recoveries  # read from the recoveries themselves
