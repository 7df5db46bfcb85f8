"""Charter Mark reports for staff: applications and awards by financial-year quarter, the
criteria most often not met or needing more (counted over every review round), and employers
whose budgets pay PAs below the minimum; the same as a spreadsheet, each download audited."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent
from dp_portal.core.types import local_today
from dp_portal.employers.charter_reports import quarter_label
from dp_portal.extensions import db

from ..conftest import sign_in_as
from .test_employers_charter import _answer_all, _application, _apply, _keys, _review


@pytest.fixture
def reviewed(client, db_session, factory):
    """Two holder applications: one asked about PVG then awarded, one declined on pay."""
    officer = factory.user(Role.FINANCE_OFFICER)
    for rounds in (
        [({"pvg": ("more_info", "Which PAs?")}, "more_info"), ({}, "award")],
        [({"minimum_pay": ("unmet", "Below the minimum"), "pvg": ("unmet", "None")}, "decline")],
    ):
        recipient, account = factory.user(Role.RECIPIENT), factory.account()
        factory.access(recipient, account)
        sign_in_as(client, recipient)
        _apply(client, account, "holder")
        _answer_all(client, db_session, _application(db_session, account))
        for findings, decision in rounds:
            sign_in_as(client, officer)
            _review(
                client, _application(db_session, account), findings, decision, _keys(db_session)
            )
            if decision == "more_info":
                sign_in_as(client, recipient)
                client.post(
                    f"/employers/charter/applications/{_application(db_session, account).id}"
                    "/answers",
                    data={"answer_pvg": "Both", "send": "y"},
                )
    return officer


def test_the_reports_count_by_quarter_and_by_criterion(client, db_session, factory, reviewed):
    sign_in_as(client, factory.user(Role.TEAM_LEADER))
    page = client.get("/employers/charter/reports").get_data(True)
    assert quarter_label(local_today()) in page
    sign_in_as(client, factory.user(Role.ADMIN))
    response = client.get("/employers/charter/reports.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    quarter = [c.value for c in book["By quarter"][2]]
    assert quarter[1:] == [0, 2, 0, 1, 1]  # two holder applications, one award, one declined
    criteria = {row[0]: row[1:] for row in book["Criteria"].iter_rows(min_row=2, values_only=True)}
    pvg = "Checks each PA through the PVG scheme (Disclosure Scotland)"
    assert criteria[pvg] == (1, 1, 3)  # not met once, asked about once (later met), 3 reviews
    assert next(iter(criteria)) == pvg  # the most troublesome first
    assert criteria[
        "Pays at least the Scottish minimum for adult social care, sleepovers included"
    ][:2] == (1, 0)
    awards = list(book["Awards"].iter_rows(min_row=2, values_only=True))
    assert len(awards) == 1 and awards[0][5] == "Current"
    downloads = (
        db_session.execute(select(AuditEvent).where(AuditEvent.action == "download.charter_report"))
        .scalars()
        .all()
    )
    assert len(downloads) == 1 and downloads[0].summary.startswith("Downloaded charter-mark-report")


def _rates_and_budget(app, factory, hours: str) -> int:
    from dp_portal.payments import services
    from dp_portal.payments.budgets import LineKind, LineSpec
    from dp_portal.payments.rates import RateKind

    officer, leader = factory.user(Role.FINANCE_OFFICER), factory.user(Role.TEAM_LEADER)
    account = factory.account(start_date=date(2025, 4, 1))
    with app.app_context():
        officer, leader = db.session.merge(officer), db.session.merge(leader)
        services.add_rate_row(
            RateKind.LIVING_WAGE, date(2025, 4, 1), Decimal("12.60"), "t", actor=officer
        )
        db.session.flush()
        budget = services.propose_budget(
            db.session.merge(account),
            effective_from=date(2025, 4, 1),
            lines=[LineSpec(LineKind.PA_HOURS, "PA support", hours=Decimal(hours))],
            weekly_contribution=Decimal("0"),
            contribution_basis="net",
            reason="Assessment",
            actor=officer,
        )
        services.decide_budget(budget, approve=True, note="", actor=leader, ceiling=Decimal("1500"))
        db.session.commit()  # a savepoint inside the test's transaction
    return account.id


def test_employers_whose_budgets_pay_below_the_minimum(app, client, factory):
    account_id = _rates_and_budget(app, factory, "20")
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    today = client.get("/employers/charter/reports").get_data(True)
    assert "No budget pays PAs below £12.60 an hour" in today
    planned = client.get("/employers/charter/reports", query_string={"minimum": "13.45"})
    page = planned.get_data(True)
    assert f"/employers/accounts/{account_id}/charter-mark" in page
    assert "£17.00" in page  # 20 hours x (13.45 - 12.60) a week
    bad = client.get("/employers/charter/reports", query_string={"minimum": "13.4567"})
    assert bad.status_code == 200 and "There is a problem" in bad.get_data(True)
