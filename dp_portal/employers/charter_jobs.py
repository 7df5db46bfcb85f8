"""Charter Mark renewal reminders: a letter to the employer's correspondent before an award
expires (CHARTER_RENEWAL_REMINDER_DAYS, 90 and 30 days by default), through the letters path.

Exactly once per award and lead time: a `charter_renewal_reminders` row per (award, lead
time), unique in the database, and a lock held for the run's transaction (a PostgreSQL
advisory lock, or SQLite's writer lock) so a second runner waits and then finds nothing left.
A job that missed days catches up while the reminder is still the relevant one; an expired
award, or one already renewed by a later award, gets none. Also `flask dp charter-reminders`.
"""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import select, text

from ..accounts.correspondents import correspondents
from ..core.daily_jobs import daily_command, run_daily
from ..core.letters import letter_row, record_letters
from ..extensions import db
from .charter_awards import policy_leads
from .charter_rules import reminder_due
from .models import Award, CharterTier, RenewalReminder

RENEWAL_LOCK_KEY = 7_431_121
SUBJECT = "Your Charter Mark ends soon: how to renew it"


def _one_runner_at_a_time() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RENEWAL_LOCK_KEY})
    else:
        # A write first takes SQLite's single writer lock (a read first would pin an older
        # snapshot); it changes nothing.
        db.session.execute(text("UPDATE charter_renewal_reminders SET id = id WHERE 0 = 1"))


def _renewed(awards: list[Award]) -> set[int]:
    """Awards already followed by a later award for the same account that lasts longer."""
    latest: dict[int, date] = {}
    for award in awards:
        latest[award.account_id] = max(latest.get(award.account_id, date.min), award.expires_on)
    return {a.id for a in awards if latest[a.account_id] > a.expires_on}


def issue_renewal_reminders(today: date) -> int:
    """Issue every renewal reminder due on `today` that has not been issued. Returns how many."""
    _one_runner_at_a_time()
    leads = policy_leads()
    awards = list(
        db.session.execute(
            select(Award).where(Award.expires_on >= today).order_by(Award.id)
        ).scalars()
    )
    issued = {
        (award_id, days)
        for award_id, days in db.session.execute(
            select(RenewalReminder.award_id, RenewalReminder.days_before)
        )
    }
    renewed = _renewed(awards)
    due = []
    for award in awards:
        lead = reminder_due(award.expires_on, today, leads)
        if lead is not None and (award.id, lead) not in issued and award.id not in renewed:
            due.append((award, lead))
    if not due:
        return 0
    db.session.execute(
        RenewalReminder.__table__.insert(),
        [{"award_id": a.id, "days_before": lead, "issued_on": today} for a, lead in due],
    )
    recipients = correspondents(sorted({award.account_id for award, _ in due}))
    record_letters(
        [
            letter_row(
                account_id=award.account_id,
                kind="charter_renewal",
                subject=SUBJECT,
                to=recipients[award.account_id],
                context={
                    "number": award.number,
                    "tier_label": CharterTier(award.tier).label,
                    "display_name": award.display_name,
                    "expires_on": award.expires_on.isoformat(),
                    "days_before": lead,
                },
                letter_date=today,
            )
            for award, lead in due
        ]
    )
    return len(due)


def charter_reminders_job(app: Flask) -> int:
    """For the scheduler's JOBS registry: today's reminders, in their own transaction."""
    return run_daily(app, issue_renewal_reminders, "Charter Mark renewal reminders")


charter_reminders_command = daily_command(
    "charter-reminders",
    issue_renewal_reminders,
    "Charter Mark renewal reminders",
    "Issue every Charter Mark renewal reminder that has fallen due. Running it twice changes "
    "nothing.",
)
