"""Every view declares who may use it. A test walks the URL map and fails on any view that
does not, so a new route cannot ship unprotected."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from ..extensions import login_manager
from .types import local_today

PUBLIC = "public"
SIGNED_IN = "signed_in"
# Integration clients with a bearer token (dp_portal/api): no person, signed in or not, gets in.
TOKEN = "token"  # noqa: S105 - an access rule's name, not a secret


def _mark(view: Callable, access: Any) -> Callable:
    view._dp_access = access  # type: ignore[attr-defined]
    return view


def public(view: Callable) -> Callable:
    """Anyone, signed in or not."""
    return _mark(view, PUBLIC)


def token_only(view: Callable) -> Callable:
    """Only a request carrying an integration client's bearer token; the wrapper that checks
    it and its scope is the API's (api/auth.py). Sessions and cookies count for nothing."""
    return _mark(view, TOKEN)


def signed_in(view: Callable) -> Callable:
    """Any signed-in user, whatever their role (data is still scoped in the service)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return _mark(wrapper, SIGNED_IN)


def roles_required(*roles: str) -> Callable[[Callable], Callable]:
    """Signed-in users whose role is one of `roles`; others get 403."""
    allowed = frozenset(str(r) for r in roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapper, allowed)

    return decorator


def access_of(view: Callable) -> Any:
    return getattr(view, "_dp_access", None)


def may_open(role: str | None, view: Callable | None) -> bool:
    """Whether a user with `role` passes `view`'s access rule (for links: a page shows a link
    only where its reader may go)."""
    access = access_of(view) if view is not None else None
    if access == PUBLIC:
        return True
    if role is None or access is None or access == TOKEN:
        return False
    return access == SIGNED_IN or role in access


@dataclass(frozen=True)
class Viewer:
    """Who is asking, and on which day: what every scoped loader needs to decide what they
    may see (their role, their links and their organisation's mandates in force that day)."""

    user: Any
    today: date

    @property
    def role(self) -> str:
        return self.user.role


def viewer() -> Viewer:
    """The signed-in user, today (views only)."""
    return Viewer(current_user._get_current_object(), local_today())
