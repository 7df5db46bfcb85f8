"""The scoped loader for accounts and what hangs off them (people, representatives, access
links, letters). Every query for a person's data starts here, so one place decides who may
see and do what.

Who may do what on an account, on a given day:
- finance officers: everything, on every account (finance work needs the whole book);
- team leaders and administrators: see every account, read only;
- a supported person or representative: see, and send returns for, the accounts linked to
  their user (while the link is current);
- organisation staff: what their organisation's mandates in force that day allow (scope and
  dates): "manage the money" lets them see and send returns, act as the employer and hold
  the money; "prepare returns" lets them see and send returns; "view only" lets them see.
  Access starts and ends with the mandate's dates (a mandate still waiting for the person's
  consent, or withdrawn, gives none).
Not being able to see an account is NotFound (404: a guessed id reveals nothing); seeing it
but not being allowed to do something is NotAllowed (403).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ColumnElement, Select, exists, false, func, select, true
from sqlalchemy.orm import contains_eager

from ..auth.models import Role
from ..core.errors import NotAllowed, NotFound
from ..core.letters import Letter
from ..core.permissions import Viewer
from ..extensions import db
from ..third_party.models import Mandate
from .models import Account, AccountAccess, BankDetailsChange, Person, Representative
from .search import matching_accounts


class Need(StrEnum):
    VIEW = "view"  # read the account, its budget, payments, letters and returns
    RETURNS = "returns"  # fill in and send returns, add evidence
    EMPLOYER = "employer"  # act as the PAs' employer: the checklist, the Charter Mark
    # Hold and spend the person's money: post to their sub-ledger in the organisation's
    # pooled client account.
    CLIENT_MONEY = "client_money"


# What each mandate scope lets an organisation's staff do (reg. 5 of the 2014 Regulations:
# the person decides how much a third party does for them).
MANDATE_ALLOWS: dict[str, frozenset[Need]] = {
    # Managing the money includes running the PAs' payroll, so the employer's records too.
    # Only an organisation that holds the money keeps a sub-ledger of it.
    "manage_money": frozenset({Need.VIEW, Need.RETURNS, Need.EMPLOYER, Need.CLIENT_MONEY}),
    # Preparing returns is paperwork for the person, who keeps the money and the employer's
    # role: the organisation fills in and sends returns and adds evidence, nothing more.
    "prepare_returns": frozenset({Need.VIEW, Need.RETURNS}),
    "view_only": frozenset({Need.VIEW}),
}
# Roles that see every account, and what they may do on all of them.
WHOLE_BOOK: dict[str, frozenset[Need]] = {
    Role.FINANCE_OFFICER: frozenset(Need),
    Role.TEAM_LEADER: frozenset({Need.VIEW}),
    Role.ADMIN: frozenset({Need.VIEW}),
}
RECIPIENT_ALLOWS = frozenset(Need)


def sees_whole_book(viewer: Viewer) -> bool:
    return viewer.role in WHOLE_BOOK


def account_filter(viewer: Viewer, need: Need = Need.VIEW) -> ColumnElement[bool]:
    """A SQL condition on Account: the accounts `viewer` may `need` today."""
    user = viewer.user
    if user.role in WHOLE_BOOK:
        return true() if need in WHOLE_BOOK[user.role] else false()
    if user.role == Role.RECIPIENT:
        if need not in RECIPIENT_ALLOWS:
            return false()
        return exists().where(
            AccountAccess.account_id == Account.id,
            AccountAccess.user_id == user.id,
            AccountAccess.is_current.is_(True),
        )
    if user.role == Role.BROKERAGE_STAFF and user.organisation_id is not None:
        scopes = [scope for scope, allows in MANDATE_ALLOWS.items() if need in allows]
        return exists().where(
            Mandate.account_id == Account.id,
            Mandate.organisation_id == user.organisation_id,
            Mandate.scope.in_(scopes),
            Mandate.current_on(viewer.today),
        )
    return false()  # a role we do not know sees nothing


def allows(viewer: Viewer, account_id: int, need: Need) -> bool:
    return (
        db.session.execute(
            select(Account.id).where(Account.id == account_id, account_filter(viewer, need))
        ).first()
        is not None
    )


def load_account(viewer: Viewer, account_id: int, need: Need = Need.VIEW) -> Account:
    account = db.session.execute(
        select(Account).where(Account.id == account_id, account_filter(viewer, Need.VIEW))
    ).scalar_one_or_none()
    if account is None:
        raise NotFound(f"account {account_id}")
    if need != Need.VIEW and not allows(viewer, account_id, need):
        raise NotAllowed(f"{need} on account {account_id}")
    return account


def load_through_account(viewer: Viewer, model, object_id: int, need: Need = Need.VIEW):
    """A row of `model` (anything with an `account_id`) by id, if the viewer may see its
    account; NotAllowed if they may see it but not do `need` to it."""
    row = db.session.execute(
        select(model)
        .join(Account, Account.id == model.account_id)
        .where(model.id == object_id, account_filter(viewer, Need.VIEW))
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"{model.__tablename__} {object_id}")
    if need != Need.VIEW and not allows(viewer, row.account_id, need):
        raise NotAllowed(f"{need} on {model.__tablename__} {object_id}")
    return row


def visible_accounts(viewer: Viewer, *, search: str = "", status: str = "") -> Select:
    """The accounts `viewer` may see, by name, found by `search` (accounts/search.py)."""
    query = (
        select(Account)
        .join(Account.person)
        .options(contains_eager(Account.person))
        .where(account_filter(viewer))
        # People's id before the account's: the name index (and the person's id within it)
        # then gives the order, and page 200 costs what page 1 does.
        .order_by(Person.last_name, Person.first_name, Person.id, Account.id)
    )
    found = matching_accounts(search, db.session.get_bind().dialect.name)
    if found is not None:
        query = query.where(found)
    if status in ("active", "suspended", "closed"):
        query = query.where(Account.status == status)
    return query


def status_counts(viewer: Viewer) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(Account.status, func.count())
            .where(account_filter(viewer))
            .group_by(Account.status)
        ).all()
    )


def load_person(viewer: Viewer, person_id: int) -> Person:
    """People are opened from the whole book only (staff); others reach a person through
    their account."""
    person = db.session.get(Person, person_id) if sees_whole_book(viewer) else None
    if person is None:
        raise NotFound(f"person {person_id}")
    return person


def load_representative(viewer: Viewer, rep_id: int) -> Representative:
    rep = db.session.get(Representative, rep_id) if sees_whole_book(viewer) else None
    if rep is None:
        raise NotFound(f"representative {rep_id}")
    return rep


def load_access_link(viewer: Viewer, account_id: int, link_id: int) -> AccountAccess:
    account = load_account(viewer, account_id)
    link = db.session.execute(
        select(AccountAccess).where(
            AccountAccess.id == link_id, AccountAccess.account_id == account.id
        )
    ).scalar_one_or_none()
    if link is None:
        raise NotFound(f"access link {link_id}")
    return link


def load_letter(viewer: Viewer, letter_id: int) -> Letter:
    return load_through_account(viewer, Letter, letter_id)


def load_accounts_by_id(viewer: Viewer, ids: set[int]) -> dict[int, Account]:
    """Several accounts at once, for a list page; ids the viewer may not see are left out."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(Account).where(Account.id.in_(ids), account_filter(viewer))
    ).scalars()
    return {account.id: account for account in rows}


def load_bank_change(viewer: Viewer, change_id: int) -> BankDetailsChange:
    return load_through_account(viewer, BankDetailsChange, change_id)


def load_mandate(viewer: Viewer, mandate_id: int) -> Mandate:
    return load_through_account(viewer, Mandate, mandate_id)
