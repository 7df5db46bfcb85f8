"""The Charter Mark's rules: an application's lifecycle, reviewers' findings, award numbers,
award dates and renewal reminders (shared/design.md 2.6).

An application moves only through this table (one per tier)::

    Charter Mark holder (each criterion answered, then reviewed):

        draft ──send──▶ submitted ──award (every criterion met)──────▶ awarded
                          │   ▲   └──decline (reasons per criterion)──▶ declined
           ask for more   │   │   send again
                          ▼   │
                        more_info

        draft, submitted or more_info ──withdraw (the applicant)──▶ withdrawn

    Supporter (committed to the criteria, self-declared):

        draft ──award (at once, no review)──▶ awarded
          └──withdraw──▶ withdrawn

awarded, declined and withdrawn are final: a renewal or a second try is a new application.
`move` changes the row with a conditional UPDATE (``WHERE status = <the state the caller
saw>``), so of two officers deciding the same application at once only one succeeds; the other
is refused as if they had pressed the button a moment later.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from ..core.errors import RuleError
from ..core.types import LabelledEnum
from ..extensions import db
from .models import CharterTier


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    MORE_INFO = "more_info"
    AWARDED = "awarded"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


# What the applicant and officers read for each status.
STATUS_LABELS: dict[str, str] = dict(
    draft="Not sent yet", submitted="Waiting for review", more_info="We need more information",
    awarded="Awarded", declined="Not awarded", withdrawn="Withdrawn",
)  # fmt: skip

S = Status
# (tier, state) -> the states it may move to. Anything not listed is refused.
TRANSITIONS: dict[tuple[CharterTier, Status], frozenset[Status]] = {
    (CharterTier.HOLDER, S.DRAFT): frozenset({S.SUBMITTED, S.WITHDRAWN}),
    (CharterTier.HOLDER, S.SUBMITTED): frozenset({S.MORE_INFO, S.AWARDED, S.DECLINED, S.WITHDRAWN}),
    (CharterTier.HOLDER, S.MORE_INFO): frozenset({S.SUBMITTED, S.WITHDRAWN}),
    (CharterTier.SUPPORTER, S.DRAFT): frozenset({S.AWARDED, S.WITHDRAWN}),
}
LIVE = frozenset({S.DRAFT, S.SUBMITTED, S.MORE_INFO})  # not yet decided or withdrawn

# What the person is told when a move to a state is refused.
REFUSALS: dict[Status, str] = {
    S.DRAFT: "An application is started only once: start a new application instead",
    S.SUBMITTED: "Only an application that has not been sent, or that we asked more about, "
    "can be sent for review",
    S.MORE_INFO: "Only an application waiting for review can be sent back for more information",
    S.AWARDED: "This application is not waiting for a decision: it may have been decided "
    "or withdrawn meanwhile",
    S.DECLINED: "This application is not waiting for a decision: it may have been decided "
    "or withdrawn meanwhile",
    S.WITHDRAWN: "This application has already been decided or withdrawn",
}


def allowed(tier: str, current: str, to: Status) -> bool:
    return to in TRANSITIONS.get((CharterTier(tier), Status(current)), frozenset())


def move(application, to: Status, **values) -> Status:
    """Move `application` to `to`, setting `values` with it; return the state it left.
    Refused (RuleError) when the table does not allow it from the state the caller saw, or
    when the row is no longer in that state in the database."""
    seen = Status(application.status)
    if not allowed(application.tier, seen, to):
        raise RuleError(REFUSALS[to])
    model = type(application)
    moved = db.session.execute(
        update(model)
        .where(model.id == application.id, model.status == seen)
        .values(status=to, **values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise RuleError(REFUSALS[to])
    for key, value in {"status": to, **values}.items():
        set_committed_value(application, key, value)
    return seen


# --- Findings and decisions ------------------------------------------------------------------


class Finding(LabelledEnum):
    MET = "met", "Met"
    MORE_INFO = "more_info", "More information needed"
    UNMET = "unmet", "Not met"


class Decision(StrEnum):
    AWARD = "award"
    MORE_INFO = "more_info"
    DECLINE = "decline"

    @property
    def status(self) -> Status:
        return {"award": S.AWARDED, "more_info": S.MORE_INFO, "decline": S.DECLINED}[self.value]


@dataclass(frozen=True)
class Review:
    """A reviewer's finding on one criterion and, unless it is met, what the applicant is told."""

    finding: Finding
    message: str = ""


