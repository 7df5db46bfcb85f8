"""What an integration client may do, and the one lifecycle it has.

Scopes are a fixed list: an administrator ticks the ones a client needs when creating it, and
each endpoint names the scope it requires (a token without it is refused with 403).

An integration client's lifecycle::

    active ──revoke──▶ revoked

A revoked client never comes back (its token stops at once and for good): a system that needs
access again gets a new client, so the audit log keeps one story per client. Rotating the
token keeps the client active and replaces its token (the old one stops at once).

`move` changes the row with a conditional UPDATE (``WHERE status = <the state the caller
saw>``), so of two administrators revoking at once only one does it; the other is told.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from ..core.errors import RuleError
from ..core.types import LabelledEnum
from ..extensions import db
from .models import ApiClient


class Scope(LabelledEnum):
    PEOPLE_IMPORT = "people:import", "Import people, accounts and budgets"
    PAYMENTS_READ = "payments:read", "Read committed payment runs"
    LEDGER_READ = "ledger:read", "Read the finance journal (payments and ledger entries)"
    RETURNS_READ = "returns:read", "Read the status of financial monitoring returns"
    RECOVERIES_READ = "recoveries:read", "Read recoveries: amounts asked back, repaid, owed"


class ClientStatus(LabelledEnum):
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked"


# state -> the states it may move to. Anything not listed is refused.
TRANSITIONS: dict[ClientStatus, frozenset[ClientStatus]] = {
    ClientStatus.ACTIVE: frozenset({ClientStatus.REVOKED}),
    ClientStatus.REVOKED: frozenset(),
}

REFUSED = {
    ClientStatus.REVOKED: "This client is already revoked: its token no longer works.",
    ClientStatus.ACTIVE: "A revoked client cannot be switched back on: create a new client.",
}


def move(client: ApiClient, to: ClientStatus, **also: object) -> None:
    """Move `client` to `to` (setting the columns in `also` in the same statement: a revoked
    row carries when and by whom), or raise RuleError if the table forbids the move or
    someone else made it first."""
    current = ClientStatus(client.status)
    if to not in TRANSITIONS[current]:
        raise RuleError(REFUSED[to])
    result = db.session.execute(
        update(ApiClient)
        .where(ApiClient.id == client.id, ApiClient.status == current.value)
        .values(status=to.value, **also)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise RuleError(REFUSED[to])
    for name, value in {"status": to.value, **also}.items():
        set_committed_value(client, name, value)


def scopes_from_text(text: str) -> frozenset[Scope]:
    """The scopes a client holds, from the space-separated column (unknown words ignored:
    a scope withdrawn from the list grants nothing)."""
    known = {scope.value: scope for scope in Scope}
    return frozenset(known[word] for word in text.split() if word in known)


def scopes_to_text(scopes: set[Scope] | frozenset[Scope]) -> str:
    return " ".join(scope.value for scope in Scope if scope in scopes)
