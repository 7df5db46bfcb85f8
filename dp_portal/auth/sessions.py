"""Server-side sessions: a signed-in browser is a row in user_sessions, so signing out ends it
for good (a copied cookie stops working) and a user can end every session at once.

The browser's cookie (signed by Flask) carries "<user id>:<token>"; the table keeps only the
SHA-256 of the token. No Flask request objects here; nothing commits.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from hashlib import sha256

from sqlalchemy import delete, select

from ..core import audit
from ..core.types import utcnow
from ..extensions import db
from .models import User, UserSession


def token_hash(token: str) -> str:
    """What the table keeps of a session token."""
    return sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(user: User, *, lifetime: timedelta, now: datetime | None = None) -> str:
    """A new session for `user`, lasting at most `lifetime`; returns its token (and sets it on
    the user, so `user.get_id()` names it for Flask-Login)."""
    now = now or utcnow()
    # Tidy this user's expired sessions while we are here; the table stays small.
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user_id=user.id, token_hash=token_hash(token), created_at=now, expires_at=now + lifetime
        )
    )
    user.session_token = token
    return token


def user_for_session(session_id: str, *, now: datetime | None = None) -> User | None:
    """The enabled user whose live session `session_id` ("<user id>:<token>") names, or None."""
    raw_id, _, token = session_id.partition(":")
    if not raw_id.isdigit() or not token:
        return None
    user = db.session.execute(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_hash == token_hash(token),
            UserSession.user_id == int(raw_id),
            UserSession.expires_at > (now or utcnow()),
            User.is_enabled.is_(True),
        )
    ).scalar_one_or_none()
    if user is not None:
        user.session_token = token
    return user


def end_session(user: User) -> None:
    """Sign this browser out: its cookie no longer works anywhere."""
    if user.session_token:
        db.session.execute(
            delete(UserSession).where(UserSession.token_hash == token_hash(user.session_token))
        )
    user.session_token = None


def end_other_sessions(user: User) -> None:
    """Every session of `user` except the one this request belongs to."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if user.session_token:
        query = query.where(UserSession.token_hash != token_hash(user.session_token))
    db.session.execute(query)


def end_all_sessions(user: User) -> int:
    """Every session of `user`; returns how many rows went."""
    return db.session.execute(delete(UserSession).where(UserSession.user_id == user.id)).rowcount


def sign_out_everywhere(user: User, *, actor: User) -> None:
    """The user's "sign out of all devices": ends every session, this one too. Audited."""
    ended = end_all_sessions(user)
    user.session_token = None
    audit.record(
        actor,
        "user.signed_out_everywhere",
        user,
        summary=f"Signed out of all devices ({ended} session(s) ended)",
    )
