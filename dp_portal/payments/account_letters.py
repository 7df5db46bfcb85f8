"""An account's letters, and the emailed copies that did not arrive (for finance officers and
administrators to check the address and try again)."""

from __future__ import annotations

from dataclasses import dataclass

from ..accounts import scope as account_scope
from ..accounts.correspondents import correspondents
from ..accounts.models import Account
from ..core import audit, letter_email
from ..core.errors import RuleError
from ..core.letters import Letter, render_letter
from ..core.permissions import Viewer
from ..extensions import db


@dataclass(frozen=True)
class UndeliveredPage:
    page: object  # Flask-SQLAlchemy's Pagination of letters, newest first
    accounts: dict[int, Account]  # the accounts of the letters on this page
    max_attempts: int = letter_email.MAX_ATTEMPTS


def undelivered_page(viewer: Viewer, page: int | None) -> UndeliveredPage:
    listed = db.paginate(letter_email.undelivered(), page=page, per_page=50, error_out=False)
    accounts = account_scope.load_accounts_by_id(
        viewer, {letter.account_id for letter in listed.items}
    )
    return UndeliveredPage(listed, accounts)


def email_again(letter: Letter, *, actor) -> str:
    """Send a failed email again, from the start of the retry timetable, to the address of
    whoever receives the account's letters now. Returns that address."""
    email = correspondents([letter.account_id])[letter.account_id].email
    if letter.email_status != "failed":
        raise RuleError("That letter's email has not failed, so there is nothing to retry.")
    if not email:
        raise RuleError(
            "There is no email address on file for who receives this account's letters. "
            "Add one to their details first; the letter itself is on the account."
        )
    letter_email.retry(letter, email)
    audit.record(
        actor,
        "letter.email_retried",
        letter,
        account_id=letter.account_id,
        summary=f"Email of '{letter.subject}' to be tried again, to {email}",
    )
    return email


def letter_pdf(letter: Letter) -> tuple[bytes, str]:
    """The letter as a PDF (rendered now if it never was), and its file name."""
    return render_letter(letter), f"{letter.kind}-letter-{letter.letter_date.isoformat()}.pdf"
