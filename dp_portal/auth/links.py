"""The emails that carry set-password links (tokens: services.make_password_token).

Links go only into the email itself: never into logs or the console. A reset link is issued
and sent after the response has gone (see the reset view), so the page takes the same time
whether or not the address belongs to anyone, and a mail server that is down never shows.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app

from ..core import audit, mail
from ..core.urls import public_url
from ..extensions import db
from .models import User
from .services import LinkKind, find_user_by_email, make_password_token

log = logging.getLogger(__name__)


def max_ages() -> dict[LinkKind, timedelta]:
    config = current_app.config
    return {
        LinkKind.INVITATION: config["PASSWORD_LINK_MAX_AGE"],
        LinkKind.RESET: config["PASSWORD_RESET_MAX_AGE"],
    }


def link_email(user: User, kind: LinkKind, *, actor: User | None) -> EmailMessage:
    """Issue a new link for `user` (audited) and the email that carries it."""
    config = current_app.config
    token = make_password_token(user, config["SECRET_KEY"], kind)
    link = public_url("auth.set_password", token=token)
    council = config["COUNCIL_NAME"]
    if kind == LinkKind.INVITATION:
        subject = f"You have been invited to {council}'s direct payments portal"
        opening = f"{council} has set up an account for you on the direct payments portal."
    else:
        subject = f"Set a new password for {council}'s direct payments portal"
        opening = "We received a request to set a new password for your account."
    audit.record(actor, "user.password_link_sent", user, summary=f"New {kind} link sent")
    body = (
        f"Dear {user.full_name},\n\n{opening}\n\n"
        f"Use this link to choose your password. It works once, for {lifetime(kind)}:\n\n"
        f"{link}\n\n"
        f"Any link we sent you before this one no longer works.\n\n"
        f"If you did not expect this email, you can ignore it, or call us on "
        f"{config['COUNCIL_PHONE']}.\n\n{council}\n"
    )
    return mail.build_message(user.email, subject, body)


def lifetime(kind: LinkKind) -> str:
    """How long a link of this kind works, in words."""
    seconds = int(max_ages()[kind].total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


def send_reset_link(email: str) -> None:
    """Run after the response (see the reset view): issue a reset link if `email` belongs to an
    enabled user, commit, and email it. Whatever happens, the person already has their page."""
    user = find_user_by_email(email)
    if user is None or not user.is_enabled:
        return
    user_id = user.id
    try:
        message = link_email(user, LinkKind.RESET, actor=None)
        db.session.commit()
    except Exception as error:  # logged by type only: its text could hold SQL parameters
        db.session.rollback()
        log.error("Reset link for user %s not issued: %s", user_id, type(error).__name__)
        return
    mail.deliver_safely(message, what=f"reset link for user {user_id}")
