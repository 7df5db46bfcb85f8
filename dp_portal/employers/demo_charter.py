"""Demo data for the Charter Mark: a Supporter, a holder with a certificate, an application
waiting for review and an award that expires within 90 days (so its renewal reminder is due).
Made through the services, so the audit log and the numbers are as in real use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..accounts.models import Account
from ..auth.models import User
from ..extensions import db
from .charter_awards import award_for, policy_years
from .charter_review import record_review
from .charter_rules import Decision, Finding, Review
from .charter_services import save_answers, start_application, submit
from .models import Application, Award, CharterTier

ANSWERS = {
    "minimum_pay": "I pay 13.45 an hour for every hour, sleepovers too.",
    "written_contract": "Each PA had a written contract on their first day.",
    "holiday": "Holiday builds up at 12.07% and shows on every payslip.",
    "payroll": "A payroll service runs RTI and sends payslips.",
    "pension": "Both PAs are in a workplace pension. I sent my declaration.",
    "insurance": "My employer's liability insurance runs to next March.",
    "pvg": "Both PAs are PVG scheme members. I checked in April.",
    "induction": "Each PA has an induction plan and moving and assisting training.",
    "supervision": "We meet every month to talk about how things are going.",
    "rota": "Rotas go out four weeks ahead. Late cancellations are paid.",
    "sick_pay": "I pay Statutory Sick Pay and my policy says how.",
    "grievance": "My contract sets out the grievance steps and mediation.",
    "records": "Records are in a locked cabinet and a password-protected folder.",
    "risk_assessment": "I have risk assessments for hoisting and for medication.",
}


@dataclass(frozen=True)
class CharterDemo:
    supporter: Award
    holder: Award
    waiting: Application
    expiring: Award


def _sent(account: Account, applicant: User, name: str, today: date) -> Application:
    application = start_application(
        account, tier=CharterTier.HOLDER, display_name=name, actor=applicant, today=today
    )
    db.session.flush()
    texts = {a.criterion.key: ANSWERS.get(a.criterion.key, "Yes.") for a in application.answers}
    save_answers(application, texts, {}, actor=applicant)
    submit(application, actor=applicant)
    return application


def _awarded(account: Account, applicant: User, officer: User, name: str, on: date) -> Award:
    application = _sent(account, applicant, name, on)
    reviews = {a.criterion.key: Review(Finding.MET) for a in application.answers}
    record_review(application, reviews, Decision.AWARD, note="", actor=officer, today=on)
    db.session.flush()
    return award_for(application.id)


def demo_charter(
    accounts: list[Account], *, applicant: User, officer: User, today: date
) -> CharterDemo:
    """Needs four accounts whose PAs' employer is `applicant` (a recipient or a finance
    officer acting for them) and a different `officer` (finance officer or team leader) to
    review. The expiring award started long enough ago to end within 90 days of `today`."""
    if len(accounts) < 4 or applicant.id == officer.id:
        raise ValueError("demo_charter needs four accounts and two different people")
    supporting, holding, waiting, expiring = accounts[:4]
    supporter = start_application(
        supporting,
        tier=CharterTier.SUPPORTER,
        display_name="A. Robertson, Glenarden",
        actor=applicant,
        today=today - timedelta(days=120),
    )
    db.session.flush()
    holder = _awarded(
        holding, applicant, officer, "The Murray household", today - timedelta(days=200)
    )
    sent = _sent(waiting, applicant, "J. Fraser", today)
    # Started so that it ends about 60 days from today.
    long_ago = today - timedelta(days=365 * policy_years() - 60)
    ending = _awarded(expiring, applicant, officer, "Kerr family, Westfield", long_ago)
    return CharterDemo(award_for(supporter.id), holder, sent, ending)
