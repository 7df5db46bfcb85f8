"""Applying for the Charter Mark: starting an application (a Supporter is awarded at once),
answering the criteria with optional evidence, sending it for review, withdrawing it.

The employer is the account holder: whoever may act as the PAs' employer on the account
(accounts.scope Need.EMPLOYER) applies; whoever may see the account reads. Services never
commit: the request does, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from ..accounts.models import Account
from ..auth.models import User
from ..core import audit
from ..core.errors import NotFound, RuleError
from ..core.permissions import Viewer
from ..core.types import utcnow
from ..core.uploads import EVIDENCE, UploadError, check_upload, store
from ..extensions import db
from . import scope
from .charter_awards import award_view, make_award, policy_leads
from .charter_criteria import current_version
from .charter_rules import LIVE, Finding, Status, allowed, move
from .models import Answer, Application, Award, CharterTier, EmployerFile

MAX_ANSWER = 3000
# Actions that mean a user shaped the application, so may not review it (shared/design.md
# 2.7: who submits or edits something for someone never approves it).
TAKING_PART = ("charter.started", "charter.answers_saved", "charter.submitted")


class AnswerProblems(RuleError):
    """Problems with answers or files, by form field (answer_<key>, evidence_<key>); nothing
    was saved."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass
class AccountCharter:
    """What an account has of the Charter Mark: its applications and awards, newest first."""

    account: Account
    applications: list[Application]
    awards: list
    refusal: dict[str, str | None] = field(default_factory=dict)
    may_apply: bool = False  # may act as the employer on this account

    @property
    def live(self) -> Application | None:
        return next((a for a in self.applications if a.status in LIVE), None)


def applications_for(account_id: int) -> list[Application]:
    return list(
        db.session.execute(
            select(Application)
            .where(Application.account_id == account_id)
            .order_by(Application.id.desc())
        ).scalars()
    )


def awards_for(account_id: int) -> list[Award]:
    return list(
        db.session.execute(
            select(Award).where(Award.account_id == account_id).order_by(Award.id.desc())
        ).scalars()
    )


def apply_refusal(account_id: int, tier: CharterTier, today: date) -> str | None:
    """Why the account may not start an application for `tier` today (None: it may)."""
    if any(a.status in LIVE for a in applications_for(account_id)):
        return "This account already has an application in progress: finish or withdraw it first"
    renew_from_days = max(policy_leads())
    for award in awards_for(account_id):
        if award.expires_on < today or (
            tier == CharterTier.HOLDER and award.tier == CharterTier.SUPPORTER
        ):
            continue  # expired, or a Supporter going further
        opens = award.expires_on - timedelta(days=renew_from_days)
        if today < opens:
            return (
                f"This account holds {CharterTier(award.tier).label} {award.number} until "
                f"{award.expires_on:%-d %B %Y}. You can apply to renew it from "
                f"{opens:%-d %B %Y}"
            )
    return None


def account_charter(account: Account, today: date) -> AccountCharter:
    return AccountCharter(
        account,
        applications_for(account.id),
        [award_view(award, today) for award in awards_for(account.id)],
        {tier.value: apply_refusal(account.id, tier, today) for tier in CharterTier},
    )


def start_application(
    account: Account, *, tier: CharterTier, display_name: str, actor: User, today: date
) -> Application:
    """Start an application under the current criteria. A Supporter commits to the criteria
    and is awarded at once; a holder's application is a draft to answer and send."""
    refusal = apply_refusal(account.id, tier, today)
    if refusal:
        raise RuleError(refusal)
    version = current_version()
    application = Application(
        account_id=account.id,
        criteria_version_id=version.id,
        tier=tier.value,
        status=Status.DRAFT.value,
        display_name=display_name.strip(),
        declaration=True,
        created_by_id=actor.id,
    )
    db.session.add(application)
    db.session.flush()
    if tier == CharterTier.HOLDER:
        db.session.add_all(
            Answer(application_id=application.id, criterion_id=c.id) for c in version.criteria
        )
    audit.record(
        actor,
        "charter.started",
        application,
        account_id=account.id,
        summary=f"{tier.label} application started under criteria version {version.version}",
        after={"tier": tier.value, "display_name": application.display_name},
    )
    if tier == CharterTier.SUPPORTER:
        make_award(application, actor=None, today=today)
    return application


def editable_keys(application: Application) -> set[str]:
    """The criteria the applicant may answer now: every one while it is a draft; after we
    asked for more, only those we asked about."""
    if application.tier != CharterTier.HOLDER:
        return set()
    if application.status == Status.DRAFT:
        return {a.criterion.key for a in application.answers}
    if application.status == Status.MORE_INFO:
        return {a.criterion.key for a in application.answers if a.finding == Finding.MORE_INFO}
    return set()


