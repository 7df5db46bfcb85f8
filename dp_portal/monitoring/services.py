"""Returns: periods, drafts, submission with reconciliation, review. Never commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import exists, func, select

from ..accounts.models import Account
from ..auth.models import User
from ..core import audit
from ..core.audit import AuditEvent
from ..core.calendar import Region
from ..core.calendar_models import working_calendar
from ..core.errors import RuleError
from ..core.money import ZERO, from_pence, to_pence
from ..core.spreadsheets import workbook_bytes
from ..core.types import local_today, utcnow
from ..extensions import db
from ..payments import services as payment_services
from ..payments.budgets import LineKind
from ..payments.models import Payment
from ..payments.runs import load_plans, weekly_on
from ..payments.services import rate_book
from ..third_party.models import Mandate
from . import escalations
from .evidence import add_evidence as add_evidence
from .evidence import evidence_for as evidence_for
from .models import (
    SPEND_COLUMNS,
    Conversation,
    Evidence,
    MonitoringReturn,
    ReminderPolicy,
    TierChange,
)
from .periods import ReturnPeriod, Tier, return_periods
from .reconcile import SPENDING, Figures, reconcile
from .reminders import DEFAULT_STAGES, Stage, stage_dates

CONTINGENCY_WEEKS = 8  # shared/design.md 2.3: councils use 4-10

FIELDS = [
    "opening",
    "council_payments",
    "contributions",
    "other_income",
    *[f"spend_{key}" for key, _ in SPENDING],
    "closing",
    "bank_balance",
    "wages_owed",
    "hmrc_due",
]


def tier_history(account_id: int) -> list[tuple[date, Tier]]:
    rows = db.session.execute(
        select(TierChange.effective_from, TierChange.tier)
        .where(TierChange.account_id == account_id)
        .order_by(TierChange.effective_from, TierChange.id)
    ).all()
    return [(start, Tier(tier)) for start, tier in rows]


def current_tier(account_id: int, today: date) -> Tier:
    tier = Tier.STANDARD
    for start, value in tier_history(account_id):
        if start <= today:
            tier = value
    return tier


def change_tier(
    account: Account, tier: Tier, effective_from: date, reason: str, *, actor: User
) -> None:
    before = current_tier(account.id, effective_from).value
    row = TierChange(
        account_id=account.id,
        tier=str(tier),
        effective_from=effective_from,
        reason=reason,
        decided_by_id=actor.id,
    )
    db.session.add(row)
    audit.record(
        actor,
        "monitoring.tier_changed",
        row,
        account_id=account.id,
        summary=f"Monitoring changed to {tier.label.lower()} from {effective_from:%d %B %Y}",
        before={"tier": before},
        after={"tier": str(tier), "reason": reason},
    )


def periods_for(account: Account, today: date) -> list[ReturnPeriod]:
    return return_periods(
        account.start_date, tier_history(account.id), today, working_calendar(Region.SCOTLAND)
    )


def period_for(account: Account, start: date, today: date) -> ReturnPeriod | None:
    return next((p for p in periods_for(account, today) if p.start == start), None)


def latest_returns(account_id: int) -> dict[date, MonitoringReturn]:
    """The newest version of each period's return."""
    latest: dict[date, MonitoringReturn] = {}
    for row in db.session.execute(
        select(MonitoringReturn)
        .where(MonitoringReturn.account_id == account_id)
        .order_by(MonitoringReturn.period_start, MonitoringReturn.version)
    ).scalars():
        latest[row.period_start] = row
    return latest


def versions(account_id: int, period_start: date) -> list[MonitoringReturn]:
    return list(
        db.session.execute(
            select(MonitoringReturn)
            .where(
                MonitoringReturn.account_id == account_id,
                MonitoringReturn.period_start == period_start,
            )
            .order_by(MonitoringReturn.version.desc())
        ).scalars()
    )


def payments_in(account_id: int, period: ReturnPeriod) -> list[tuple[str, Decimal]]:
    """What the council paid into the account in the period, by pay date."""
    # Plain rows on the connection: this runs for every return reconciled.
    rows = (
        db.session.connection()
        .execute(
            select(Payment.pay_date, Payment.kind, Payment.amount_pence)
            .where(
                Payment.account_id == account_id,
                Payment.pay_date >= period.start,
                Payment.pay_date <= period.end,
            )
            .order_by(Payment.pay_date, Payment.id)
        )
        .all()
    )
    names = {"regular": "payment", "arrears": "arrears", "adjustment": "correction"}
    return [(f"{names[kind]} on {day:%d %B %Y}", from_pence(p)) for day, kind, p in rows]


