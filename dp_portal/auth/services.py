"""Signing in, passwords and set-password links. No Flask request objects here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import case, func, literal, null, or_, select, update

from ..core import audit
from ..core.types import UTCDateTime, utcnow
from ..extensions import db
from .models import Role, User
from .sessions import end_all_sessions, end_other_sessions, start_session

# OWASP Password Storage Cheat Sheet, "Argon2id": "a minimum configuration of 19 MiB of
# memory, an iteration count of 2, and 1 degree of parallelism". argon2-cffi's default (RFC 9106's
# second profile: 64 MiB, 3 passes, 4 lanes) took about 225 ms of CPU a check, a third of the
# server's CPU under the load bench; this takes about 24 ms and still meets OWASP's
# minimum. Hashes made with other parameters are remade at the next successful sign-in
# (`_rehash_if_needed`).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# A real hash to verify against when the email is unknown, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 12


# Roles that belong to an organisation (its staff see what the organisation may).
ORGANISATION_ROLES = (Role.BROKERAGE_STAFF, Role.PROVIDER_STAFF)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Your password must be at least {MIN_PASSWORD_LENGTH} characters long"
    if len(password) > 256:
        return "Your password must be 256 characters or fewer"
    if email and email.split("@")[0].lower() in password.lower() and len(email) > 4:
        return "Your password must not contain your email address"
    if password.lower() in {"password1234", "passwordpassword", "123456789012", "qwertyuiopas"}:
        return "Choose a password that is harder to guess"
    return None


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


# One message for a wrong password, an unknown email and a locked account, so the page tells an
# attacker nothing about which accounts exist or are locked.
WRONG_DETAILS = "Enter a correct email address and password"


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    problem: str | None  # None means signed in


def attempt_sign_in(
    email: str,
    password: str,
    *,
    max_failures: int,
    lock_minutes: int,
    session_lifetime: timedelta = timedelta(hours=8),
    now: datetime | None = None,
) -> SignInResult:
    """Check a password and, if it is right, start a server-side session (its token is then
    `result.user.session_token`). Failures are counted, and the lock decided, by the database
    itself, so the limit holds across workers and concurrent attempts; attempts while locked
    change nothing, so the lock never outlasts `lock_minutes` from the failure that set it."""
    now = now or utcnow()
    user = find_user_by_email(email)
    if user is None or user.password_hash is None:
        _safe_verify(_DUMMY_HASH, password)
        return SignInResult(None, WRONG_DETAILS)
    if not _safe_verify(user.password_hash, password):
        _count_failure(user, max_failures=max_failures, lock_minutes=lock_minutes, now=now)
        return SignInResult(user, WRONG_DETAILS)
    if _is_locked(user, now):
        return SignInResult(user, WRONG_DETAILS)
    if not user.is_enabled:
        return SignInResult(user, "Your account has been switched off: contact an administrator")
    if not _clear_failures(user, now):
        return SignInResult(user, WRONG_DETAILS)  # locked by a concurrent attempt just now
    _rehash_if_needed(user, password)
    start_session(user, lifetime=session_lifetime, now=now)
    return SignInResult(user, None)


def _rehash_if_needed(user: User, password: str) -> None:
    """After a right password only: remake a hash made with other parameters (older, stronger
    or weaker) with today's, so every stored hash converges on the policy above."""
    if user.password_hash is None or not _hasher.check_needs_rehash(user.password_hash):
        return
    user.password_hash = hash_password(password)
    audit.record(
        user,
        "user.password_rehashed",
        user,
        summary="Password hash remade with the current argon2id parameters at sign-in",
    )


def _not_locked(now: datetime):
    return or_(User.locked_until.is_(None), User.locked_until <= now)


