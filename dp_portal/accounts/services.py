"""People, accounts and who may see them. Never commits: the request (or job) does."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from ..auth.models import User
from ..core import audit
from ..core.letters import LetterRecipient
from ..core.pagination import BoundedPage, bounded_page
from ..core.permissions import Viewer
from ..core.tasks import Group, Task
from ..core.types import local_today
from ..extensions import db
from ..third_party.models import Mandate, Organisation
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


# --- Who letters go to ---------------------------------------------------------------------


def _can_sign_in():
    """Users who can sign in today: switched on, with a password chosen."""
    return User.is_enabled.is_(True) & User.password_hash.is_not(None)


def _account_user_online(capacity: str):
    """Whether someone linked to the account in `capacity` can sign in (for the letters'
    call to action: sign in, or call and write)."""
    return (
        select(AccountAccess.id)
        .join(User, User.id == AccountAccess.user_id)
        .where(
            AccountAccess.account_id == Account.id,
            AccountAccess.capacity == capacity,
            AccountAccess.is_current.is_(True),
            _can_sign_in(),
        )
        .exists()
    )


def _organisations_online() -> set[int]:
    """Organisations with staff who can sign in (a few hundred rows, read once: users are
    not indexed by organisation, so a per-account lookup would scan them)."""
    return set(
        db.session.execute(
            select(User.organisation_id)
            .where(User.organisation_id.is_not(None), _can_sign_in())
            .distinct()
        ).scalars()
    )


def correspondents(account_ids: list[int]) -> dict[int, LetterRecipient]:
    """Who receives letters for each account, and whether they can sign in to the service
    (a representative: whether a representative of the account can), in one query however
    many accounts."""

    rows = db.session.execute(
        select(
            Account.id,
            Account.correspondent,
            Person.first_name,
            Person.last_name,
            Person.address_line_1,
            Person.address_line_2,
            Person.town,
            Person.postcode,
            Person.letter_format,
            Person.email,
            Representative.full_name,
            Representative.address_line_1,
            Representative.address_line_2,
            Representative.town,
            Representative.postcode,
            Representative.letter_format,
            Representative.email,
            Organisation.name,
            Organisation.address_line_1,
            Organisation.town,
            Organisation.postcode,
            Organisation.email,
            _account_user_online("person"),
            _account_user_online("representative"),
            Organisation.id,
        )
        .join(Person, Person.id == Account.person_id)
        .outerjoin(Representative, Representative.id == Account.correspondent_representative_id)
        .outerjoin(Organisation, Organisation.id == Account.correspondent_organisation_id)
        .where(Account.id.in_(account_ids))
    ).all()
    result = {}
    organisations = _organisations_online()
    for row in rows:
        if row[1] == "representative" and row[10]:
            name, lines, fmt, email, online = row[10], row[11:15], row[15], row[16], row[23]
        elif row[1] == "organisation" and row[17]:
            name, lines, fmt, email = row[17], row[18:21], "standard", row[21]
            online = row[24] in organisations
        else:
            name, lines, fmt = f"{row[2]} {row[3]}", row[4:8], row[8]
            email, online = row[9], row[22]
        result[row[0]] = LetterRecipient(
            name, [line for line in lines if line], fmt, email, bool(online)
        )
    return result | _managing_organisations(account_ids)


def _managing_organisations(account_ids: list[int]) -> dict[int, LetterRecipient]:
    """Accounts whose money an organisation manages today: letters and reminders go to it,
    unless the person chose otherwise when the mandate was recorded (issue 13)."""
    rows = db.session.execute(
        select(
            Mandate.account_id,
            Organisation.name,
            Organisation.address_line_1,
            Organisation.address_line_2,
            Organisation.town,
            Organisation.postcode,
            Organisation.email,
            Organisation.id,
        )
        .join(Organisation, Organisation.id == Mandate.organisation_id)
        .where(
            Mandate.account_id.in_(account_ids),
            Mandate.scope == "manage_money",
            Mandate.letters_to_organisation.is_(True),
            Mandate.current_on(local_today()),
        )
    ).all()
    if not rows:
        return {}
    online = _organisations_online()
    return {
        row[0]: LetterRecipient(
            row[1], [line for line in row[2:6] if line], "standard", row[6], row[7] in online
        )
        for row in rows
    }


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
