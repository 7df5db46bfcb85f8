"""The audit's measures: overdue returns by age, reminders per stage and day, and the real time
from due date to first reminder (a late scheduler shows up as reminders issued late)."""

import io
import re
from datetime import UTC, date, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.extensions import db
from dp_portal.monitoring.jobs import issue_due_reminders
from dp_portal.monitoring.models import MonitoringReturn

from ..conftest import sign_in_as

# April-June 2025 is due on 28 July; its first reminder, 7 days on, lands on the Scottish August
# bank holiday (4 August), so it is dated the next working day, 5 August.
START = date(2025, 4, 1)


def test_report_counts_ages_stages_and_lateness(app, client, factory, db_session):
    factory.account(start_date=START)
    with app.app_context():
        # The morning the first reminders fall due, the scheduler runs on time.
        assert issue_due_reminders(date(2025, 8, 5), now=datetime(2025, 8, 5, 5, 30, tzinfo=UTC))
        db.session.commit()
    # A back-dated account opened on 6 August: its first reminder, dated 5 August, really went
    # out with the run of 8 August.
    factory.account(start_date=START)
    db_session.flush()
    with app.app_context():
        assert issue_due_reminders(date(2025, 8, 8), now=datetime(2025, 8, 8, 6, 0, tzinfo=UTC))
        db.session.commit()
    sign_in_as(client, factory.user(Role.TEAM_LEADER))
    query = "date_from=1&date_from=7&date_from=2025&date_to=31&date_to=8&date_to=2025"
    page = client.get(f"/reports/reminders?{query}").data.decode()
    assert "Reminder report" in page
    assert "5 August 2025" in page and "4 August 2025" not in page
    assert "Median days from due date to first reminder" in page
    # Days from 28 July: 8 and 11, so the median is 9.5 and the longest 11.
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Median days from due date to first reminder 9.5" in text
    assert "Longest 11 days" in text and "Issued after the date on the timetable 1" in text

    export = client.get(f"/reports/reminders.xlsx?{query}")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.data), read_only=True)
    assert book.sheetnames == ["Overdue by age", "Reminders per day", "Due to first reminder"]
    per_day = list(book["Reminders per day"].iter_rows(values_only=True))
    assert per_day[0][0] == "Date on letter"
    assert per_day[1][0].date() == date(2025, 8, 5) and per_day[1][1] == 2  # two first reminders
    assert per_day[1][-1] == 1  # one of them issued late
    first = list(book["Due to first reminder"].iter_rows(values_only=True))[1:]
    assert sorted((row[5], row[6]) for row in first) == [(8, "No"), (11, "Yes")]
    overdue = dict(list(book["Overdue by age"].iter_rows(values_only=True))[1:])
    assert sum(overdue.values()) >= 2  # every quarter since April 2025 is still missing


def test_overdue_bands_count_each_missing_return_once(app_ctx, factory):
    from dp_portal.reports.reminders import overdue_by_age

    factory.account(start_date=START)
    bands = dict(overdue_by_age(date(2025, 11, 10)))
    # April-June due 28 July (105 days late); July-September due 28 October (13 days late).
    assert bands["1 to 30 days"] == 1
    assert bands["91 to 180 days"] == 1
    assert sum(bands.values()) == 2


def test_a_to_date_before_the_from_date_is_named(client, factory, db_session):
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    page = client.get(
        "/reports/reminders?date_from=1&date_from=9&date_from=2025&date_to=1&date_to=8&date_to=2025"
    ).data.decode()
    assert "There is a problem" in page
    assert "The to date must be the same as or after the from date" in page


def _live_bands(as_of: date) -> list[tuple[str, int]]:
    """Overdue returns by age worked out from scratch, as the report did on every view."""
    from collections import Counter

    from dp_portal.monitoring.expected import outstanding_periods
    from dp_portal.reports.reminders import AGE_BANDS

    counts: Counter[str] = Counter()
    for _, period in outstanding_periods(as_of):
        days = (as_of - period.due).days
        label = next(
            b for b, low, high in AGE_BANDS if days >= low and (high is None or days <= high)
        )
        counts[label] += 1
    return [(label, counts[label]) for label, _, _ in AGE_BANDS]


