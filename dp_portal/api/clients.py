"""Integration clients: created, given a new token, revoked (by an administrator), and found
by the token a call presents. Never commits: the request does. Every change is audited; the
token is returned to the caller once and never stored, logged or audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..auth.models import User
from ..core import audit
from ..core.audit import AuditEvent
from ..core.errors import NotFound, RuleError
from ..core.types import utcnow
from ..extensions import db
from . import tokens
from .models import ApiClient
from .officers import checked_officer
from .rules import ClientStatus, Scope, move, scopes_from_text, scopes_to_text

RECENT_CALLS = 10
CALL_ACTION = "api.call"


@dataclass(frozen=True)
class Issued:
    """A client and its token, which is shown to the administrator this once."""

    client: ApiClient
    token: str


def all_clients() -> list[ApiClient]:
    """Active clients first, then revoked; each group by name."""
    return list(
        db.session.execute(
            select(ApiClient).order_by(ApiClient.status, func.lower(ApiClient.name))
        ).scalars()
    )


def client_by_id(client_id: int) -> ApiClient:
    client = db.session.get(ApiClient, client_id)
    if client is None:
        raise NotFound(f"integration client {client_id}")
    return client


def _summary(client: ApiClient) -> dict[str, object]:
    return {
        "name": client.name,
        "scopes": client.scopes,
        "status": client.status,
        "token_prefix": client.token_prefix,
        "officer": client.officer.email if client.officer is not None else None,
    }


def create_client(
    name: str, scopes: set[Scope], *, actor: User, officer_id: int | None = None
) -> Issued:
    """A new client and its token. One that imports people needs its responsible finance
    officer (officers.py); any other gets none."""
    name = " ".join(name.split())
    if not name:
        raise RuleError("Enter a name for the client, like 'Finance system'")
    if not scopes:
        raise RuleError("Choose at least one thing the client may do")
    officer = checked_officer(officer_id) if Scope.PEOPLE_IMPORT in scopes else None
    taken = db.session.execute(
        select(ApiClient.id).where(func.lower(ApiClient.name) == name.lower())
    ).first()
    if taken:
        raise RuleError(f"A client called '{name}' already exists: choose another name")
    token = tokens.new_token()
    now = utcnow()
    client = ApiClient(
        name=name,
        scopes=scopes_to_text(scopes),
        status=ClientStatus.ACTIVE.value,
        token_hash=tokens.token_digest(token),
        token_prefix=tokens.token_prefix(token),
        token_issued_at=now,
        created_by_id=actor.id,
        created_at=now,
        officer_id=officer.id if officer is not None else None,
        officer=officer,
    )
    db.session.add(client)
    db.session.flush()
    audit.record(
        actor,
        "api_client.created",
        client,
        summary=f"Integration client '{name}' created, token {client.token_prefix}…",
        after=_summary(client),
    )
    return Issued(client, token)


def rotate_token(client_id: int, *, actor: User) -> Issued:
    """A new token for an active client; the old one stops working at once."""
    client = client_by_id(client_id)
    if client.status != ClientStatus.ACTIVE:
        raise RuleError("A revoked client cannot be given a new token: create a new client")
    before = _summary(client)
    token = tokens.new_token()
    client.token_hash = tokens.token_digest(token)
    client.token_prefix = tokens.token_prefix(token)
    client.token_issued_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "api_client.token_replaced",
        client,
        summary=f"New token {client.token_prefix}… for '{client.name}'; "
        f"{before['token_prefix']}… no longer works",
        before=before,
        after=_summary(client),
    )
    return Issued(client, token)


def revoke_client(client_id: int, reason: str, *, actor: User) -> ApiClient:
    client = client_by_id(client_id)
    reason = reason.strip()
    if not reason:
        raise RuleError("Enter why the client is being revoked")
    before = _summary(client)
    move(
        client,
        ClientStatus.REVOKED,
        revoked_at=utcnow(),
        revoked_by_id=actor.id,
        revoke_reason=reason[:300],
    )
    audit.record(
        actor,
        "api_client.revoked",
        client,
        summary=f"Integration client '{client.name}' revoked: {reason}",
        before=before,
        after=_summary(client) | {"reason": reason},
    )
    return client


def client_for_token(token: str) -> ApiClient | None:
    """The active client whose token this is, or None (unknown, replaced or revoked)."""
    if not tokens.plausible(token):
        return None
    return db.session.execute(
        select(ApiClient).where(
            ApiClient.token_hash == tokens.token_digest(token),
            ApiClient.status == ClientStatus.ACTIVE.value,
        )
    ).scalar_one_or_none()


def client_scopes(client: ApiClient) -> frozenset[Scope]:
    return scopes_from_text(client.scopes)


@dataclass(frozen=True)
class Call:
    at: datetime
    summary: str
    status: int | None


def recent_calls(client: ApiClient) -> list[Call]:
    """The client's last calls, newest first: read along the audit log's action index, which
    holds every client's calls (a council has a handful of clients)."""
    events = db.session.execute(
        select(AuditEvent)
        .where(
            AuditEvent.action == CALL_ACTION,
            AuditEvent.object_type == ApiClient.__tablename__,
            AuditEvent.object_id == client.id,
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(RECENT_CALLS)
    ).scalars()
    return [Call(e.occurred_at, e.summary, (e.after or {}).get("status")) for e in events]