def last_accepted_closing(account_id: int, before: date) -> Decimal | None:
    pence = (
        db.session.connection()
        .execute(
            select(MonitoringReturn.closing_pence)
            .where(
                MonitoringReturn.account_id == account_id,
                MonitoringReturn.status == "accepted",
                MonitoringReturn.period_end < before,
            )
            .order_by(MonitoringReturn.period_end.desc())
            .limit(1)
        )
        .scalar()
    )
    return None if pence is None else from_pence(pence)


def draft_for(account: Account, period: ReturnPeriod, *, create: bool = True) -> MonitoringReturn:
    """The draft to fill in: the current draft, or a new version after a query, or a new
    return pre-filled with the opening balance and the council's payments. With
    create=False (showing the form) a new draft is not saved until the person saves it."""
    existing = versions(account.id, period.start)
    latest = existing[0] if existing else None
    if latest is not None and latest.status == "draft":
        return latest
    if latest is not None and latest.status == "submitted":
        raise RuleError("This return has been sent, so it cannot be changed")
    if latest is not None and latest.status == "accepted":
        raise RuleError(
            "This return has been accepted. To change it or add evidence, send an amendment "
            "from the return's page: we review it again"
        )
    draft = _new_version(account, period, latest)
    if create:
        db.session.add(draft)
    return draft


_CARRIED = (
    "opening_pence",
    "council_payments_pence",
    "contributions_pence",
    "other_income_pence",
    *SPEND_COLUMNS,
    "closing_pence",
    "bank_balance_pence",
    "wages_owed_pence",
    "hmrc_due_pence",
    "explanation",
)


def _new_version(
    account: Account, period: ReturnPeriod, latest: MonitoringReturn | None
) -> MonitoringReturn:
    draft = MonitoringReturn(
        account_id=account.id,
        period_start=period.start,
        period_end=period.end,
        due_date=period.due,
        version=(latest.version + 1) if latest else 1,
        status="draft",
        explanation="",
        **{f"{name}_pence": 0 for name in FIELDS},
    )
    if latest is not None:  # answering a query, or amending: start from what was sent
        for column in _CARRIED:
            setattr(draft, column, getattr(latest, column))
    else:
        opening = last_accepted_closing(account.id, period.start)
        draft.opening_pence = to_pence(opening) if opening is not None else 0
        draft.council_payments_pence = to_pence(
            sum((amount for _, amount in payments_in(account.id, period)), ZERO)
        )
    return draft


def start_amendment(account: Account, period: ReturnPeriod, *, actor: User) -> MonitoringReturn:
    """An accepted return is never changed: a later change, or evidence sent afterwards, is an
    amendment, a new version that goes back to review when it is sent."""
    existing = versions(account.id, period.start)
    latest = existing[0] if existing else None
    if latest is not None and latest.status == "draft" and len(existing) > 1:
        return latest  # an amendment already started
    if latest is None or latest.status != "accepted":
        raise RuleError("Only an accepted return can be amended")
    draft = _new_version(account, period, latest)
    db.session.add(draft)
    audit.record(
        actor,
        "return.amendment_started",
        draft,
        account_id=account.id,
        summary=f"Amendment started to the accepted return for {period.start:%d %B %Y}",
        after={"version": draft.version},
    )
    return draft


def save_draft(
    draft: MonitoringReturn, values: dict[str, Decimal], explanation: str, *, actor: User
) -> None:
    if draft.status != "draft":
        raise RuleError("Only a draft can be changed")
    before = {name: getattr(draft, f"{name}_pence") for name in FIELDS}
    for name in FIELDS:
        if name in values and values[name] is not None:
            setattr(draft, f"{name}_pence", to_pence(values[name]))
    draft.explanation = explanation
    after = {name: getattr(draft, f"{name}_pence") for name in FIELDS}
    # Who filled in a return is who may not accept it (separation of duties), so every save
    # is recorded, not only the sending.
    audit.record(
        actor,
        "return.draft_saved",
        draft,
        account_id=draft.account_id,
        summary=f"Return for {draft.period_start:%d %B %Y} saved (version {draft.version})",
        before={k: v for k, v in before.items() if before[k] != after[k]},
        after={k: v for k, v in after.items() if before[k] != after[k]},
    )


