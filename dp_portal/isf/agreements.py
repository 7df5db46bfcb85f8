"""The rules of an ISF agreement (issue 14): its terms, who confirms it, and the one state
machine its versions follow. Pure: no Flask, no session.

A version's lifecycle (`move_version`):

    awaiting ──(the person, the council and the provider have all confirmed)──> active
    awaiting ──(withdrawn, or replaced by a newer version before it was confirmed)──> withdrawn
    active ──(a newer version has been confirmed by all three)──> superseded
    active ──(a finance officer ends it from a date, saying why)──> ended

While a new version waits for its confirmations, the active one stays in force (a change
never leaves the person without an agreement); superseded, withdrawn and ended versions stay
readable as the agreement's history. An ended version stays in force up to and including
its last day (`check_end`), so the provider is paid for the support it gives until then, and
nothing for any period that starts after it; a version still waiting when the agreement ends
is withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..core.errors import RuleError
from ..core.types import LabelledEnum, utcnow
from .models import IsfAgreementVersion


class VersionStatus(LabelledEnum):
    AWAITING = "awaiting", "Waiting for confirmations"
    ACTIVE = "active", "In force"
    SUPERSEDED = "superseded", "Replaced by a newer version"
    WITHDRAWN = "withdrawn", "Withdrawn before it started"
    ENDED = "ended", "Ended"


VERSION_TRANSITIONS: dict[VersionStatus, frozenset[VersionStatus]] = {
    VersionStatus.AWAITING: frozenset({VersionStatus.ACTIVE, VersionStatus.WITHDRAWN}),
    VersionStatus.ACTIVE: frozenset({VersionStatus.SUPERSEDED, VersionStatus.ENDED}),
    VersionStatus.SUPERSEDED: frozenset(),
    VersionStatus.WITHDRAWN: frozenset(),
    VersionStatus.ENDED: frozenset(),
}


class Party(LabelledEnum):
    PERSON = "person", "The person or their representative"
    COUNCIL = "council", "The council"
    PROVIDER = "provider", "The provider"


class MoneyHolder(LabelledEnum):
    COUNCIL = "council", "The council holds the budget and pays the provider"
    PROVIDER = "provider", "The provider holds the budget"


class PaymentBasis(LabelledEnum):
    SCHEDULED = "scheduled", "Planned hours at the agreed rate, every 4 weeks in advance"
    INVOICE = "invoice", "Delivered hours, on the provider's invoice"


class ContributionTo(LabelledEnum):
    PROVIDER = "provider", "The person pays their contribution to the provider"
    COUNCIL = "council", "The person pays their contribution to the council"
    NONE = "none", "There is no contribution"


class Reporting(LabelledEnum):
    FOUR_WEEKLY = "four_weekly", "Every 4 weeks"
    MONTHLY = "monthly", "Every month"
    QUARTERLY = "quarterly", "Every 3 months"


class Underspend(LabelledEnum):
    REVIEWED = (
        "reviewed",
        ("Talked through with the person and their social worker before anything is returned"),
    )
    RETURNED = "returned", "Returned to the council at the end of the year"
    CARRIED = "carried", "Kept for the person's support next year, up to the banked hours limit"


def move_version(version: IsfAgreementVersion, to: VersionStatus) -> None:
    """Move a version along its lifecycle, or raise RuleError saying why not."""
    current = VersionStatus(version.status)
    if to not in VERSION_TRANSITIONS[current]:
        raise RuleError(
            f"This version is {current.label.lower()}, so it cannot become {to.label.lower()}"
        )
    now = utcnow()
    version.status = str(to)
    if to == VersionStatus.ACTIVE:
        version.activated_at = now
    else:
        version.closed_at = now


def all_confirmed(parties: set[str]) -> bool:
    """Whether every party has confirmed: the agreement is active only then."""
    return {str(p) for p in Party} <= parties


def check_can_confirm(version: IsfAgreementVersion, party: Party, confirmed: set[str]) -> None:
    """A party confirms a version waiting for confirmations, once."""
    if version.status != VersionStatus.AWAITING:
        raise RuleError(
            f"This version is {VersionStatus(version.status).label.lower()}: "
            "there is nothing to confirm"
        )
    if str(party) in confirmed:
        raise RuleError(f"{party.label} has already confirmed this version")


@dataclass(frozen=True)
class Terms:
    """What the three parties agree, as an officer enters it."""

    starts_on: date
    ends_on: date | None
    annual_budget: Decimal
    money_holder: str
    payment_basis: str
    management_fee_pct: Decimal
    contribution_to: str
    bankable_hours: Decimal
    reporting_frequency: str
    underspend: str


def check_terms(terms: Terms) -> None:
    """Each term makes sense on its own and with the others, or RuleError says which not."""
    if terms.ends_on is not None and terms.ends_on < terms.starts_on:
        raise RuleError("The end date must be on or after the start date")
    if terms.annual_budget <= 0:
        raise RuleError("Enter the budget for the year, more than £0")
    if not Decimal(0) <= terms.management_fee_pct <= Decimal(100):
        raise RuleError("Enter the management fee as a percentage from 0 to 100")
    if terms.bankable_hours < 0:
        raise RuleError("Enter the hours that may be banked, 0 or more")
    if terms.money_holder == MoneyHolder.PROVIDER and terms.payment_basis != PaymentBasis.SCHEDULED:
        raise RuleError(
            "When the provider holds the budget, the council pays it on the schedule, in "
            "advance: choose scheduled payment"
        )


def check_end(version: IsfAgreementVersion | None, last_day: date | None, reason: str, today: date):
    """An agreement in force (or yet to start) ends on `last_day`, from today on, within its
    own dates, for a reason the person and the provider will read; RuleError says why not."""
    if version is None:
        raise RuleError(
            "This agreement is not in force: withdraw a version waiting for confirmations instead"
        )
    if last_day is None:
        raise RuleError("Enter the last day of the agreement")
    if not reason.strip():
        raise RuleError("Say why the agreement is ending: the person and the provider read it")
    if last_day < today:
        raise RuleError(
            "The last day must be today or later: a payment already made for the days after "
            "it is corrected with a change request"
        )
    if last_day < version.starts_on:
        raise RuleError(
            f"The last day must be on or after the day the agreement starts, "
            f"{version.starts_on:%d %B %Y}"
        )
    if version.ends_on is not None and last_day > version.ends_on:
        raise RuleError(
            f"The agreement already ends on {version.ends_on:%d %B %Y}: enter that day or an "
            "earlier one"
        )
