"""The rules for organisations that act for people: what each mandate scope lets staff do,
the mandate's lifecycle, who administers an organisation, the four-eyes lifecycle of its
pooled client account, and how long an organisation reads its history after a mandate ends.

Mandate lifecycle (one transition function, `move_mandate`):

    awaiting_consent ──(the person confirms on screen)──> consented
    awaiting_consent ──(withdrawn)──> withdrawn
    consented ──(withdrawn)──> withdrawn

A consented mandate is in force from its start date to its end date with no manual step
(Mandate.current_on); a withdrawn one never again.

Pooled account change lifecycle (`move_pooled_change`), the same four eyes as a person's
bank details (shared/design.md 2.7; core/bank_numbers.require_second_person):

    pending ──(a council finance officer who did not ask approves)──> approved
    pending ──(a council finance officer who did not ask rejects)──> rejected
    pending ──(whoever asked withdraws)──> withdrawn

Never commits.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..auth.models import Role, User
from ..core.bank_numbers import require_second_person
from ..core.errors import NotAllowed, RuleError
from ..core.types import LabelledEnum, utcnow
from .models import Mandate, MandateScope, MandateStatus, Organisation, PooledAccountChange

# Organisations that may hold a mandate at all (providers are paid, not trusted with the
# budget or the person's records), and those that may hold the person's money.
ACTING_KINDS = ("money_management", "brokerage", "independent_support")
MONEY_KINDS = ("money_management", "brokerage")

MANDATE_TRANSITIONS: dict[MandateStatus, frozenset[MandateStatus]] = {
    MandateStatus.AWAITING_CONSENT: frozenset({MandateStatus.CONSENTED, MandateStatus.WITHDRAWN}),
    MandateStatus.CONSENTED: frozenset({MandateStatus.WITHDRAWN}),
    MandateStatus.WITHDRAWN: frozenset(),
}


def move_mandate(mandate: Mandate, to: MandateStatus) -> None:
    """Move a mandate along its lifecycle, or raise RuleError saying why not."""
    current = MandateStatus(mandate.status)
    if to not in MANDATE_TRANSITIONS[current]:
        raise RuleError(
            f"This mandate is {current.label.lower()}, so it cannot become {to.label.lower()}"
        )
    mandate.status = str(to)
    if to == MandateStatus.WITHDRAWN:
        mandate.withdrawn_at = utcnow()


class PooledChangeStatus(LabelledEnum):
    PENDING = "pending", "Waiting for a council finance officer"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


POOLED_TRANSITIONS: dict[PooledChangeStatus, frozenset[PooledChangeStatus]] = {
    PooledChangeStatus.PENDING: frozenset(
        {PooledChangeStatus.APPROVED, PooledChangeStatus.REJECTED, PooledChangeStatus.WITHDRAWN}
    ),
    PooledChangeStatus.APPROVED: frozenset(),
    PooledChangeStatus.REJECTED: frozenset(),
    PooledChangeStatus.WITHDRAWN: frozenset(),
}


def move_pooled_change(change: PooledAccountChange, to: PooledChangeStatus, actor: User) -> None:
    """Decide or withdraw a pooled account change, or raise RuleError saying why not."""
    if to not in POOLED_TRANSITIONS[PooledChangeStatus(change.status)]:
        raise RuleError("This change has already been decided")
    if to == PooledChangeStatus.WITHDRAWN:
        if change.requested_by_id != actor.id:
            raise RuleError("Only the person who asked for the change can withdraw it")
    else:
        if actor.role != Role.FINANCE_OFFICER:
            raise NotAllowed("only a council finance officer decides a pooled account change")
        require_second_person(change.requested_by_id, actor.id, "another finance officer")
    change.status = str(to)
    change.decided_by_id, change.decided_at = actor.id, utcnow()


def check_mandate_organisation(org: Organisation, scope: str) -> None:
    """Only acting organisations hold mandates; only money-holding ones hold the money."""
    if org.kind not in ACTING_KINDS:
        raise RuleError(f"{org.name} is a {org.kind_label.lower()}: it cannot act for people")
    if scope == MandateScope.MANAGE_MONEY and org.kind not in MONEY_KINDS:
        raise RuleError(
            f"{org.name} is an {org.kind_label.lower()}: only a money management service or a "
            "brokerage can manage someone's money"
        )


def is_organisation_admin(user: User, organisation_id: int) -> bool:
    return (
        user.role == Role.BROKERAGE_STAFF
        and user.organisation_id == organisation_id
        and bool(user.is_organisation_admin)
        and user.is_enabled
    )


def require_organisation_admin(user: User) -> int:
    """The organisation `user` administers, or NotAllowed: staff see their organisation's
    pages but only its administrators change its staff, details or bank account."""
    if user.organisation_id is None or not is_organisation_admin(user, user.organisation_id):
        raise NotAllowed("organisation administrators only")
    return user.organisation_id


def history_cutoff(today: date, retention_days: int) -> tuple[date, datetime]:
    """A mandate that ended before this day (or was withdrawn before this instant) no longer
    lets its organisation read the history it created (the council keeps it all)."""
    day = today - timedelta(days=retention_days)
    return day, datetime(day.year, day.month, day.day, tzinfo=utcnow().tzinfo)
