"""The demo council's PA employers: the handbook's default sections; the demo recipient, who
employs two PAs, with a half-filled employer checklist; and Charter Mark employers (a
Supporter, a holder with a certificate, an application waiting for review, and a mark
expiring within 90 days, with its renewal letter)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..accounts.models import Account, AccountAccess
from ..auth.models import User
from ..employers.charter_jobs import issue_renewal_reminders
from ..employers.demo_charter import demo_charter
from ..employers.demo_costs import demo_costs
from ..employers.demo_handbook import demo_handbook
from ..extensions import db
from .users import PROPOSER, TEAM_LEADER


def demo_employers(today: date) -> None:
    """Add the employers' demo data to the current transaction (the caller commits)."""
    demo_handbook()
    recipient = db.session.execute(
        select(User).where(User.email == "recipient@demo.glenarden.example")
    ).scalar_one_or_none()
    own = (
        db.session.execute(
            select(AccountAccess.account_id)
            .where(AccountAccess.user_id == recipient.id, AccountAccess.capacity == "person")
            .limit(1)
        ).scalar()
        if recipient
        else None
    )
    if own is not None:
        demo_costs(account_id=own, user_id=recipient.id, today=today, with_file=True)
    # Four other active accounts apply for the Charter Mark, with a finance officer filling
    # the forms in for them (as happens on the phone) and the team leader reviewing.
    accounts = list(
        db.session.execute(
            select(Account)
            .where(Account.status == "active", Account.id != (own or 0))
            .order_by(Account.id)
            .limit(4)
        ).scalars()
    )
    helper, reviewer = (
        db.session.execute(select(User).where(User.email == email)).scalar_one()
        for email in (PROPOSER, TEAM_LEADER)
    )
    if len(accounts) == 4:
        demo_charter(accounts, applicant=helper, officer=reviewer, today=today)
        issue_renewal_reminders(today)