def _is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _count_failure(user: User, *, max_failures: int, lock_minutes: int, now: datetime) -> None:
    """One UPDATE: add a failure, and lock when it reaches the limit (the count restarts).
    The WHERE skips locked users, so trying again while locked does not extend the lock."""
    failures = User.failed_sign_ins + 1
    reaches_limit = failures >= max_failures
    lock_until = literal(now + timedelta(minutes=lock_minutes), UTCDateTime())
    new_count = db.session.execute(
        update(User)
        .where(User.id == user.id, _not_locked(now))
        .values(
            failed_sign_ins=case((reaches_limit, 0), else_=failures),
            locked_until=case((reaches_limit, lock_until), else_=null()),
        )
        .returning(User.failed_sign_ins)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    db.session.expire(user, ["failed_sign_ins", "locked_until"])
    if new_count == 0:
        audit.record(
            None,
            "user.locked",
            user,
            summary=f"Locked for {lock_minutes} minutes after {max_failures} failed sign-ins",
        )


def _clear_failures(user: User, now: datetime) -> bool:
    """Record a sign-in, unless a lock landed since the password was checked."""
    cleared = db.session.execute(
        update(User)
        .where(User.id == user.id, _not_locked(now))
        .values(
            failed_sign_ins=0,
            locked_until=None,
            previous_sign_in_at=User.last_sign_in_at,  # SET reads the row as it was
            last_sign_in_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(
        user, ["failed_sign_ins", "locked_until", "last_sign_in_at", "previous_sign_in_at"]
    )
    return cleared == 1


def _safe_verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_password(user: User, password: str) -> bool:
    return user.password_hash is not None and _safe_verify(user.password_hash, password)


def set_password(user: User, password: str, *, actor: User | None) -> None:
    """Set a new password: unlocks the user, kills every set-password link, and ends every
    session except the one `user.session_token` names (the user changing their own)."""
    user.password_hash = hash_password(password)
    user.password_link_nonce = None
    user.password_changed_at = utcnow()
    user.failed_sign_ins = 0
    user.locked_until = None
    end_other_sessions(user)
    audit.record(actor, "user.password_set", user, summary="Password set")


# --- Set-password links (invitations and resets) -----------------------------------------
# A link is a signed token naming the user, the kind of link and the user's current
# `password_link_nonce`. Each new link replaces the nonce, so it revokes every older link without
# touching the user's sessions (anyone may ask for a reset for any address: that must not sign
# the real user out); setting a password clears it, so a link works once. The kind is signed
# too, so a reset link cannot be stretched to an invitation's lifetime.

_SALT = "dp-set-password"


class LinkKind(StrEnum):
    INVITATION = "invitation"
    RESET = "reset"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def make_password_token(user: User, secret_key: str, kind: LinkKind = LinkKind.INVITATION) -> str:
    """A new link for `user`; every earlier link of theirs stops working."""
    if user.id is None:
        db.session.flush()
    user.password_link_nonce = secrets.token_urlsafe(24)
    return _serializer(secret_key).dumps(
        {"u": user.id, "k": str(kind), "n": user.password_link_nonce}
    )


def user_for_password_token(
    token: str, secret_key: str, max_age: dict[LinkKind, timedelta]
) -> tuple[User, LinkKind] | None:
    """The user a link is for and its kind, if the link is genuine, unexpired for its kind, the
    newest one issued to them and not yet used; otherwise None."""
    longest = max(max_age.values())
    try:
        data, signed_at = _serializer(secret_key).loads(
            token, max_age=int(longest.total_seconds()), return_timestamp=True
        )
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or data.get("k") not in set(LinkKind):
        return None
    kind = LinkKind(data["k"])
    if utcnow() - signed_at > max_age[kind]:
        return None
    user = db.session.get(User, data["u"]) if isinstance(data.get("u"), int) else None
    nonce = data.get("n")
    if (
        user is None
        or not user.is_enabled
        or not isinstance(nonce, str)
        or user.password_link_nonce is None
        or not secrets.compare_digest(user.password_link_nonce, nonce)
    ):
        return None
    return user, kind


def user_id_in_token(token: str, secret_key: str) -> int | None:
    """Whom a genuine token names, however old: a key for rate limits, never a permission."""
    try:
        data = _serializer(secret_key).loads(token)
    except BadSignature:
        return None
    return data.get("u") if isinstance(data, dict) and isinstance(data.get("u"), int) else None


def invite_user(
    *,
    email: str,
    full_name: str,
    role: Role,
    organisation_id: int | None,
    actor: User,
) -> User:
    user = User(
        email=email.strip().lower(),
        full_name=full_name,
        role=str(role),
        organisation_id=organisation_id if role in ORGANISATION_ROLES else None,
    )
    db.session.add(user)
    audit.record(
        actor,
        "user.invited",
        user,
        summary=f"Invited {user.email} as {role.label}",
        after=audit.snapshot(user, ["email", "full_name", "role", "organisation_id"]),
    )
    return user


def update_user(
    user: User, *, role: Role, organisation_id: int | None, is_enabled: bool, actor: User
) -> None:
    fields = ["role", "organisation_id", "is_enabled", "is_organisation_admin"]
    before = audit.snapshot(user, fields)
    organisation_id = organisation_id if role in ORGANISATION_ROLES else None
    if organisation_id != user.organisation_id or not is_enabled:
        # An organisation's administrator administers that organisation only, while active.
        user.is_organisation_admin = False
    user.role = str(role)
    user.organisation_id = organisation_id
    if user.is_enabled and not is_enabled:
        end_all_sessions(user)  # signed out now, wherever they are
    user.is_enabled = is_enabled
    after = audit.snapshot(user, fields)
    if before != after:
        audit.record(
            actor, "user.updated", user, before=before, after=after, summary="User changed"
        )


def unlock_user(user: User, *, actor: User) -> None:
    user.locked_until = None
    user.failed_sign_ins = 0
    audit.record(actor, "user.unlocked", user, summary="Unlocked by an administrator")