def figures_of(row: MonitoringReturn) -> Figures:
    return Figures(
        opening=row.money("opening_pence"),
        council_payments=row.money("council_payments_pence"),
        contributions=row.money("contributions_pence"),
        other_income=row.money("other_income_pence"),
        spending={key: row.money(f"spend_{key}_pence") for key, _ in SPENDING},
        closing=row.money("closing_pence"),
        bank_balance=row.money("bank_balance_pence"),
        wages_owed=row.money("wages_owed_pence"),
        hmrc_due=row.money("hmrc_due_pence"),
    )


def submit(draft: MonitoringReturn, *, account: Account, actor: User) -> None:
    """Send the return: reconcile it, record the flags, and keep earlier versions."""
    if draft.status != "draft":
        raise RuleError("This return has already been sent")
    period = ReturnPeriod(draft.period_start, draft.period_end, draft.due_date)
    plans = load_plans({account.id}).get(account.id, [])
    book = rate_book()
    weekly = weekly_on(plans, book, account.start_date, account.end_date, draft.period_end).budget
    has_provider = any(
        line.kind == LineKind.PROVIDER_HOURS for version in plans for line in version.lines
    )
    result = reconcile(
        figures_of(draft),
        expected_opening=last_accepted_closing(account.id, draft.period_start),
        payments_made=payments_in(account.id, period),
        weekly_budget=weekly,
        contingency_weeks=CONTINGENCY_WEEKS,
        has_provider_line=has_provider,
    )
    for earlier in versions(account.id, draft.period_start)[1:]:
        # An amendment replaces the accepted version; the acceptance stays in the audit log.
        if earlier.status in ("submitted", "queried", "accepted"):
            earlier.status = "superseded"
    draft.status = "submitted"
    draft.flags_json = json.dumps([{"code": f.code, "message": f.message} for f in result.flags])
    draft.surplus_pence = to_pence(result.surplus)
    draft.submitted_by_id = actor.id
    draft.submitted_at = utcnow()
    escalations.return_received(account.id, draft.period_start, actor=actor, today=local_today())
    audit.record(
        actor,
        "return.submitted",
        draft,
        account_id=account.id,
        summary=f"Return for {draft.period_start:%d %B %Y} to {draft.period_end:%d %B %Y} sent "
        f"(version {draft.version}, {len(result.flags)} flags)",
        after={
            "closing": str(from_pence(draft.closing_pence)),
            "flags": [f.code for f in result.flags],
        },
    )


def took_part(row: MonitoringReturn, user_id: int) -> bool:
    """Whether `user_id` filled in, changed, sent or added evidence to any version of this
    return: if so they may not accept it (shared/design.md 2.7, segregation of duties)."""
    version_ids = select(MonitoringReturn.id).where(
        MonitoringReturn.account_id == row.account_id,
        MonitoringReturn.period_start == row.period_start,
    )
    wrote = db.session.execute(
        select(AuditEvent.id)
        .where(
            AuditEvent.actor_id == user_id,
            AuditEvent.action.in_(["return.draft_saved", "return.submitted"]),
            AuditEvent.object_type == "monitoring_returns",
            AuditEvent.object_id.in_(version_ids),
        )
        .limit(1)
    ).first()
    uploaded = db.session.execute(
        select(Evidence.id)
        .where(
            Evidence.account_id == row.account_id,
            Evidence.period_start == row.period_start,
            Evidence.uploaded_by_id == user_id,
        )
        .limit(1)
    ).first()
    return bool(wrote or uploaded or row.submitted_by_id == user_id)


def accept(row: MonitoringReturn, *, actor: User, note: str = "") -> None:
    if row.status != "submitted":
        raise RuleError("Only a return waiting for review can be accepted")
    if took_part(row, actor.id):
        raise RuleError(
            "You filled in or sent this return for the person, so another finance officer "
            "must accept it"
        )
    if row.flags and not note.strip():
        raise RuleError("This return has flags: say what you checked and why you are accepting it")
    row.status, row.decided_by_id, row.decided_at = "accepted", actor.id, utcnow()
    row.decision_note = note.strip() or None
    audit.record(
        actor,
        "return.accepted",
        row,
        account_id=row.account_id,
        summary="Return accepted" + (f": {note.strip()}" if note.strip() else ""),
        before={"status": "submitted"},
        after={"status": "accepted", "note": note.strip() or None},
    )


def raise_query(row: MonitoringReturn, message: str, *, actor: User) -> None:
    if row.status != "submitted":
        raise RuleError("Only a return waiting for review can be queried")
    row.status, row.query_message = "queried", message
    row.decided_by_id, row.decided_at = actor.id, utcnow()
    audit.record(
        actor,
        "return.queried",
        row,
        account_id=row.account_id,
        summary="Question raised on a return",
        after={"status": "queried", "message": message},
    )


