"""The periods job: on a payment period's first day every agreement paid on invoice gets its
period with the plan, before any invoice, so that hours planned in a period no invoice ever
covers reach the year-end report instead of being lost without anyone knowing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from dp_portal.core.audit import AuditEvent
from dp_portal.extensions import db
from dp_portal.isf import invoice_services, sealing
from dp_portal.isf.delivery_models import IsfPeriod
from dp_portal.isf.invoice_services import InvoiceProblems
from dp_portal.isf.period_jobs import open_periods

from ..conftest import sign_in_as
from ..payments.test_run_controls import SCHEDULE
from .helpers import agreement, funded_account, in_force, living_wage, provider
from .invoice_helpers import PERIOD, invoiced, send

A_DAY_IN_THE_PERIOD = date(2026, 4, 20)


@pytest.fixture
def rates(app_ctx, db_session):
    living_wage(db_session)


def _periods() -> list[tuple]:
    return db.session.execute(
        select(
            IsfPeriod.agreement_id,
            IsfPeriod.account_id,
            IsfPeriod.period_start,
            IsfPeriod.period_end,
            IsfPeriod.planned_hours_hundredths,
            IsfPeriod.status,
        ).order_by(IsfPeriod.id)
    ).all()


def test_each_agreement_paid_on_invoice_gets_its_period_with_the_plan_once(factory, rates):
    # 10 hours a week for the four weeks from 6 April: 40 planned. An agreement paid on the
    # schedule has no invoices to reconcile, so no period.
    _org, account, row, _staff, _officer = invoiced(factory)
    in_force(factory, payment_basis="scheduled")
    assert open_periods(A_DAY_IN_THE_PERIOD, SCHEDULE) == 1
    assert _periods() == [(row.id, account.id, *PERIOD, 4000, "open")]
    assert open_periods(PERIOD[1], SCHEDULE) == 0  # the period's last day: nothing new
    (event,) = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "isf.periods_opened")
    ).scalars()
    assert event.summary == (
        "1 ISF period opened for 06 April 2026 to 03 May 2026, with the hours planned"
    )


def test_an_agreement_not_yet_in_force_on_the_periods_first_day_waits(factory, rates):
    invoiced(factory, starts_on=date(2026, 4, 10))
    assert open_periods(A_DAY_IN_THE_PERIOD, SCHEDULE) == 0
    assert _periods() == []


def test_an_agreement_confirmed_part_way_through_gets_its_period_the_next_morning(factory, rates):
    from dp_portal.isf.agreements import VersionStatus, move_version

    org = provider(factory)
    account, budget, line = funded_account(factory, org)
    row, version = agreement(factory, account, org, budget, line, payment_basis="invoice")
    assert open_periods(PERIOD[0], SCHEDULE) == 0  # waiting for the parties' confirmations
    move_version(version, VersionStatus.ACTIVE)
    factory.session.flush()
    assert open_periods(A_DAY_IN_THE_PERIOD, SCHEDULE) == 1
    assert _periods() == [(row.id, account.id, *PERIOD, 4000, "open")]


def test_the_next_periods_plan_is_pro_rata_from_the_same_hours(factory, rates):
    invoiced(factory)
    assert open_periods(date(2026, 5, 4), SCHEDULE) == 1
    assert [(start, planned) for _, _, start, _, planned, _ in _periods()] == [
        (date(2026, 5, 4), 4000)
    ]


def test_the_invoice_lands_on_the_period_the_job_opened(factory, rates):
    org, account, _row, staff, _officer = invoiced(factory)
    open_periods(A_DAY_IN_THE_PERIOD, SCHEDULE)
    (opened,) = db.session.execute(select(IsfPeriod.id)).scalars()
    invoice = send(org, staff, [(account.reference, "day", 12)])
    assert [line.period_id for line in invoice.lines] == [opened]
    assert db.session.execute(select(func.count(IsfPeriod.id))).scalar_one() == 1


def test_hours_invoiced_twice_in_an_opened_period_are_refused(factory, rates):
    org, account, _row, staff, _officer = invoiced(factory)
    open_periods(A_DAY_IN_THE_PERIOD, SCHEDULE)
    send(org, staff, [(account.reference, "day", 12)])
    with pytest.raises(InvoiceProblems, match="already has day hours invoiced"):
        send(org, staff, [(account.reference, "day", 3)], reference="INV-2")


def test_a_period_an_invoice_made_first_is_left_as_it_was(factory, rates):
    org, account, _row, staff, _officer = invoiced(factory)
    send(org, staff, [(account.reference, "day", 12)])
    before = _periods()
    assert open_periods(A_DAY_IN_THE_PERIOD, SCHEDULE) == 0
    assert _periods() == before


def test_hours_planned_in_a_period_no_invoice_sealed_are_reported_at_the_year_end(factory, rates):
    org, account, _row, staff, officer = invoiced(factory)
    open_periods(A_DAY_IN_THE_PERIOD, SCHEDULE)
    report = sealing.year_end(date(2026, 4, 1))
    assert [(r.reference, r.left_in_bank, r.over_limit, r.not_sealed) for r in report] == [
        (account.reference, 0, 0, 4000)
    ]
    # Sealed by an approved invoice of 12 hours: 20 banked (the limit), 8 over it, none
    # planned in a period left unsealed.
    invoice = send(org, staff, [(account.reference, "day", 12)])
    invoice_services.approve_invoice(invoice, actor=officer)
    report = sealing.year_end(date(2026, 4, 1))
    assert [(r.left_in_bank, r.over_limit, r.not_sealed) for r in report] == [(2000, 800, 0)]


def test_the_year_end_page_and_spreadsheet_show_hours_in_periods_not_sealed(
    client, factory, db_session
):
    living_wage(db_session)
    with client.application.app_context():
        _org, account, _row, _staff, officer = invoiced(factory)
        open_periods(A_DAY_IN_THE_PERIOD, SCHEDULE)
        db.session.commit()  # the savepoint the request's session reads
    sign_in_as(client, officer)
    page = client.get("/isf/year-end?year=2026-04-01").get_data(as_text=True)
    assert "Planned, period not sealed" in page
    row = page[page.index(account.reference) :]
    assert row.index(">40<") < row.index("</tr>")
    sheet = client.get("/isf/year-end.xlsx?year=2026-04-01")
    values = list(load_workbook(io.BytesIO(sheet.data))["Unused hours"].values)
    assert values[0][-1] == "Planned, period not sealed"
    assert (values[1][0], values[1][-1]) == (account.reference, "40")


def test_the_command_opens_the_periods_of_the_day_asked_for(app, factory, db_session):
    living_wage(db_session)
    with app.app_context():
        invoiced(factory)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["dp", "isf-periods", "--as-of", "2026-04-20"])
    assert result.exit_code == 0, result.output
    assert "Issued 1 ISF periods for 2026-04-20" in result.output
    with app.app_context():
        assert db.session.execute(select(func.count(IsfPeriod.id))).scalar_one() == 1
