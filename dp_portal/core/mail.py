"""Email: SMTP when MAIL_SERVER is set, otherwise .eml files in an outbox folder.

Sent after the transaction commits, so a rolled-back change never emails anyone, or after the
response has gone (`after_response`), so how long the mail server takes shows nowhere. SMTP is
always encrypted and the server's certificate checked (STARTTLS, or implicit TLS with
MAIL_USE_SSL), unless MAIL_USE_TLS is explicitly false (a relay on the same machine).

Nothing here logs or prints a message's body: emails carry set-password links, and the outbox
file (development) or the recipient's mailbox is the only place a link may appear.
"""

from __future__ import annotations

import logging
import re
import secrets
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from flask import after_this_request, current_app

from ..extensions import db
from .aftercommit import on_commit
from .storage import LocalStorage
from .types import utcnow

log = logging.getLogger(__name__)


def build_message(
    to: str, subject: str, body: str, attachments: list[tuple[str, bytes, str]] = ()
) -> EmailMessage:
    """`attachments` are (file name, content, MIME type)."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    for name, content, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message


def _smtp(config) -> smtplib.SMTP:
    """A connection to the mail server, encrypted with its certificate verified against the
    system's trusted authorities and its name (ssl.create_default_context does both)."""
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    if config["MAIL_USE_SSL"]:
        return smtplib.SMTP_SSL(host, port, timeout=30, context=ssl.create_default_context())
    smtp = smtplib.SMTP(host, port, timeout=30)
    if config["MAIL_USE_TLS"]:
        try:
            # Refused (SMTPNotSupportedError) rather than sent in clear if the server cannot.
            smtp.starttls(context=ssl.create_default_context())
        except BaseException:
            smtp.close()
            raise
    return smtp


def deliver(message: EmailMessage) -> Path | None:
    """Send now. Returns the outbox file when no mail server is configured."""
    config = current_app.config
    if config["MAIL_SERVER"]:
        with _smtp(config) as smtp:
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
        return None
    # A developer's outbox, always this machine's disk (production must name a mail server).
    outbox = LocalStorage(config["MAIL_OUTBOX_DIR"])
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    to = re.sub(r"[^A-Za-z0-9._-]", "_", message["To"].replace("@", "_at_"))
    key = outbox.put(f"{stamp}-{secrets.token_hex(4)}-{to}.eml", bytes(message), "message/rfc822")
    return outbox.path(key)


def deliver_safely(message: EmailMessage, *, what: str) -> bool:
    """Send now; if the mail server fails, log it (by kind of error, never the body) and
    return False instead of raising."""
    try:
        deliver(message)
    except (smtplib.SMTPException, OSError) as error:
        log.error("Email (%s) not sent: %s", what, type(error).__name__)
        return False
    return True


def send_message_after_commit(
    message: EmailMessage,
    *,
    what: str,
    on_sent: Callable[[], None] | None = None,
    on_failed: Callable[[], None] | None = None,
) -> None:
    """Send once the transaction commits (never if it rolls back). A mail server that is down
    is logged and reported through `on_failed`, never as an error page: the change itself has
    already been saved."""

    def _send() -> None:
        callback = on_sent if deliver_safely(message, what=what) else on_failed
        if callback is not None:
            callback()

    on_commit(db.session(), _send)


def after_response(action: Callable[[], None]) -> None:
    """Run `action` once the response has gone to the browser, in an app context of its own
    (it opens and commits its own transaction). For work whose duration must not show in the
    response time, such as sending a reset link only when the address belongs to someone."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    @after_this_request
    def _later(response):
        def _run() -> None:
            with app.app_context():
                try:
                    action()
                except Exception as error:  # the browser has its page; say only what failed
                    log.error("Work after the response failed: %s", type(error).__name__)

        response.call_on_close(_run)
        return response
