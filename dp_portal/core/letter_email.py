"""Email a copy of each letter, with its PDF attached, to a correspondent with an address on
file. The letter is stored (and on the correspondence page) whatever happens to the email:
mail failing never loses a letter.

Each attempt is claimed first with a lease, so two senders never send the same letter at once;
a failed attempt is retried on a widening timetable; a refused address, or the last attempt,
marks the email failed, which finance officers see and can retry. Delivery is at least once:
a crash between the mail server accepting and our commit sends that letter again.

The email's lifecycle (`Letter.email_status`; NULL means post only, no address on file). Every
change of state goes through `move` (or `claim`, its race-safe form for senders), which
allows only the pairs in TRANSITIONS:

    recorded        claim (a lease of 15 minutes)         delivered
    --------> PENDING ---------------------------> SENDING ---------> SENT
                ^  ^                              |  |  ^
                |  +------ retry later -----------+  |  |  lease lapsed (the sender
                |     (a temporary failure)          |  |  crashed): claimed again
                |                                    |  +--+
                |  an officer checked the address    v
                +--------------------------------- FAILED
                                 (address refused, or the last attempt failed)
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import defer

from ..extensions import db
from .errors import RuleError
from .letters import EmailStatus, Letter, render_letter
from .mail import build_message, deliver
from .types import utcnow

S = EmailStatus
TRANSITIONS: frozenset[tuple[EmailStatus, EmailStatus]] = frozenset(
    {
        (S.PENDING, S.SENDING),  # a sender claims it
        (S.SENDING, S.SENDING),  # the lease lapsed: another sender claims it
        (S.SENDING, S.SENT),
        (S.SENDING, S.PENDING),  # a temporary failure: try again later
        (S.SENDING, S.FAILED),  # a refused address, or the last attempt
        (S.FAILED, S.PENDING),  # an officer has checked the address
    }
)


def sources(to: EmailStatus) -> list[EmailStatus]:
    """The states an email may move to `to` from."""
    return [state for state in EmailStatus if (state, to) in TRANSITIONS]


def move(letter: Letter, to: EmailStatus) -> None:
    """Move the letter's email to `to`, or raise RuleError if its lifecycle does not allow it."""
    current = letter.email_status
    if (current, to) not in TRANSITIONS:
        raise RuleError(f"A letter's email cannot go from {current or 'post only'} to {to}")
    letter.email_status = to


RETRY_AFTER = (
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
LEASE = timedelta(minutes=15)  # longer than one send takes; a crashed sender's claim lapses


def init_app(app: Flask, *, letters_link: Callable[[int], str]) -> None:
    """The app says where a recipient reads their letters online (`letters_link(account_id)`,
    a full address): the kernel knows no domain's pages."""
    app.extensions["dp_letters_link"] = letters_link


def _due(now: datetime):
    """Waiting and its time has come, or claimed by a sender whose lease has lapsed."""
    return (
        Letter.email_status.in_(sources(EmailStatus.SENDING)),
        or_(Letter.email_next_attempt_at.is_(None), Letter.email_next_attempt_at <= now),
    )


def letters_to_email(limit: int, now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    return list(
        db.session.execute(
            select(Letter.id).where(*_due(now)).order_by(Letter.id).limit(limit)
        ).scalars()
    )


def _body(letter: Letter) -> str:
    config = current_app.config
    link = current_app.extensions["dp_letters_link"](letter.account_id)
    # Only someone who can sign in is sent to the service (LetterRecipient.online).
    online = (
        " You can also read it, and every letter we have sent you, when you sign in to the "
        f"{config['SERVICE_NAME']} service:\n{link}\n\n"
        if letter.context.get("online")
        else "\n\n"
    )
    return (
        f"Dear {letter.recipient_name},\n\n"
        f"We have sent you a letter: {letter.subject}.\n\n"
        f"It is attached to this email as a PDF.{online}"
        f"If you have a question, call us on {config['COUNCIL_PHONE']} or email "
        f"{config['COUNCIL_EMAIL']}. Please do not reply to this email.\n\n"
        f"{config['COUNCIL_NAME']}\n"
    )


def _permanent(exc: Exception) -> bool:
    # A refused address or a 5xx answer will not get better by waiting.
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600


def claim(letter_id: int, now: datetime) -> bool:
    """Move one due letter to SENDING with a lease, unless another sender got there first (a
    conditional UPDATE: of two senders, one finds it due). Commits."""
    claimed = db.session.execute(
        update(Letter)
        .where(Letter.id == letter_id, *_due(now))
        .values(
            email_status=EmailStatus.SENDING,
            email_attempts=Letter.email_attempts + 1,
            email_next_attempt_at=now + LEASE,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(claimed)


def _send(letter: Letter) -> None:
    pdf = render_letter(letter)
    db.session.commit()  # keep the PDF whatever the mail server does
    name = f"{letter.kind}-letter-{letter.letter_date.isoformat()}.pdf"
    message = build_message(
        letter.email_to, letter.subject, _body(letter), [(name, pdf, "application/pdf")]
    )
    deliver(message)


def _record_failure(letter_id: int, exc: Exception, now: datetime) -> str:
    db.session.rollback()
    letter = db.session.get(Letter, letter_id, populate_existing=True)
    letter.email_error = f"{type(exc).__name__}: {exc}"[:500]
    if _permanent(exc) or letter.email_attempts >= MAX_ATTEMPTS:
        move(letter, EmailStatus.FAILED)
        letter.email_next_attempt_at = None
        outcome = "failed"
    else:
        move(letter, EmailStatus.PENDING)
        letter.email_next_attempt_at = now + RETRY_AFTER[letter.email_attempts - 1]
        outcome = "retry"
    current_app.logger.warning("Letter %s not emailed: %s", letter_id, letter.email_error)
    db.session.commit()
    return outcome


def email_letter(letter_id: int, now: datetime | None = None) -> str:
    """One attempt at one letter. Commits. Returns 'sent', 'retry', 'failed' or 'skipped'."""
    now = now or utcnow()
    if not claim(letter_id, now):
        return "skipped"  # sent, failed, or another sender has it
    letter = db.session.get(Letter, letter_id, populate_existing=True)
    try:
        _send(letter)
    except Exception as exc:  # any failure is recorded and retried: the letter is never lost
        return _record_failure(letter_id, exc, now)
    move(letter, EmailStatus.SENT)
    letter.emailed_at = utcnow()
    letter.email_error, letter.email_next_attempt_at = None, None
    db.session.commit()
    return "sent"


def email_due_letters(limit: int = 200, now: datetime | None = None) -> dict[str, int]:
    outcomes: dict[str, int] = {}
    for letter_id in letters_to_email(limit, now):
        outcome = email_letter(letter_id, now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        db.session.expunge_all()  # PDFs are large: do not keep them in the session
    return outcomes


def undelivered():
    """Letters whose email failed, newest first (a query, for paging)."""
    return (
        select(Letter)
        .options(defer(Letter.pdf))
        .where(Letter.email_status == EmailStatus.FAILED)
        .order_by(Letter.id.desc())
    )


def retry(letter: Letter, email_to: str) -> None:
    """An officer has checked the address (perhaps corrected it): try again from the start of
    the retry timetable, to the address now on file."""
    move(letter, EmailStatus.PENDING)
    letter.email_to, letter.email_attempts, letter.email_next_attempt_at = email_to, 0, None