def decision_problems(
    reviews: Mapping[str, Review], titles: Mapping[str, str], decision: Decision
) -> dict[str, str]:
    """What is wrong with a review, by the field to correct ("finding_<key>", "message_<key>"
    or "decision"); empty when it may be recorded. Every criterion needs a finding; "more
    information" and "not met" need words the applicant will read; the decision must follow
    from the findings."""
    problems = {}
    for key, title in titles.items():
        review = reviews.get(key)
        if review is None:
            problems[f"finding_{key}"] = f"Choose a finding for '{title}'"
        elif review.finding != Finding.MET and not review.message.strip():
            what = "what you need" if review.finding == Finding.MORE_INFO else "why it is not met"
            problems[f"message_{key}"] = f"Say {what} for '{title}': the applicant reads this"
    if problems:
        return problems
    found = {review.finding for review in reviews.values()}
    if decision == Decision.AWARD and found != {Finding.MET}:
        problems["decision"] = "Award the Charter Mark only when every criterion is met"
    elif decision == Decision.MORE_INFO and Finding.MORE_INFO not in found:
        problems["decision"] = (
            "To ask for more information, mark at least one criterion 'More information needed'"
        )
    elif decision == Decision.DECLINE and Finding.UNMET not in found:
        problems["decision"] = "To decline, mark at least one criterion 'Not met', with reasons"
    return problems


# --- Award numbers and dates ------------------------------------------------------------------

NUMBER = re.compile(r"CM(\d{4})(\d{4,6})")
SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]")  # spaces, hyphens and dashes as typed


def award_number(year: int, sequence: int) -> str:
    """CM-2026-0001: the year the award starts, then its place in that year."""
    return f"CM-{year}-{sequence:04d}"


def parse_number(text: str) -> tuple[int, int] | None:
    """(year, sequence) of a number as typed (spaces and case forgiven), or None."""
    match = NUMBER.fullmatch(SEPARATORS.sub("", text or "").upper())
    return (int(match.group(1)), int(match.group(2))) if match else None


def normalise_number(text: str) -> str | None:
    parsed = parse_number(text)
    return award_number(*parsed) if parsed else None


def expiry(starts_on: date, years: int) -> date:
    """The last day an award is valid: the day before its `years`th anniversary (an award
    starting on 29 February runs to 28 February)."""
    if years < 1:
        raise ValueError("an award lasts at least a year")
    try:
        anniversary = starts_on.replace(year=starts_on.year + years)
    except ValueError:  # 29 February, and the anniversary year is not a leap year
        anniversary = date(starts_on.year + years, 3, 1)
    return anniversary - timedelta(days=1)


class AwardState(StrEnum):
    CURRENT = "current"
    EXPIRED = "expired"
    NOT_STARTED = "not_started"

    @property
    def label(self) -> str:
        return {"current": "Current", "expired": "Expired", "not_started": "Not started yet"}[
            self.value
        ]


def award_state(starts_on: date, expires_on: date, today: date) -> AwardState:
    if today > expires_on:
        return AwardState.EXPIRED
    if today < starts_on:
        return AwardState.NOT_STARTED
    return AwardState.CURRENT


# --- Renewal reminders --------------------------------------------------------------------------


def lead_days(setting: str) -> tuple[int, ...]:
    """CHARTER_RENEWAL_REMINDER_DAYS ("90,30") as whole days, longest first."""
    try:
        days = {int(part) for part in str(setting).split(",") if part.strip()}
    except ValueError as exc:
        raise ValueError(
            f"CHARTER_RENEWAL_REMINDER_DAYS must be whole days separated by commas, like "
            f"90,30, not {setting!r}"
        ) from exc
    if not days or min(days) < 1 or max(days) > 366:
        raise ValueError("CHARTER_RENEWAL_REMINDER_DAYS must be between 1 and 366 days")
    return tuple(sorted(days, reverse=True))


def reminder_due(expires_on: date, today: date, leads: tuple[int, ...]) -> int | None:
    """The lead time whose reminder is due on `today`, or None. Each lead time's window runs
    from its day until the next (shorter) lead time's day, so a job that missed days catches
    up with the reminder still relevant, never two letters at once; an expired award gets
    none."""
    if today > expires_on:
        return None
    for longer, shorter in zip(leads, (*leads[1:], None), strict=True):
        opens = expires_on - timedelta(days=longer)
        closes = (
            expires_on + timedelta(days=1)
            if shorter is None
            else (expires_on - timedelta(days=shorter))
        )
        if opens <= today < closes:
            return longer
    return None