def _checked_uploads(uploads: dict[str, tuple[str, bytes]], titles: dict[str, str]):
    checked, problems = {}, {}
    for key, (filename, data) in uploads.items():
        try:
            checked[key] = (check_upload(data, filename, EVIDENCE), data)
        except UploadError as exc:
            problems[f"evidence_{key}"] = f"The file for '{titles[key]}' was not added: {exc}"
    return checked, problems


def save_answers(
    application: Application,
    texts: dict[str, str],
    uploads: dict[str, tuple[str, bytes]],
    *,
    actor: User,
) -> int:
    """Save the answers and files given for the criteria the applicant may answer now; every
    file is checked before anything is saved. Returns how many answers changed."""
    open_keys = editable_keys(application)
    if not open_keys:
        raise RuleError(
            "This application's answers cannot be changed now: it has been sent for review "
            "or decided"
        )
    answers = {a.criterion.key: a for a in application.answers if a.criterion.key in open_keys}
    titles = {key: answer.criterion.title for key, answer in answers.items()}
    problems = {
        f"answer_{key}": f"The answer to '{titles[key]}' must be {MAX_ANSWER} characters or fewer"
        for key, text in texts.items()
        if key in answers and len(text) > MAX_ANSWER
    }
    checked, upload_problems = _checked_uploads(
        {k: v for k, v in uploads.items() if k in answers}, titles
    )
    if problems or upload_problems:
        raise AnswerProblems(problems | upload_problems)
    changed, files = [], {}
    for key, answer in answers.items():
        text = texts.get(key, answer.answer).strip()
        file_row = _store(application, checked[key], actor) if key in checked else None
        if file_row is not None:
            files[key] = {"name": file_row.original_name, "sha256": file_row.sha256}
        if text != answer.answer or file_row is not None:
            answer.answer = text
            answer.file_id = file_row.id if file_row else answer.file_id
            answer.updated_at = utcnow()
            changed.append(key)
    if changed:
        audit.record(
            actor,
            "charter.answers_saved",
            application,
            account_id=application.account_id,
            summary=f"Answers saved for {len(changed)} criteria",
            after={"criteria": changed, "files": files},
        )
    return len(changed)


def _store(application: Application, upload, actor: User) -> EmployerFile:
    checked, data = upload
    stored = store(data, EmployerFile.AREAS["charter"], checked.kind)
    row = EmployerFile(
        account_id=application.account_id,
        purpose="charter",
        original_name=checked.name,
        stored_name=stored.stored_name,
        content_type=checked.kind.content_type,
        sha256=stored.sha256,
        size=stored.size,
        uploaded_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def submit(application: Application, *, actor: User) -> None:
    """Send a holder's application for review: every criterion needs an answer."""
    missing = [a.criterion.title for a in application.answers if not a.answer.strip()]
    if missing and allowed(application.tier, application.status, Status.SUBMITTED):
        raise RuleError(
            f"Answer every criterion before you send the application: {len(missing)} "
            f"{'has' if len(missing) == 1 else 'have'} no answer yet, starting with "
            f"'{missing[0]}'"
        )
    was = move(application, Status.SUBMITTED, submitted_at=utcnow())
    audit.record(
        actor,
        "charter.submitted",
        application,
        account_id=application.account_id,
        summary="Charter Mark application sent for review"
        + (" again, with more information" if was == Status.MORE_INFO else ""),
        before={"status": was.value},
        after={"status": Status.SUBMITTED.value},
    )


def withdraw(application: Application, *, actor: User) -> None:
    was = move(application, Status.WITHDRAWN)
    audit.record(
        actor,
        "charter.withdrawn",
        application,
        account_id=application.account_id,
        summary="Charter Mark application withdrawn by the applicant",
        before={"status": was.value},
        after={"status": Status.WITHDRAWN.value},
    )


def took_part(application: Application, user_id: int) -> bool:
    """Whether the user made, answered or sent this application (so may not review it)."""
    if application.created_by_id == user_id:
        return True
    return (
        db.session.execute(
            select(audit.AuditEvent.id)
            .where(
                audit.AuditEvent.object_type == Application.__tablename__,
                audit.AuditEvent.object_id == application.id,
                audit.AuditEvent.actor_id == user_id,
                audit.AuditEvent.action.in_(TAKING_PART),
            )
            .limit(1)
        ).first()
        is not None
    )


def evidence_file(viewer: Viewer, file_id: int) -> EmployerFile:
    """A Charter Mark evidence file, if the viewer may see its account."""
    row = scope.load_file(viewer, file_id)
    if row.purpose != "charter":
        raise NotFound(f"charter file {file_id}")
    return row
