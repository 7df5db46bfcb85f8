"""Reviewing a Charter Mark holder's application: a finance officer or team leader who took
no part in it records a finding on every criterion (met; more information needed, with a
message the applicant reads; or not met, with reasons) and decides: ask for more, decline,
or award (every criterion met). Findings and the decision are recorded together, in one
audit row that the reports read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..auth.models import Role, User
from ..core import audit
from ..core.errors import RuleError
from ..core.types import utcnow
from ..extensions import db
from .charter_awards import make_award
from .charter_rules import Decision, Finding, Review, Status, decision_problems, move
from .charter_services import took_part
from .models import Application

REVIEWERS = frozenset({Role.FINANCE_OFFICER, Role.TEAM_LEADER})


class ReviewProblems(RuleError):
    """What is wrong with a review, by form field; nothing was recorded."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def why_not_reviewer(application: Application, user: User) -> str | None:
    """Why `user` may not review the application (None: they may)."""
    if user.role not in REVIEWERS:
        return "Only finance officers and team leaders review Charter Mark applications"
    if took_part(application, user.id):
        return "You made, answered or sent this application, so another officer must review it"
    return None


@dataclass(frozen=True)
class Queue:
    waiting: list[Application]  # sent, oldest first
    with_applicant: list[Application]  # we asked for more


def queue() -> Queue:
    def of(status: Status) -> list[Application]:
        return list(
            db.session.execute(
                select(Application)
                .where(Application.status == status, Application.tier == "holder")
                .order_by(Application.submitted_at, Application.id)
            ).scalars()
        )

    return Queue(of(Status.SUBMITTED), of(Status.MORE_INFO))


def _write_findings(answers: dict, reviews: dict[str, Review], actor: User, now) -> None:
    """Each answer keeps the latest finding and, unless met, what the applicant is told."""
    for key, answer in answers.items():
        review = reviews[key]
        answer.finding = review.finding.value
        met = review.finding == Finding.MET
        answer.finding_message = None if met else review.message.strip()
        answer.reviewed_by_id = actor.id
        answer.reviewed_at = now


def record_review(
    application: Application,
    reviews: dict[str, Review],
    decision: Decision,
    *,
    note: str,
    actor: User,
    today: date,
) -> None:
    """Record a finding on every criterion and the decision, or nothing at all."""
    refusal = why_not_reviewer(application, actor)
    if refusal:
        raise RuleError(refusal)
    answers = {a.criterion.key: a for a in application.answers}
    titles = {key: a.criterion.title for key, a in answers.items()}
    problems = decision_problems(reviews, titles, decision)
    if problems:
        raise ReviewProblems(problems)
    now = utcnow()
    if decision == Decision.AWARD:
        make_award(application, actor=actor, today=today, note=note.strip() or None)
    else:
        decided = {"decided_by_id": actor.id, "decided_at": now}
        move(
            application,
            decision.status,
            decision_note=note.strip() or None,
            **(decided if decision == Decision.DECLINE else {}),
        )
    _write_findings(answers, reviews, actor, now)
    audit.record(
        actor,
        "charter.reviewed",
        application,
        account_id=application.account_id,
        summary=f"Charter Mark application reviewed: {decision.status.label.lower()}",
        before={"status": Status.SUBMITTED.value},
        after={
            "decision": decision.value,
            "status": decision.status.value,
            "findings": {key: reviews[key].finding.value for key in answers},
            "messages": {
                key: reviews[key].message.strip()
                for key in answers
                if reviews[key].finding != Finding.MET
            },
            "note": note.strip() or None,
        },
    )
