"""Moving the clock through a whole year: every reminder is issued on its policy date, once;
a job that missed days catches up with the right dates; a sent return stops its reminders."""

from datetime import date, timedelta

from sqlalchemy import select

from dp_portal.core.calendar import Region
from dp_portal.core.calendar_models import working_calendar
from dp_portal.core.letters import Letter, render_letter
from dp_portal.extensions import db
from dp_portal.monitoring.jobs import issue_due_reminders
from dp_portal.monitoring.models import MonitoringReturn, ReminderIssue
from dp_portal.monitoring.periods import return_periods
from dp_portal.monitoring.reminders import DEFAULT_STAGES, stage_dates

START = date(2025, 4, 1)


def _expected(up_to: date, skip_periods=()):
    calendar = working_calendar(Region.SCOTLAND)
    expected = {}
    for period in return_periods(START, [], up_to, calendar):
        if period.start in skip_periods:
            continue
        for stage, day in stage_dates(
            period.due, DEFAULT_STAGES, working_days=False, calendar=calendar
        ):
            if day <= up_to and period.due < up_to:
                expected[(period.start, stage.key)] = day
    return expected


def _issued():
    return {
        (r.period_start, r.stage): r.stage_date
        for r in db.session.execute(select(ReminderIssue)).scalars()
    }


def test_a_year_of_days_issues_each_reminder_on_its_date_once(app_ctx, factory):
    account = db.session.merge(factory.account(start_date=START))
    seen_on = {}
    day = START
    while day <= date(2026, 3, 31):
        before = set(_issued())
        issue_due_reminders(day)
        for key in set(_issued()) - before:
            seen_on[key] = day
        day += timedelta(days=1)
    expected = _expected(date(2026, 3, 31))
    assert expected and _issued() == expected
    assert seen_on == expected  # each went out on its own date, not later
    letters = (
        db.session.execute(select(Letter).where(Letter.account_id == account.id)).scalars().all()
    )
    assert len(letters) == len(expected)
    assert {letter.kind for letter in letters} == {f"reminder_{s.key}" for s in DEFAULT_STAGES}
    for kind in {letter.kind for letter in letters}:  # every stage's letter renders
        letter = next(x for x in letters if x.kind == kind)
        assert render_letter(letter).startswith(b"%PDF")
        assert letter.letter_date == date.fromisoformat(letter.context["stage_date"])


def test_catch_up_after_days_down_and_running_twice_changes_nothing(app_ctx, factory):
    db.session.merge(factory.account(start_date=START))
    late = date(2025, 10, 1)
    first_run = issue_due_reminders(late)
    assert first_run == len(_expected(late)) > 0
    assert issue_due_reminders(late) == 0  # the same day again: nothing more
    assert _issued() == _expected(late)  # each dated on its stage date, not the day it ran


def test_a_sent_return_stops_its_reminders(app_ctx, factory):
    account = db.session.merge(factory.account(start_date=START))
    issue_due_reminders(date(2025, 8, 10))  # first reminder for April-June has gone
    db.session.add(
        MonitoringReturn(
            account_id=account.id,
            period_start=START,
            period_end=date(2025, 6, 30),
            due_date=date(2025, 7, 28),
            status="submitted",
        )
    )
    db.session.flush()
    issue_due_reminders(date(2025, 12, 31))
    stages_for_first_period = {stage for (start, stage) in _issued() if start == START}
    assert stages_for_first_period == {"first"}


def test_the_command_issues_what_is_due(app, factory, db_session):
    factory.account(start_date=START)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["dp", "reminders", "--as-of", "2025-09-01"])
    assert result.exit_code == 0 and "Issued" in result.output
    bad = runner.invoke(args=["dp", "reminders", "--as-of", "1 September"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_easy_read_reminders_have_their_own_short_sentences(app):
    from dp_portal.core.letters import render_html

    context = {
        "period_start": "2026-04-01",
        "period_end": "2026-06-30",
        "due": "2026-07-28",
        "stage_date": "2026-08-04",
    }
    with app.test_request_context():
        easy = render_html(
            "reminder_final",
            "easy_read",
            recipient_name="A",
            address_lines=[],
            letter_date=date(2026, 8, 4),
            subject="S",
            **context,
        )
        standard = render_html(
            "reminder_final",
            "standard",
            recipient_name="A",
            address_lines=[],
            letter_date=date(2026, 8, 4),
            subject="S",
            **context,
        )
    assert "This is the last letter about it." in easy and "last letter" not in standard
    sentences = [s for s in easy.split("<p>")[1:] if "</p>" in s]
    assert all(len(s.split("</p>")[0].split()) <= 15 for s in sentences)  # short sentences
