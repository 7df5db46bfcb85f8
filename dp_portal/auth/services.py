"""Signing in, passwords and set-password links. No Flask request objects here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from ..core import audit
from ..core.types import utcnow
from ..extensions import db
from .models import Role, User

_hasher = PasswordHasher()
# A real hash to verify against when the email is unknown, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 12


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


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    problem: str | None  # None means signed in


def attempt_sign_in(
    email: str, password: str, *, max_failures: int, lock_minutes: int, now: datetime | None = None
) -> SignInResult:
    """Check a password, counting failures in the database so the limit holds across workers."""
    now = now or utcnow()
    generic = "Enter a correct email address and password"
    user = find_user_by_email(email)
    if user is None or user.password_hash is None:
        _safe_verify(_DUMMY_HASH, password)
        return SignInResult(None, generic)
    if user.locked_until is not None and user.locked_until > now:
        return SignInResult(
            user,
            "Your account is locked after too many attempts. Try again in "
            f"{lock_minutes} minutes, or ask an administrator to unlock it",
        )
    if not _safe_verify(user.password_hash, password):
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= max_failures:
            user.locked_until = now + timedelta(minutes=lock_minutes)
            user.failed_sign_ins = 0
            audit.record(None, "user.locked", user, summary="Locked after repeated failed sign-ins")
        return SignInResult(user, generic)
    if not user.is_enabled:
        return SignInResult(user, "Your account has been switched off: contact an administrator")
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return SignInResult(user, None)


def _safe_verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_password(user: User, password: str) -> bool:
    return user.password_hash is not None and _safe_verify(user.password_hash, password)


def set_password(user: User, password: str, *, actor: User | None) -> None:
    user.password_hash = hash_password(password)
    user.session_version += 1
    user.password_changed_at = utcnow()
    user.failed_sign_ins = 0
    user.locked_until = None
    audit.record(actor, "user.password_set", user, summary="Password set")


# --- Set-password links (invitations and resets) -----------------------------------------

_SALT = "dp-set-password"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def make_password_token(user: User, secret_key: str) -> str:
    # The session version makes a link single-use: setting a password bumps it.
    return _serializer(secret_key).dumps({"u": user.id, "v": user.session_version})


def user_for_password_token(token: str, secret_key: str, max_age: timedelta) -> User | None:
    try:
        data = _serializer(secret_key).loads(token, max_age=int(max_age.total_seconds()))
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or user.session_version != data.get("v") or not user.is_enabled:
        return None
    return user


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
        organisation_id=organisation_id if role == Role.BROKERAGE_STAFF else None,
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
    fields = ["role", "organisation_id", "is_enabled"]
    before = audit.snapshot(user, fields)
    user.role = str(role)
    user.organisation_id = organisation_id if role == Role.BROKERAGE_STAFF else None
    if user.is_enabled and not is_enabled:
        user.session_version += 1  # ends their sessions now
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
