"""The responsible finance officer of an integration client that imports people.

An integration client is no user, but the changes an import makes are finance officers' work
(adding people and accounts, asking for new bank details, proposing budgets), and the
four-eyes rules compare the user who asked with the user who approves. So a client with the
`people:import` scope imports in the name of one finance officer, named by the administrator
who creates it (and changed, audited, on the client's page): every change it makes is
recorded as that officer's, with an audit label that says it came through the client, and that
officer can never be the second person who approves what the client asked for.

A client whose officer is switched off, or is no longer a finance officer, imports nothing
until an administrator names another: nobody would answer for the changes otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..auth.models import Role, User
from ..core import audit
from ..core.errors import NotFound, RuleError
from ..extensions import db
from .models import ApiClient
from .rules import ClientStatus, Scope, scopes_from_text


class OfficerProblem(RuleError):
    """The officer chosen cannot answer for a client's imports (shown on the officer field)."""


@dataclass(frozen=True)
class OnBehalf:
    """Who an import through the API acts as: the responsible officer's id (so the four-eyes
    rules and the import's records name that officer) and an audit label saying which client
    made the change. Duck-types the `User` the services take (they read `id` and `email`)."""

    id: int
    email: str


def officer_choices() -> list[tuple[int, str]]:
    """Finance officers who are switched on, as (id, "Name (email)"), by name."""
    rows = db.session.execute(
        select(User)
        .where(User.role == Role.FINANCE_OFFICER, User.is_enabled.is_(True))
        .order_by(func.lower(User.full_name), User.id)
    ).scalars()
    return [(user.id, f"{user.full_name} ({user.email})") for user in rows]


def why_not_officer(user: User | None) -> str | None:
    """Why this user cannot answer for a client's imports, or None when they can."""
    if user is None:
        return "This client has no responsible finance officer"
    if user.role != Role.FINANCE_OFFICER:
        return f"{user.full_name}, the responsible officer, is no longer a finance officer"
    if not user.is_enabled:
        return f"{user.full_name}, the responsible finance officer, is switched off"
    return None


def checked_officer(officer_id: int | None) -> User:
    """The finance officer chosen on a form, or RuleError saying why they cannot be."""
    user = db.session.get(User, officer_id) if officer_id else None
    if user is None:
        raise OfficerProblem("Choose the finance officer responsible for what this client imports")
    problem = why_not_officer(user)
    if problem:
        raise OfficerProblem(f"{problem}: choose another officer")
    return user


def imports_people(client: ApiClient) -> bool:
    return Scope.PEOPLE_IMPORT in scopes_from_text(client.scopes)


def set_officer(client_id: int, officer_id: int | None, *, actor: User) -> tuple[ApiClient, bool]:
    """Name another responsible officer for an active client that imports people; audited.
    The client, and False when the officer named is the one already responsible."""
    client = db.session.get(ApiClient, client_id)
    if client is None:
        raise NotFound(f"integration client {client_id}")
    if client.status != ClientStatus.ACTIVE:
        raise RuleError("A revoked client imports nothing: it needs no officer")
    if not imports_people(client):
        raise RuleError("This client does not import people, so it needs no officer")
    officer = checked_officer(officer_id)
    if officer.id == client.officer_id:
        return client, False
    before = client.officer
    client.officer_id = officer.id
    client.officer = officer
    db.session.flush()
    audit.record(
        actor,
        "api_client.officer_changed",
        client,
        summary=f"{officer.full_name} is now the finance officer responsible for what "
        f"'{client.name}' imports" + (f" (was {before.full_name})" if before is not None else ""),
        before={"officer": before.email if before is not None else None},
        after={"officer": officer.email},
    )
    return client, True


def acting_for(client: ApiClient) -> OnBehalf:
    """Who the client's imports are made by, or RuleError naming why it may not import."""
    problem = why_not_officer(client.officer)
    if problem:
        raise RuleError(
            f"{problem}: nothing is imported until the council's administrator names a "
            "finance officer on this client's page."
        )
    officer = client.officer
    through = f" through integration client {client.id}: {client.name}"
    return OnBehalf(officer.id, (officer.email + through)[:254])
