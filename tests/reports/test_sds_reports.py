"""The SDS reports against figures worked out by hand on a small fixed council (each expected
number is written out, with its arithmetic beside it), the quarterly return's rows, and the
pages and downloads officers open."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent
from dp_portal.extensions import db
from dp_portal.monitoring.models import MonitoringReturn, ReminderTally
from dp_portal.monitoring.spend_totals import rebuild_spend_totals
from dp_portal.payments.ledger_models import Payment, Recovery
from dp_portal.payments.models import Budget, BudgetLine
from dp_portal.payments.rate_models import RateRow
from dp_portal.reports import sds_return, sds_services

from ..conftest import sign_in_as

TODAY = date(2026, 11, 15)  # in 2026/27 Q3 (October to December 2026)


def _pay(db_session, account, day, pence, index, kind="regular", corrects=None):
    payment = Payment(
        account_id=account.id,
        period_index=index,
        period_start=day,
        period_end=day,
        payee_type="person",
        kind=kind,
        amount_pence=pence,
        pay_date=day,
        breakdown_json="{}",
        corrects_payment_id=corrects,
    )
    db_session.add(payment)
    db_session.flush()
    return payment


def _budget(
    db_session, account, since, weekly, officer, leader, status="approved", pa=False, version=None
):
    budget = Budget(
        account_id=account.id,
        version=version or since.toordinal(),
        effective_from=since,
        status=status,
        weekly_at_proposal_pence=weekly,
        proposed_by_id=officer.id,
        decided_by_id=leader.id if status == "approved" else None,
    )
    db_session.add(budget)
    db_session.flush()
    line = {"kind": "fixed_weekly", "description": "Support", "amount_pence": weekly}
    if pa:
        line = {"kind": "pa_hours", "description": "PA", "hours_hundredths": 1000}
    db_session.add(BudgetLine(budget_id=budget.id, **line))


@pytest.fixture
def council(app, factory, db_session):
    """A: option 1 in North from 6 April 2026. B: option 2 in North, 1 May 2025 to 30 June
    2026. C: option 4, no locality, from 1 October 2026. D: options 1 and 2 (two accounts) in
    South from 1 July 2026."""
    officer, leader = factory.user(Role.FINANCE_OFFICER), factory.user(Role.TEAM_LEADER)
    a = factory.account(sds_option=1, locality="North", start_date=date(2026, 4, 6))
    b = factory.account(
        sds_option=2, locality="North", start_date=date(2025, 5, 1), end_date=date(2026, 6, 30)
    )
    c = factory.account(sds_option=4, locality=None, start_date=date(2026, 10, 1))
    d_person = factory.person()
    d1 = factory.account(d_person, sds_option=1, locality="South", start_date=date(2026, 7, 1))
    d2 = factory.account(d_person, sds_option=2, locality="South", start_date=date(2026, 7, 1))
    _pay(db_session, a, date(2026, 4, 2), 50000, 0)
    _pay(db_session, a, date(2026, 7, 30), 50000, 1)
    october = _pay(db_session, a, date(2026, 10, 22), 50000, 2)
    _pay(db_session, a, date(2026, 10, 25), -5000, 2, kind="adjustment", corrects=october.id)
    _pay(db_session, b, date(2025, 6, 15), 30000, -10)
    _pay(db_session, d1, date(2026, 10, 1), 20000, 2)
    _pay(db_session, c, date(2026, 10, 1), 40000, 2)
    _budget(db_session, a, date(2026, 4, 6), 14000, officer, leader, pa=True)
    _budget(db_session, a, date(2026, 5, 1), 99999, officer, leader, status="proposed")
    _budget(db_session, a, date(2027, 1, 1), 20000, officer, leader)  # approved for later
    _budget(db_session, d1, date(2026, 7, 1), 7000, officer, leader)
    for status in ("accepted", "submitted"):
        db_session.add(
            MonitoringReturn(
                account_id=a.id,
                period_start=date(2026, 4, 6),
                period_end=date(2026, 6, 30),
                due_date=date(2026, 7, 28),
                version=1 if status == "accepted" else 2,
                status=status,
                spend_pa_wages_pence=100000,
                spend_hmrc_pence=23456,
            )
        )
    for when, amount, recovered, method, status in (
        (datetime(2026, 10, 10, 12, tzinfo=UTC), 10000, 4000, "offset", "open"),
        (datetime(2026, 8, 1, 9, tzinfo=UTC), 5000, 5000, "invoice", "recovered"),
        # 23:30 UTC on 30 September is 00:30 on 1 October in the UK: the third quarter.
        (datetime(2026, 9, 30, 23, 30, tzinfo=UTC), 2000, 0, "offset", "cancelled"),
    ):
        db_session.add(
            Recovery(
                account_id=a.id,
                amount_pence=amount,
                recovered_pence=recovered,
                method=method,
                status=status,
                reason="r",
                source="s",
                created_by_id=officer.id,
                created_at=when,
            )
        )
    for due, dated, issued, stage, count in (
        (date(2026, 10, 28), date(2026, 11, 4), date(2026, 11, 4), "first", 5),
        (date(2026, 10, 28), date(2026, 11, 4), date(2026, 11, 5), "first", 2),
        (date(2026, 10, 28), date(2026, 11, 18), date(2026, 11, 19), "second", 9),
        (date(2026, 7, 28), date(2026, 8, 4), date(2026, 8, 4), "first", 3),
    ):
        db_session.add(
            ReminderTally(
                stage=stage, due_date=due, stage_date=dated, issued_on=issued, reminders=count
            )
        )
    for since, pence in ((date(2025, 4, 1), 1260), (date(2026, 4, 1), 1300)):
        db_session.add(
            RateRow(kind="living_wage", effective_from=since, value=pence, source_note="t")
        )
    db_session.flush()
    with app.app_context():
        rebuild_spend_totals(TODAY)  # as each morning's job does
        db.session.commit()
    return {"a": a, "b": b, "c": c, "d1": d1, "d2": d2}


def _report(name):
    return sds_services.report(name, TODAY, sds_services.quarter_from("2026Q3", TODAY))


def test_people_and_spend_by_option_quarter_and_locality(app_ctx, council):
    found = _report("options")
    trend = found.data["trend"]
    labels = [q.label for q in trend.quarters]
    assert labels == [
        "2024/25 Q4",
        "2025/26 Q1",
        "2025/26 Q2",
        "2025/26 Q3",
        "2025/26 Q4",
        "2026/27 Q1",
        "2026/27 Q2",
        "2026/27 Q3",
    ]
    # Option 1: A from 6 April 2026 (2026/27 Q1 on); D from 1 July 2026 (Q2 on).
    assert trend.people[1] == [0, 0, 0, 0, 0, 1, 2, 2]
    # Option 2: B from 1 May 2025 to 30 June 2026 (2025/26 Q1 to 2026/27 Q1); D from Q2.
    assert trend.people[2] == [0, 1, 1, 1, 1, 1, 1, 1]
    assert trend.people[4] == [0, 0, 0, 0, 0, 0, 0, 1]  # C from 1 October 2026
    zero = D("0.00")
    # Option 1: 500.00 on 2 April; 500.00 on 30 July; Q3: 500.00 - 50.00 (the correction)
    # + 200.00 (D) = 650.00.
    assert trend.spend[1] == [zero] * 5 + [D("500.00"), D("500.00"), D("650.00")]
    assert trend.spend[2] == [zero, D("300.00")] + [zero] * 6  # B, 15 June 2025
    assert trend.spend[4] == [zero] * 7 + [D("400.00")]
    places = {row.locality: row for row in found.data["localities"]}
    assert list(places) == ["North", "Not recorded", "South"]  # B ended before Q3
    assert places["North"].people == {1: 1, 2: 0, 4: 0}
    assert places["North"].total_spend == D("450.00")  # 500.00 - 50.00
    assert places["South"].people == {1: 1, 2: 1, 4: 0}  # D, once under each option
    assert places["South"].total_spend == D("200.00")
    assert places["Not recorded"].spend[4] == D("400.00")


def test_spend_against_budget_by_financial_year(app_ctx, council):
    years = _report("budget").data["years"]
    assert [y.label for y in years] == ["2026/27", "2025/26", "2024/25"]
    this = years[0]
    # In force on 15 November 2026: A 140.00 and D 70.00 a week (A's proposal and its
    # version from 1 January 2027 do not count): 210.00 x 52 = 10,920.00.
    assert this.budget == D("10920.00")
    # Paid: 500 + 500 + 500 - 50 + 200 + 400 = 2,050.00; 2,050 / 10,920 = 18.77% -> 18.8.
    assert this.paid == D("2050.00") and this.paid_share == D("18.8")
    assert this.reported == D("1234.56")  # the accepted return: 1,000.00 + 234.56
    last = years[1]
    assert (last.budget, last.paid, last.paid_share) == (D("0.00"), D("300.00"), None)


def test_recoveries_raised_and_recovered_by_quarter(app_ctx, council):
    rows = {r.quarter.label: r for r in _report("recoveries").data["rows"]}
    q2 = rows["2026/27 Q2"]
    assert (q2.raised, q2.raised_amount, q2.recovered_amount, q2.outstanding) == (
        1,
        D("50.00"),
        D("50.00"),
        D("0.00"),
    )
    q3 = rows["2026/27 Q3"]
    # 100.00 (40.00 recovered, 60.00 still owed) and 20.00 cancelled: 120.00 raised.
    assert (q3.raised, q3.raised_amount, q3.recovered_amount, q3.outstanding) == (
        2,
        D("120.00"),
        D("40.00"),
        D("60.00"),
    )
    assert q3.methods == (2, 0, 1)  # both by deduction; one cancelled


def test_reminders_on_time_by_quarter(app_ctx, council):
    rows = {r.quarter.label: r for r in _report("reminders").data["rows"]}
    # Due 28 October: 5 on time and 2 late (the second stage does not count): 5 / 7 = 71.4%.
    assert (rows["2026/27 Q3"].issued, rows["2026/27 Q3"].late) == (7, 2)
    assert rows["2026/27 Q3"].on_time_share == D("71.4")
    assert rows["2026/27 Q2"].on_time_share == D("100.0")
    assert rows["2026/27 Q1"].on_time_share is None


def test_living_wage_compliance(app_ctx, council):
    found = _report("living-wage")
    rows = {r.quarter.label: r for r in found.data["rows"]}
    assert rows["2024/25 Q4"].compliant is None  # no funded rate before April 2025
    assert (rows["2025/26 Q2"].funded, rows["2025/26 Q2"].minimum) == (D("12.60"), D("12.60"))
    assert rows["2025/26 Q2"].compliant is True
    assert (rows["2026/27 Q3"].funded, rows["2026/27 Q3"].minimum) == (D("13.00"), D("13.45"))
    assert rows["2026/27 Q3"].compliant is False
    assert found.data["employers"] == 1  # A's budget pays for PA hours


def test_the_quarterly_return_lists_each_account_open_in_the_quarter(app, council, factory):
    with app.test_request_context():
        data, name = sds_return.quarterly_return(
            sds_services.quarter_from("2026Q3", TODAY),
            council="Test Council",
            sending_location="S12",
            today=TODAY,
            actor=factory.user(Role.FINANCE_OFFICER),
        )
    assert name == "sds-quarterly-return-2026Q3.xlsx"
    book = load_workbook(io.BytesIO(data))
    rows = list(book["SDS"].iter_rows(values_only=True))
    assert rows[0][:4] == ("sending_location", "social_care_id", "period", "sds_option_1")
    flags = sorted(row[3:7] for row in rows[1:])
    # A and D's first account (option 1), D's second (option 2), C (option 4): B had ended.
    assert flags == [(0, 1, 0, 0), (1, 0, 0, 0), (1, 0, 0, 0), (1, 1, 0, 1)]
    assert {row[0] for row in rows[1:]} == {"S12"} and {row[2] for row in rows[1:]} == {"2026Q3"}
    summary = list(book["Summary"].iter_rows(values_only=True))
    assert summary[-1][0] == "All options" and summary[-1][1] == 4
    assert D(str(summary[-1][2])) == D("1050")  # 650.00 + 0.00 + 400.00


@pytest.mark.parametrize("name", list(sds_services.REPORTS))
def test_each_report_page_and_download_for_a_team_leader(client, factory, council, name):
    sign_in_as(client, factory.user(Role.TEAM_LEADER))
    page = client.get(f"/reports/sds/{name}?quarter=2026Q2")
    assert page.status_code == 200 and "2026/27 Q2" in page.get_data(as_text=True)
    sheet = client.get(f"/reports/sds/{name}.xlsx?quarter=2026Q2")
    assert sheet.status_code == 200
    assert load_workbook(io.BytesIO(sheet.data)).sheetnames


def test_a_quarter_that_cannot_be_read_is_named(client, factory, db_session):
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    page = client.get("/reports/sds/options?quarter=last+spring").get_data(as_text=True)
    assert "There is a problem" in page and "written like 2026Q3" in page
    assert client.get("/reports/sds/nonsense").status_code == 404


def test_the_return_download_is_audited(client, factory, db_session):
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    assert client.get("/reports/sds-return.xlsx?quarter=2026Q3").status_code == 200
    actions = db_session.query(AuditEvent.action).all()
    assert ("download.sds_return",) in actions