def queue(
    *,
    status: str = "submitted",
    flagged: str = "",
    locality: str = "",
    organisation_id: int | None = None,
    older_than_days: int | None = None,
    today: date | None = None,
):
    """Returns to review, oldest first, filtered by status, flags, locality, managing
    organisation and age."""
    query = (
        select(MonitoringReturn)
        .join(Account, Account.id == MonitoringReturn.account_id)
        .order_by(MonitoringReturn.submitted_at, MonitoringReturn.id)
    )
    if status in ("submitted", "queried", "accepted"):
        query = query.where(MonitoringReturn.status == status)
    if flagged == "clean":
        query = query.where(MonitoringReturn.flags_json == "[]")
    elif flagged == "flagged":
        query = query.where(MonitoringReturn.flags_json != "[]")
    if locality:
        query = query.where(func.lower(Account.locality) == locality.lower())
    if organisation_id:
        query = query.where(
            exists().where(
                Mandate.account_id == Account.id,
                Mandate.organisation_id == organisation_id,
                Mandate.current_on(today or local_today()),
            )
        )
    if older_than_days:
        cutoff = utcnow() - timedelta(days=older_than_days)
        query = query.where(MonitoringReturn.submitted_at <= cutoff)
    return query


BULK_LIMIT = 200  # returns on one "accept these" confirmation page


def clean_to_accept(actor: User) -> list[MonitoringReturn]:
    """The returns with no flags that `actor` may accept, oldest first, for the confirmation
    page (returns they took part in are left for another officer)."""
    rows = db.session.execute(queue(flagged="clean").limit(BULK_LIMIT * 2)).scalars().all()
    return [row for row in rows if not took_part(row, actor.id)][:BULK_LIMIT]


@dataclass(frozen=True)
class BulkOutcome:
    accepted: int
    skipped: int


def accept_listed(return_ids: list[int], actor: User) -> BulkOutcome:
    """Accept exactly the returns the officer saw listed, and only those still clean and
    waiting: a return sent or changed after the page was shown is left for its own review."""
    rows = db.session.execute(
        select(MonitoringReturn).where(MonitoringReturn.id.in_(return_ids[:BULK_LIMIT]))
    ).scalars()
    accepted = 0
    for row in rows:
        if row.status == "submitted" and not row.flags and not took_part(row, actor.id):
            accept(row, actor=actor)
            accepted += 1
    return BulkOutcome(accepted, len(set(return_ids)) - accepted)


# --- Before any recovery: the conversation -------------------------------------------------


def conversations(row: MonitoringReturn) -> list[Conversation]:
    return list(
        db.session.execute(
            select(Conversation).where(Conversation.return_id == row.id).order_by(Conversation.id)
        ).scalars()
    )


def record_conversation(
    row: MonitoringReturn, *, held_on: date, with_whom: str, reasons: str, outcome: str, actor: User
) -> Conversation:
    if row.status not in ("submitted", "accepted"):
        raise RuleError("Record the conversation about a return that has been sent")
    talk = Conversation(
        return_id=row.id,
        held_on=held_on,
        with_whom=with_whom,
        reasons=reasons,
        outcome=outcome,
        recorded_by_id=actor.id,
    )
    db.session.add(talk)
    audit.record(
        actor,
        "return.conversation_recorded",
        talk,
        account_id=row.account_id,
        summary=f"Underspend discussed with {with_whom}: {Conversation.OUTCOMES[outcome].lower()}",
        after={
            "held_on": held_on.isoformat(),
            "with": with_whom,
            "reasons": reasons,
            "outcome": outcome,
        },
    )
    return talk


def recover_surplus(
    row: MonitoringReturn, *, amount: Decimal, method: str, reason: str, actor: User
):
    """Raise a recovery from a return: only after a recorded conversation whose outcome was to
    recover, and never more than the surplus the return shows."""
    if not any(talk.outcome == "recover" for talk in conversations(row)):
        raise RuleError(
            "Record the conversation with the person first: statutory guidance expects the "
            "reasons for an underspend to be established before anything is recovered"
        )
    if amount > from_pence(row.surplus_pence):
        raise RuleError(
            f"The most that can be recovered is the surplus, {from_pence(row.surplus_pence)} pounds"
        )
    figures = figures_of(row)
    contingency = (
        figures.closing - figures.wages_owed - figures.hmrc_due - from_pence(row.surplus_pence)
    )
    return payment_services.raise_recovery(
        row.account,
        amount=amount,
        method=method,
        reason=reason,
        source=f"{row.period_start:%d %B %Y} to {row.period_end:%d %B %Y}",
        working={
            "closing": figures.closing,
            "liabilities": figures.wages_owed + figures.hmrc_due,
            "contingency": contingency,
            "contingency_weeks": CONTINGENCY_WEEKS,
        },
        actor=actor,
    )


