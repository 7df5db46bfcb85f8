"""An organisation run by its own administrators: its staff (invited through the portal's
invitation flow, removed by switching them off), its contact details, its activity log and
its pooled client account (four eyes: a council finance officer approves every change).
Rules live in organisations.py; loading in scope.py. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import and_, exists, or_, select

from ..auth import services as auth_services
from ..auth.models import Role, User
from ..core import audit
from ..core.audit import AuditEvent
from ..core.bank_numbers import NeedsConfirmation, mask_account_number, vet
from ..core.errors import RuleError
from ..core.mail import build_message, send_message_after_commit
from ..core.modulus import ModulusTables
from ..core.pagination import BoundedPage, bounded_page
from ..core.types import utcnow
from ..extensions import db
from .models import Mandate, MandateStatus, Organisation, PooledAccountChange
from .organisations import PooledChangeStatus, history_cutoff, move_pooled_change

CONTACT_FIELDS = ["email", "phone", "address_line_1", "address_line_2", "town", "postcode"]


# --- Staff ----------------------------------------------------------------------------------


def staff(org_id: int) -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .where(User.organisation_id == org_id, User.role == Role.BROKERAGE_STAFF)
            .order_by(User.is_enabled.desc(), User.full_name, User.id)
        ).scalars()
    )


def invite_staff(org: Organisation, email: str, full_name: str, *, admin: bool, actor: User):
    """A new member of the organisation's staff, invited by email (auth's invitation flow)."""
    if auth_services.find_user_by_email(email) is not None:
        raise RuleError("Someone with this email address already uses the portal")
    user = auth_services.invite_user(
        email=email,
        full_name=full_name,
        role=Role.BROKERAGE_STAFF,
        organisation_id=org.id,
        actor=actor,
    )
    if admin:
        user.is_organisation_admin = True
    audit.record(
        actor,
        "organisation.staff_invited",
        org,
        summary=f"{full_name} invited to {org.name}" + (" as an administrator" if admin else ""),
        after={"email": user.email, "administrator": admin},
    )
    return user


def remove_staff(org: Organisation, member: User, *, actor: User) -> None:
    """Switch a member of staff off: signed out everywhere now, and never in again. The user
    row stays, so the activity log still says who did what."""
    if member.id == actor.id:
        raise RuleError("You cannot remove yourself. Ask another administrator")
    if not member.is_enabled:
        raise RuleError(f"{member.full_name} has already been removed")
    auth_services.update_user(
        member, role=Role.BROKERAGE_STAFF, organisation_id=org.id, is_enabled=False, actor=actor
    )
    member.is_organisation_admin = False
    audit.record(actor, "organisation.staff_removed", org, summary=f"{member.full_name} removed")


def set_administrator(org: Organisation, member: User, admin: bool, *, actor: User) -> None:
    if member.id == actor.id and not admin:
        raise RuleError("You cannot stop being an administrator yourself. Ask another one")
    if not member.is_enabled:
        raise RuleError(f"{member.full_name} has been removed")
    if bool(member.is_organisation_admin) == admin:
        return
    member.is_organisation_admin = admin
    audit.record(
        actor,
        "organisation.administrator_changed",
        org,
        summary=f"{member.full_name} {'is now' if admin else 'is no longer'} an administrator",
        after={"user": member.id, "administrator": admin},
    )


# --- Contact details ------------------------------------------------------------------------


def update_contact(org: Organisation, data: dict[str, Any], *, actor: User) -> bool:
    before = audit.snapshot(org, CONTACT_FIELDS)
    for name in CONTACT_FIELDS:
        setattr(org, name, data.get(name) or None)
    after = audit.snapshot(org, CONTACT_FIELDS)
    if before == after:
        return False
    audit.record(
        actor,
        "organisation.contact_changed",
        org,
        summary="Contact details changed",
        before=before,
        after=after,
    )
    return True


# --- The activity log -----------------------------------------------------------------------


def activity(org: Organisation, page: int, *, today: date, retention_days: int) -> BoundedPage:
    """What the organisation's staff did, and what was done to the organisation, newest
    first. Events about a person's account show only while a mandate for it is in force or
    ended less than the retention period ago (the council keeps them all)."""
    members = select(User.id).where(User.organisation_id == org.id)
    changes = select(PooledAccountChange.id).where(PooledAccountChange.organisation_id == org.id)
    about_org = or_(
        and_(AuditEvent.object_type == "organisations", AuditEvent.object_id == org.id),
        and_(AuditEvent.object_type == "pooled_account_changes", AuditEvent.object_id.in_(changes)),
    )
    day, instant = history_cutoff(today, retention_days)
    still_readable = exists().where(
        Mandate.account_id == AuditEvent.account_id,
        Mandate.organisation_id == org.id,
        Mandate.status != MandateStatus.AWAITING_CONSENT,
        or_(Mandate.ends_on.is_(None), Mandate.ends_on >= day),
        or_(Mandate.withdrawn_at.is_(None), Mandate.withdrawn_at >= instant),
    )
    query = (
        select(AuditEvent)
        .where(
            or_(AuditEvent.actor_id.in_(members), about_org),
            or_(AuditEvent.account_id.is_(None), still_readable),
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    return bounded_page(query, page)


# --- The pooled client account (four eyes) --------------------------------------------------


@dataclass(frozen=True)
class ProposedAccount:
    payee_name: str
    sort_code: str
    account_number: str
    reason: str


def _masked(name: str | None, sort_code: str | None, number: str | None) -> dict[str, Any]:
    return {
        "payee_name": name,
        "sort_code": sort_code,
        "account_number": mask_account_number(number) if number else None,
    }


def pending_change(org_id: int) -> PooledAccountChange | None:
    return db.session.execute(
        select(PooledAccountChange).where(
            PooledAccountChange.organisation_id == org_id,
            PooledAccountChange.status == PooledChangeStatus.PENDING,
        )
    ).scalar_one_or_none()


def request_pooled_change(
    org: Organisation,
    proposed: ProposedAccount,
    *,
    confirmed: str,
    tables: ModulusTables | None,
    actor: User,
) -> PooledAccountChange | NeedsConfirmation | None:
    """New pooled account details, waiting for a council finance officer (the same checks as
    a person's bank details: core/bank_numbers.vet). None when nothing would change."""
    result = vet(proposed.sort_code, proposed.account_number, confirmed=confirmed, tables=tables)
    if isinstance(result, NeedsConfirmation):
        return result
    if pending_change(org.id) is not None:
        raise RuleError(
            "A change of bank account is already waiting for the council to approve it. "
            "Withdraw it first if it is wrong"
        )
    new = (proposed.payee_name, result.sort_code, result.account_number)
    current = (org.pooled_payee_name, org.pooled_sort_code, org.pooled_account_number)
    if new == current:
        return None
    change = PooledAccountChange(
        organisation_id=org.id,
        payee_name=proposed.payee_name,
        sort_code=result.sort_code,
        account_number=result.account_number,
        bank_check="not_checked" if tables is None else "passed",
        standardised_note=result.masked_note,
        previous_payee_name=org.pooled_payee_name,
        previous_sort_code=org.pooled_sort_code,
        previous_account_number=org.pooled_account_number,
        status=PooledChangeStatus.PENDING,
        reason=proposed.reason,
        requested_by_id=actor.id,
    )
    db.session.add(change)
    audit.record(
        actor,
        "organisation.pooled_account_change_requested",
        change,
        summary=f"New pooled client account for {org.name} waiting for the council",
        before=_masked(*current),
        after=_masked(*new) | {"reason": proposed.reason, "standardised": result.masked_note},
    )
    return change


def decide_pooled_change(
    change: PooledAccountChange, *, approve: bool, note: str, actor: User
) -> None:
    """A council finance officer who did not ask approves (runs pay the new account from
    the next one built) or rejects."""
    to = PooledChangeStatus.APPROVED if approve else PooledChangeStatus.REJECTED
    move_pooled_change(change, to, actor)
    change.decision_note = note
    org = change.organisation
    if not approve:
        audit.record(
            actor,
            "organisation.pooled_account_change_rejected",
            change,
            summary=f"New pooled client account for {org.name} rejected",
            after={"note": note},
        )
        return
    before = _masked(org.pooled_payee_name, org.pooled_sort_code, org.pooled_account_number)
    org.pooled_payee_name, org.pooled_sort_code = change.payee_name, change.sort_code
    org.pooled_account_number, org.pooled_bank_check = change.account_number, change.bank_check
    org.pooled_changed_at = utcnow()
    # The action payment runs read to know they are out of date (payments/run_review.py).
    audit.record(
        actor,
        "organisation.pooled_account_changed",
        org,
        summary=f"Pooled client account for {org.name} changed (approved by a second person)",
        before=before,
        after=_masked(change.payee_name, change.sort_code, change.account_number)
        | {"requested_by": change.requested_by.email, "change": change.id, "note": note},
    )
    _tell_organisation(org, change)


def _tell_organisation(org: Organisation, change: PooledAccountChange) -> None:
    """Every administrator and the organisation's own address hear of the change once it is
    saved, so one administrator cannot move the client money quietly (the person's bank
    details letter does the same job)."""
    council = current_app.config["COUNCIL_NAME"]
    addresses = {org.email} | {
        member.email
        for member in staff(org.id)
        if member.is_enabled and member.is_organisation_admin
    }
    body = (
        f"{council} has approved a new pooled client account for {org.name}.\n\n"
        f"From the next payment run we pay into: {change.payee_name}, sort code "
        f"{change.sort_code_display}, account ending {change.account_number[-4:]}.\n\n"
        f"It was asked for by {change.requested_by.full_name}. If nobody at {org.name} asked "
        f"for this, call us today on {current_app.config['COUNCIL_PHONE']}.\n"
    )
    for address in sorted(a for a in addresses if a):
        send_message_after_commit(
            build_message(address, "Your pooled client account has changed", body),
            what=f"pooled account change {change.id}",
        )


def withdraw_pooled_change(change: PooledAccountChange, *, actor: User) -> None:
    move_pooled_change(change, PooledChangeStatus.WITHDRAWN, actor)
    audit.record(
        actor,
        "organisation.pooled_account_change_withdrawn",
        change,
        summary="New pooled client account withdrawn by the person who asked for it",
    )


def pending_pooled_changes() -> list[PooledAccountChange]:
    return list(
        db.session.execute(
            select(PooledAccountChange)
            .where(PooledAccountChange.status == PooledChangeStatus.PENDING)
            .order_by(PooledAccountChange.requested_at, PooledAccountChange.id)
        ).scalars()
    )
