"""Rate limits on the routes an attacker would hammer: signing in, asking for reset links,
setting a password from a link, and uploading files.

Each route gets two limits, both counted on POST only: one per client address (slows a single
machine guessing passwords for many accounts) and one per account name or signed-in user (slows
many machines guessing one account's password, or filling one person's mailbox with links).
The limits are settings (RATELIMIT_*), read at request time so a test can lower them.

A limited request gets the 429 page (errors.py): the same page whether or not the email typed
belongs to anyone, so the limits reveal nothing about who has an account.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from hashlib import sha256

from flask import Flask, current_app, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from ..extensions import limiter


def init_app(app: Flask) -> None:
    proxies = app.config["TRUSTED_PROXY_COUNT"]
    if proxies:
        # Behind a reverse proxy every request comes from the proxy: take the client's address
        # from the X-Forwarded-For entry the trusted proxy added (and nothing else it sends).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=0, x_host=0)  # type: ignore[method-assign]
    limiter.init_app(app)


def client_address() -> str:
    return "address:" + (request.remote_addr or "unknown")


def digest(value: str) -> str:
    """Keys may be kept in Redis: keep a hash there, never the email address someone typed."""
    return sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def typed_account_name() -> str:
    """The email typed in the form, normalised as sign-in matches it."""
    return "account:" + digest(request.form.get("email", "")[:254].strip().lower())


def signed_in_user() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return client_address()


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def post_limits(
    per_address: str, per_name: str, name_key: Callable[[], str]
) -> Callable[[Callable], Callable]:
    """Limit POSTs to a view by client address (setting `per_address`) and by `name_key`
    (setting `per_name`). Put it below the access decorator, so the user is known."""
    by_address = limiter.limit(_setting(per_address), key_func=client_address, methods=["POST"])
    by_name = limiter.limit(_setting(per_name), key_func=name_key, methods=["POST"])

    def decorator(view: Callable) -> Callable:
        return by_address(by_name(view))

    return decorator


sign_in_limits = post_limits(
    "RATELIMIT_SIGN_IN_PER_ADDRESS", "RATELIMIT_SIGN_IN_PER_ACCOUNT", typed_account_name
)
reset_request_limits = post_limits(
    "RATELIMIT_RESET_PER_ADDRESS", "RATELIMIT_RESET_PER_ACCOUNT", typed_account_name
)
# For upload routes (returns, evidence): per client address and per signed-in user.
upload_limits = post_limits(
    "RATELIMIT_UPLOAD_PER_ADDRESS", "RATELIMIT_UPLOAD_PER_USER", signed_in_user
)


def seconds_until_retry() -> int | None:
    """Seconds until the limit that was just hit lets requests through again."""
    current = limiter.current_limit
    if current is None:
        return None
    return max(1, math.ceil(current.reset_at - time.time()))
