"""People, accounts and who may see them. Never commits: the request (or job) does."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from ..auth.models import User
from ..core import audit
from ..core.pagination import BoundedPage, bounded_page
from ..core.permissions import Viewer
from ..core.tasks import Group, Task
from ..extensions import db
from . import scope
from .models import (
    Account,
    AccountAccess,
    BankDetailsChange,
    ChangeStatus,
    Correspondent,
    Person,
    Representative,
)

PERSON_FIELDS = [
    "client_reference",
    "title",
    "first_name",
    "last_name",
    "date_of_birth",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "email",
    "phone",
    "letter_format",
]
ACCOUNT_FIELDS = ["sds_option", "status", "start_date", "end_date", "locality"]
REPRESENTATIVE_FIELDS = [
    "full_name",
    "relationship_to_person",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "email",
    "phone",
    "letter_format",
]


def account_page(viewer: Viewer, *, search: str, status: str, page: int) -> BoundedPage:
    """One page of the accounts the viewer may see, searched and filtered."""
    return bounded_page(scope.visible_accounts(viewer, search=search, status=status), page)


def account_id_for_reference(reference: str) -> int | None:
    """The account with this reference (DP000123, in any case), through its unique index."""
    return db.session.execute(
        select(Account.id).where(Account.reference == reference.strip().upper())
    ).scalar()


# --- Changing people and accounts ---------------------------------------------------------


def _apply(obj: Any, data: dict[str, Any], fields: list[str]) -> tuple[dict, dict]:
    before = audit.snapshot(obj, fields)
    for name in fields:
        if name in data:
            setattr(obj, name, data[name])
    return before, audit.snapshot(obj, fields)


def client_reference_taken(reference: str, *, except_person_id: int | None = None) -> bool:
    query = select(Person.id).where(func.upper(Person.client_reference) == reference.upper())
    if except_person_id is not None:
        query = query.where(Person.id != except_person_id)
    return db.session.execute(query.limit(1)).first() is not None


@dataclass(frozen=True)
class Editable:
    """How a kind of record is added and changed: its fields and the words of its audit rows."""

    noun: str  # the audit action's prefix
    fields: list[str]
    added: str  # the action's verb when a record is added
    added_summary: Callable[[Any], str]
    changed_summary: str


PERSON = Editable(
    "person", PERSON_FIELDS, "created", lambda p: f"Added {p.full_name}", "Personal details changed"
)
REPRESENTATIVE = Editable(
    "representative",
    REPRESENTATIVE_FIELDS,
    "added",
    lambda r: f"Added representative {r.full_name} for {r.person.full_name}",
    "Representative changed",
)


def _create(kind: Editable, obj: Any, data: dict[str, Any], *, actor: User) -> Any:
    _apply(obj, data, kind.fields)
    db.session.add(obj)
    audit.record(
        actor,
        f"{kind.noun}.{kind.added}",
        obj,
        summary=kind.added_summary(obj),
        after=audit.snapshot(obj, kind.fields),
    )
    return obj


def _update(kind: Editable, obj: Any, data: dict[str, Any], *, actor: User) -> bool:
    before, after = _apply(obj, data, kind.fields)
    if before == after:
        return False
    audit.record(
        actor, f"{kind.noun}.updated", obj, summary=kind.changed_summary, before=before, after=after
    )
    return True


def create_person(data: dict[str, Any], *, actor: User) -> Person:
    return _create(PERSON, Person(), data, actor=actor)


def update_person(person: Person, data: dict[str, Any], *, actor: User) -> bool:
    return _update(PERSON, person, data, actor=actor)


def create_account(person: Person, data: dict[str, Any], *, actor: User) -> Account:
    account = Account(person=person, reference=f"TMP{secrets.token_hex(8)}", status="active")
    _apply(account, data, ACCOUNT_FIELDS)
    db.session.add(account)
    db.session.flush()
    account.reference = f"DP{account.id:06d}"
    audit.record(
        actor,
        "account.created",
        account,
        account_id=account.id,
        summary=f"Opened {account.reference} for {person.full_name}",
        after=audit.snapshot(account, ["reference", *ACCOUNT_FIELDS]),
    )
    return account


def update_account(account: Account, data: dict[str, Any], *, actor: User) -> bool:
    before, after = _apply(account, data, ACCOUNT_FIELDS)
    if before == after:
        return False
    action = "account.status_changed" if before["status"] != after["status"] else "account.updated"
    audit.record(
        actor,
        action,
        account,
        account_id=account.id,
        summary="Account details changed",
        before=before,
        after=after,
    )
    return True


def set_correspondent(
    account: Account,
    kind: Correspondent,
    *,
    representative_id: int | None,
    organisation_id: int | None,
    actor: User,
) -> bool:
    fields = ["correspondent", "correspondent_representative_id", "correspondent_organisation_id"]
    before = audit.snapshot(account, fields)
    account.correspondent = str(kind)
    account.correspondent_representative_id = (
        representative_id if kind == Correspondent.REPRESENTATIVE else None
    )
    account.correspondent_organisation_id = (
        organisation_id if kind == Correspondent.ORGANISATION else None
    )
    after = audit.snapshot(account, fields)
    if before == after:
        return False
    audit.record(
        actor,
        "account.correspondent_changed",
        account,
        account_id=account.id,
        summary="Who receives letters changed",
        before=before,
        after=after,
    )
    return True


def add_representative(person: Person, data: dict[str, Any], *, actor: User) -> Representative:
    return _create(REPRESENTATIVE, Representative(person=person), data, actor=actor)


def update_representative(rep: Representative, data: dict[str, Any], *, actor: User) -> bool:
    return _update(REPRESENTATIVE, rep, data, actor=actor)


def grant_access(account: Account, user: User, capacity: str, *, actor: User) -> AccountAccess:
    link = db.session.execute(
        select(AccountAccess).where(
            AccountAccess.account_id == account.id, AccountAccess.user_id == user.id
        )
    ).scalar_one_or_none()
    if link is None:
        link = AccountAccess(account=account, user=user, capacity=capacity)
        db.session.add(link)
    link.capacity = capacity
    link.is_current = True
    audit.record(
        actor,
        "account.access_granted",
        link,
        account_id=account.id,
        summary=f"{user.email} can see {account.reference}",
        after={"user": user.email, "capacity": capacity},
    )
    return link


def revoke_access(link: AccountAccess, *, actor: User) -> None:
    link.is_current = False
    audit.record(
        actor,
        "account.access_revoked",
        link,
        account_id=link.account_id,
        summary=f"{link.user.email} can no longer see the account",
        before={"user": link.user.email, "capacity": link.capacity},
    )


def access_links(account: Account) -> list[AccountAccess]:
    return list(
        db.session.execute(
            select(AccountAccess)
            .where(AccountAccess.account_id == account.id, AccountAccess.is_current.is_(True))
            .order_by(AccountAccess.id)
        ).scalars()
    )


def recent_events(account: Account, limit: int = 10) -> list[audit.AuditEvent]:
    return list(
        db.session.execute(
            select(audit.AuditEvent)
            .where(audit.AuditEvent.account_id == account.id)
            .order_by(audit.AuditEvent.id.desc())
            .limit(limit)
        ).scalars()
    )


def home_tasks(viewer: Viewer) -> list[Task]:
    """Accounts' part of a finance officer's home page: bank details changes waiting for a
    second officer (all of them: the list behind it shows every one)."""
    if viewer.role != "finance_officer":
        return []
    waiting = select(func.count()).where(BankDetailsChange.status == ChangeStatus.PENDING)
    count = db.session.execute(waiting).scalar_one()
    return [
        Task(
            "Bank details changes waiting for a second officer",
            count,
            "accounts.bank_changes_waiting",
            urgent=True,
            group=Group.PEOPLE,
        )
    ]
