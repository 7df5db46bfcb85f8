"""Email: SMTP when MAIL_SERVER is set, otherwise .eml files in an outbox folder.

Always sent after the transaction commits, so a rolled-back change never emails anyone.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from ..extensions import db
from .aftercommit import on_commit
from .types import utcnow


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


def deliver(message: EmailMessage) -> Path | None:
    """Send now. Returns the outbox file when no mail server is configured."""
    config = current_app.config
    if config["MAIL_SERVER"]:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
        return None
    outbox = Path(config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    path = outbox / f"{stamp}-{message['To'].replace('@', '_at_')}.eml"
    path.write_bytes(bytes(message))
    return path


def send_after_commit(to: str, subject: str, body: str) -> None:
    message = build_message(to, subject, body)
    app = current_app._get_current_object()

    def _send():
        with app.app_context():
            path = deliver(message)
            if path is not None:
                # Development: say where the email went, and its links, on the console.
                print(f"Email to {to} written to {path}", flush=True)
                for line in body.splitlines():
                    if line.startswith(("http://", "https://")):
                        print(f"  link: {line}", flush=True)

    on_commit(db.session(), _send)
