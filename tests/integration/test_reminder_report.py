"""The audit's measures: overdue returns by age, reminders per stage and day, and the real time
from due date to first reminder (a late scheduler shows up as reminders issued late)."""

import io
import re
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from sqlalchemy import update

from dp_portal.auth.models import Role
from dp_portal.extensions import db
from dp_portal.monitoring.jobs import issue_due_reminders
from dp_portal.monitoring.models import ReminderIssue

from ..conftest import sign_in_as

# April-June 2025 is due on 28 July; its first reminder, 7 days on, lands on the Scottish August
# bank holiday (4 August), so it is dated the next working day, 5 August.
START = date(2025, 4, 1)


def test_report_counts_ages_stages_and_lateness(app, client, factory, db_session):
    on_time = factory.account(start_date=START)
    late = factory.account(start_date=START)
    with app.app_context():
        assert issue_due_reminders(date(2025, 8, 5)) == 2
        db.session.commit()
    # The scheduler was down for the second account: its first reminder really went out on
    # 8 August, though dated 5 August.
    db_session.execute(
        update(ReminderIssue)
        .where(ReminderIssue.account_id == late.id)
        .values(issued_at=datetime(2025, 8, 8, 7, 0, tzinfo=UTC))
    )
    db_session.execute(
        update(ReminderIssue)
        .where(ReminderIssue.account_id == on_time.id)
        .values(issued_at=datetime(2025, 8, 5, 6, 30, tzinfo=UTC))
    )
    db_session.flush()
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
    from dp_portal.monitoring.reminder_report import overdue_by_age

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