def test_the_kept_figures_follow_every_change_as_working_them_out_again_would(
    app, client, factory, db_session
):
    from dp_portal.monitoring import expected
    from dp_portal.reports.reminders import overdue_by_age

    run_day = date(2025, 11, 10)
    sends, queried, closes, tiered = (factory.account(start_date=START) for _ in range(4))
    factory.account(start_date=date(2024, 10, 1))  # left alone: owes every return since
    officers = [factory.user(Role.FINANCE_OFFICER) for _ in range(2)]
    with app.app_context():
        issue_due_reminders(run_day)
        db.session.commit()

    figures = {"opening": "0", "closing": "0", "bank_balance": "0", "send": "y"}
    sign_in_as(client, officers[0])
    for account in (sends, queried):  # April to June sent, on their behalf
        assert client.post(f"/accounts/{account.id}/returns/{START}", data=figures).status_code
    sign_in_as(client, officers[1])
    sent = db_session.execute(
        select(MonitoringReturn).where(MonitoringReturn.account_id == queried.id)
    ).scalar_one()
    client.post(f"/returns/{sent.id}", data={"message": "Please send the bank statement."})
    client.post(
        f"/accounts/{tiered.id}/monitoring-tier",
        data={"tier": "monthly", "effective_from": ["1", "7", "2025"], "reason": "Concerns"},
    )
    closes.status = "closed"  # as the accounts pages would
    factory.account(start_date=date(2025, 1, 6))  # back-dated, opened after the run
    db_session.flush()

    with app.app_context():
        assert expected.answers_for(db.session.connection(), run_day)
        for as_of in (run_day, run_day + timedelta(days=12), run_day + timedelta(days=28)):
            assert overdue_by_age(as_of) == _live_bands(as_of), as_of
        assert sum(n for _, n in overdue_by_age(run_day)) > 10  # a real test, not a blank


def test_the_tallies_give_the_figures_the_reminders_themselves_give(app, factory, db_session):
    import statistics

    from dp_portal.core.types import local_date
    from dp_portal.monitoring.models import ReminderIssue
    from dp_portal.reports.reminders import first_reminders, reminders_per_day

    for start in (START, START, date(2025, 1, 6), date(2024, 10, 1)):
        factory.account(start_date=start)
    day = date(2025, 7, 20)
    with app.app_context():
        while day <= date(2025, 10, 20):
            if day.weekday() != 0:  # on Mondays the scheduler is down: Tuesday catches up
                morning = datetime(day.year, day.month, day.day, 5, 30, tzinfo=UTC)
                issue_due_reminders(day, now=morning)
                db.session.commit()
            day += timedelta(days=1)
        per_day = reminders_per_day(date(2025, 7, 1), date(2025, 10, 31))
        first = first_reminders(date(2025, 7, 1), date(2025, 10, 31))
        everything = db.session.execute(select(ReminderIssue)).scalars().all()
    issues = [i for i in everything if date(2025, 7, 1) <= i.stage_date <= date(2025, 10, 31)]
    assert len(issues) > 10
    assert {(d.day, k, n) for d in per_day for k, n in d.by_stage.items() if n} == {
        (day, stage, sum(1 for i in issues if (i.stage_date, i.stage) == (day, stage)))
        for day, stage in {(i.stage_date, i.stage) for i in issues}
    }
    late = {i.id for i in issues if local_date(i.issued_at) > i.stage_date}
    assert late and sum(d.issued_late for d in per_day) == len(late)
    firsts = [
        i
        for i in everything
        if i.stage == "first" and date(2025, 7, 1) <= i.due_date <= date(2025, 10, 31)
    ]
    days = [(local_date(i.issued_at) - i.due_date).days for i in firsts]
    assert (first.count, first.median_days, first.longest_days) == (
        len(days),
        statistics.median(days),
        max(days),
    )
    assert first.late == len([i for i in firsts if local_date(i.issued_at) > i.stage_date])


def test_the_upgrade_tallies_the_reminders_already_issued():
    from flask_migrate import downgrade, upgrade

    from dp_portal import create_app
    from dp_portal.monitoring.models import ReminderIssue, ReminderTally

    from ..conftest import _TMP, make_config, scratch_database
    from ..factories import Factory

    url, cleanup = scratch_database("tallies")
    app = create_app(make_config(url, _TMP / "tallies-instance"))
    try:
        with app.app_context():
            upgrade()
            account_id = Factory(db.session).account(start_date=START).id
            db.session.commit()
            downgrade(revision="0011")
            issued = [  # 23:30 on 4 August in London is 22:30 UTC: still the 4th there
                ("first", datetime(2025, 8, 4, 22, 30, tzinfo=UTC)),
                ("second", datetime(2025, 8, 18, 23, 30, tzinfo=UTC)),  # the 19th in London
            ]
            for stage, moment in issued:
                db.session.execute(
                    ReminderIssue.__table__.insert().values(
                        account_id=account_id,
                        period_start=START,
                        stage=stage,
                        due_date=date(2025, 7, 28),
                        stage_date=date(2025, 8, 4) if stage == "first" else date(2025, 8, 18),
                        policy_version=0,
                        issued_at=moment,
                    )
                )
            db.session.commit()
            upgrade()
            tallies = db.session.execute(
                select(ReminderTally.stage, ReminderTally.issued_on, ReminderTally.reminders)
            ).all()
            assert sorted(tallies) == [
                ("first", date(2025, 8, 4), 1),
                ("second", date(2025, 8, 19), 1),
            ]
            db.engine.dispose()
    finally:
        cleanup()