# --- Exports -------------------------------------------------------------------------------

EXPORT_HEADER = [
    "Account",
    "Supported person",
    "Period start",
    "Period end",
    "Due",
    "Version",
    "Status",
    "Sent",
    "Opening",
    "Money in",
    "Money out",
    "Closing",
    "Bank statement",
    "Surplus",
    "Flags",
]


def export_workbook(
    returns: list[MonitoringReturn], file_name: str, *, actor: User, account_id: int | None = None
) -> bytes:
    """Returns as a spreadsheet, with the download in the audit log."""
    data = workbook_bytes({"Returns": (EXPORT_HEADER, export_rows(returns))})
    audit.record_download(
        actor, "returns", file_name, detail=f"{len(returns)} returns", account_id=account_id
    )
    return data


def export_rows(returns: list[MonitoringReturn]):
    for row in returns:
        figures = figures_of(row)
        yield [
            row.account.reference,
            row.account.person.full_name,
            row.period_start.isoformat(),
            row.period_end.isoformat(),
            row.due_date.isoformat(),
            row.version,
            row.status_label,
            row.submitted_at.date().isoformat() if row.submitted_at else "",
            figures.opening,
            figures.money_in,
            figures.money_out,
            figures.closing,
            figures.bank_balance,
            from_pence(row.surplus_pence),
            "; ".join(flag["message"] for flag in row.flags),
        ]


def history(account_id: int) -> list[MonitoringReturn]:
    return list(
        db.session.execute(
            select(MonitoringReturn)
            .where(MonitoringReturn.account_id == account_id, MonitoringReturn.status != "draft")
            .order_by(MonitoringReturn.period_start, MonitoringReturn.version)
        ).scalars()
    )


# --- The reminder timetable ----------------------------------------------------------------


@dataclass(frozen=True)
class Timetable:
    version: int | None  # None: the default timetable, before a council publishes its own
    effective_from: date | None
    working_days: bool
    stages: tuple[Stage, ...]


def timetable_on(day: date) -> Timetable:
    row = db.session.execute(
        select(ReminderPolicy)
        .where(ReminderPolicy.effective_from <= day)
        .order_by(ReminderPolicy.effective_from.desc(), ReminderPolicy.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        return Timetable(None, None, False, DEFAULT_STAGES)
    stages = tuple(Stage(**stage) for stage in json.loads(row.stages_json))
    return Timetable(row.version, row.effective_from, bool(row.working_days), stages)


def publish_timetable(
    *, effective_from: date, offsets: dict[str, int], working_days: bool, note: str, actor: User
) -> ReminderPolicy:
    """A new version of the timetable: the default stages with the council's offsets."""
    days = [offsets[stage.key] for stage in DEFAULT_STAGES]
    if any(d < 1 for d in days) or days != sorted(days) or len(set(days)) != len(days):
        raise RuleError(
            "Each stage must come after the one before it, at least 1 day after the due date"
        )
    version = (db.session.execute(select(func.max(ReminderPolicy.version))).scalar() or 0) + 1
    stages = [
        {
            "key": s.key,
            "name": s.name,
            "offset_days": offsets[s.key],
            "letter": s.letter,
            "escalates": s.escalates,
        }
        for s in DEFAULT_STAGES
    ]
    row = ReminderPolicy(
        version=version,
        effective_from=effective_from,
        working_days=int(working_days),
        stages_json=json.dumps(stages),
        note=note,
        created_by_id=actor.id,
    )
    db.session.add(row)
    audit.record(
        actor,
        "reminder_policy.published",
        row,
        summary=f"Reminder timetable version {version} from {effective_from:%d %B %Y}",
        after={"offsets": offsets, "working_days": working_days, "note": note},
    )
    return row


def reminder_dates(due: date) -> list[tuple[Stage, date]]:
    """A person's own reminder dates for a return due on `due`, under the timetable then."""
    table = timetable_on(due)
    return stage_dates(
        due,
        table.stages,
        working_days=table.working_days,
        calendar=working_calendar(Region.SCOTLAND),
    )
