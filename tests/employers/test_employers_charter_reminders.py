"""Charter Mark renewal reminders with the clock moved day by day: a letter 90 and 30 days
before expiry, each exactly once; a job that missed days catches up; an expired award, or one
already renewed, gets none."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dp_portal.core.letters import Letter, render_letter
from dp_portal.employers.charter_jobs import issue_renewal_reminders
from dp_portal.employers.models import Application, Award, CriteriaVersion, RenewalReminder
from dp_portal.extensions import db

START, END = date(2026, 5, 1), date(2028, 4, 30)


@pytest.fixture
def award_on(factory, db_session):
    """Awards made in the test's own session, before the job's session starts its work."""
    accounts = [factory.account() for _ in range(3)]
    user_id = factory.user().id

    def make(n: int, starts_on: date, expires_on: date, number: str) -> Award:
        version = db_session.execute(select(CriteriaVersion)).scalars().first()
        application = Application(
            account_id=accounts[n].id,
            criteria_version_id=version.id,
            tier="holder",
            status="awarded",
            display_name="Employer",
            declaration=True,
            created_by_id=user_id,
        )
        db_session.add(application)
        db_session.flush()
        award = Award(
            number=number,
            application_id=application.id,
            account_id=accounts[n].id,
            tier="holder",
            display_name="Employer",
            starts_on=starts_on,
            expires_on=expires_on,
        )
        db_session.add(award)
        db_session.flush()
        return award

    return make


def _issued() -> dict[tuple[int, int], date]:
    return {
        (r.award_id, r.days_before): r.issued_on
        for r in db.session.execute(select(RenewalReminder)).scalars()
    }


def _letters() -> list[Letter]:
    return list(
        db.session.execute(
            select(Letter).where(Letter.kind == "charter_renewal").order_by(Letter.id)
        ).scalars()
    )


def test_each_reminder_goes_once_on_its_day_and_an_expired_award_gets_none(award_on, app_ctx):
    award = award_on(0, START, END, "CM-2026-0001")
    expired = award_on(1, date(2024, 1, 1), date(2025, 12, 31), "CM-2024-0001")
    day = START
    while day <= END + timedelta(days=40):
        issue_renewal_reminders(day)
        day += timedelta(days=1)
    assert _issued() == {
        (award.id, 90): END - timedelta(days=90),
        (award.id, 30): END - timedelta(days=30),
    }
    letters = _letters()
    assert [(x.account_id, x.letter_date) for x in letters] == [
        (award.account_id, date(2028, 1, 31)),
        (award.account_id, date(2028, 3, 31)),
    ]
    assert expired.account_id not in {x.account_id for x in letters}
    assert letters[0].context["number"] == "CM-2026-0001"
    assert render_letter(letters[0]).startswith(b"%PDF")  # the template renders


def test_a_job_that_missed_days_catches_up_once(award_on, app_ctx):
    award = award_on(0, START, END, "CM-2026-0001")
    # Down from 100 days before expiry until 80 days before: the 90-day letter goes then.
    assert issue_renewal_reminders(END - timedelta(days=100)) == 0
    assert issue_renewal_reminders(END - timedelta(days=80)) == 1
    assert issue_renewal_reminders(END - timedelta(days=80)) == 0  # run twice: nothing new
    # Down again for the whole of the 30-day window but its last day.
    assert issue_renewal_reminders(END) == 1
    assert set(_issued()) == {(award.id, 90), (award.id, 30)}
    assert len(_letters()) == 2


def test_a_job_down_through_a_whole_window_sends_only_the_reminder_still_relevant(
    award_on, app_ctx
):
    award = award_on(0, START, END, "CM-2026-0001")
    assert issue_renewal_reminders(END - timedelta(days=10)) == 1
    assert set(_issued()) == {(award.id, 30)}


def test_a_renewed_award_gets_no_reminder(award_on, app_ctx):
    old = award_on(0, START, END, "CM-2026-0001")
    award_on(0, END - timedelta(days=60), END + timedelta(days=670), "CM-2028-0001")
    issue_renewal_reminders(END - timedelta(days=20))
    assert old.id not in {award_id for award_id, _ in _issued()}


def test_the_lead_times_are_policy(app, award_on, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "CHARTER_RENEWAL_REMINDER_DAYS", "60")
    award = award_on(0, START, END, "CM-2026-0001")
    assert issue_renewal_reminders(END - timedelta(days=90)) == 0
    assert issue_renewal_reminders(END - timedelta(days=60)) == 1
    assert set(_issued()) == {(award.id, 60)}


def test_the_command_issues_what_is_due(app, award_on, db_session):
    runner = app.test_cli_runner()
    award_on(0, START, END, "CM-2026-0001")
    result = runner.invoke(args=["dp", "charter-reminders", "--as-of", "2028-02-01"])
    assert result.exit_code == 0, result.output
    assert "Issued 1 Charter Mark renewal reminders" in result.output
    again = runner.invoke(args=["dp", "charter-reminders", "--as-of", "2028-02-01"])
    assert "Issued 0" in again.output
    bad = runner.invoke(args=["dp", "charter-reminders", "--as-of", "1 February"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_the_scheduler_job_issues_today_s_reminders(app, award_on, db_session):
    from dp_portal.core.types import local_today
    from dp_portal.employers.charter_jobs import charter_reminders_job

    today = local_today()
    award_on(0, today - timedelta(days=600), today + timedelta(days=45), "CM-2025-0001")
    assert charter_reminders_job(app) == 1
    assert charter_reminders_job(app) == 0
