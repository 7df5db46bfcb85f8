"""Letters: a Jinja template rendered to an accessible, tagged PDF (PDF/UA-1), stored against
the account and shown on its correspondence page.

A letter is recorded the moment it is decided (who it goes to, in which format, with which
figures) and rendered to PDF when first needed or by `flask dp letters`, so that an uplift
touching 100,000 accounts records its letters in seconds and the PDFs follow in batches.

The PDF is kept through core/storage (letters/<random>.pdf, named in `pdf_key`), with the
other files, so every web server and the scheduler read the same copy and the database stays
small. Letters rendered before that (migration 0025) keep their PDF in the `pdf` column and
are read from there; nothing is rendered twice.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app, render_template
from sqlalchemy import (
    CheckConstraint,
    Date,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    select,
)
from sqlalchemy.orm import Mapped, defer, mapped_column

from ..extensions import db
from . import storage
from .bulk import insert_rows
from .types import UTCDateTime, local_today, utcnow

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration

FORMATS = ("standard", "large_print", "easy_read")
LETTERS_AREA = "letters"  # where rendered PDFs are stored (core/storage)


class EmailStatus(StrEnum):
    """Where a letter's email copy is (its lifecycle: core/letter_email.py)."""

    PENDING = "pending"  # waiting for its first attempt, or its next (email_next_attempt_at)
    SENDING = "sending"  # claimed by a sender until email_next_attempt_at (the lease)
    SENT = "sent"
    FAILED = "failed"  # shown to finance officers, who may try again


class Letter(db.Model):
    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Whose letter it is: a plain id, because the kernel knows no domain. The accounts package
    # owns the relationship and declares the foreign key (accounts/models.py).
    account_id: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    letter_format: Mapped[str] = mapped_column(String(16), nullable=False)
    recipient_name: Mapped[str] = mapped_column(String(160), nullable=False)
    address_json: Mapped[str] = mapped_column(Text, nullable=False)
    context_json: Mapped[str] = mapped_column(Text, nullable=False)
    letter_date: Mapped[date] = mapped_column(Date, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # Letters rendered before their PDFs moved to storage keep them here (read only).
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_key: Mapped[str | None] = mapped_column(String(100))
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Email delivery of a copy, when an address is on file. The letter itself is stored (and
    # shown on the correspondence page) whatever happens to the email.
    email_to: Mapped[str | None] = mapped_column(String(254))
    email_status: Mapped[str | None] = mapped_column(String(12))
    email_attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    email_next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_error: Mapped[str | None] = mapped_column(String(500))
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_letters_account_id", "account_id", "id"),
        Index("ix_letters_email_queue", "email_status", "email_next_attempt_at"),
        CheckConstraint(
            "email_status IS NULL OR email_status IN ('pending', 'sending', 'sent', 'failed')",
            name="email_status",
        ),
    )

    @property
    def address_lines(self) -> list[str]:
        return json.loads(self.address_json)

    @property
    def is_rendered(self) -> bool:
        return self.pdf_key is not None or self.pdf is not None

    @property
    def context(self) -> dict[str, Any]:
        return json.loads(self.context_json)


@dataclass(frozen=True)
class LetterRecipient:
    """Who a letter goes to: the person, a representative or the managing organisation."""

    name: str
    address_lines: list[str]
    letter_format: str
    email: str | None = None
    # Whether they can sign in to the service: letters tell them to sign in only then, and
    # otherwise give the phone number and postal address (no one is sent to a login they do
    # not have). Recorded with each letter, as `online` in its context.
    online: bool = False


def letter_row(
    *,
    account_id: int,
    kind: str,
    subject: str,
    to: LetterRecipient,
    context: dict[str, Any],
    letter_date: date | None = None,
) -> dict[str, Any]:
    if to.letter_format not in FORMATS:
        raise ValueError(f"unknown letter format {to.letter_format!r}")
    return {
        "account_id": account_id,
        "kind": kind,
        "subject": subject,
        "letter_format": to.letter_format,
        "recipient_name": to.name,
        "address_json": json.dumps(to.address_lines),
        "context_json": json.dumps(context | {"online": to.online}, default=str),
        "letter_date": letter_date or local_today(),
        "created_at": utcnow(),
        # A copy goes by email when an address is on file; the email job sends it once the
        # PDF exists, and retries.
        "email_to": to.email or None,
        "email_status": str(EmailStatus.PENDING) if to.email else None,
        "email_attempts": 0,
        "email_next_attempt_at": None,
        "email_error": None,
        "emailed_at": None,
    }


def record_letters(rows: list[dict[str, Any]]) -> None:
    """Record many letters at once (rendering comes later), as core/bulk writes rows: an
    uplift writes a letter to every account, and SQLAlchemy's own insert worked out each
    row's parameters one by one (a payment run's 4,500 invoices took 0.1 s)."""
    insert_rows(db.session, Letter.__table__, rows)


def _template_for(kind: str, letter_format: str) -> list[str]:
    # Easy Read letters have their own wording; large print is the standard wording set large.
    names = [f"letters/{kind}.html"]
    if letter_format == "easy_read":
        names.insert(0, f"letters/{kind}_easy_read.html")
    return names


def render_html(kind: str, letter_format: str, **context: Any) -> str:
    return render_template(
        _template_for(kind, letter_format),
        letter_format=letter_format,
        council=current_app.config,
        **context,
    )


def static_file_for(url: str, static_dir: Path) -> Path:
    """The file a letter may use for `url`: only a file: URL inside the app's static folder.
    Anything else (http(s), data:, file:///etc/passwd, ../ escapes, symlinks out) raises
    ValueError, so a template (or text that slipped into one) can neither read the server's
    files into a PDF, for instance as an attachment, nor make the server call out."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ValueError(f"letters may only use the portal's own static files, not {url!r}")
    path = Path(url2pathname(parts.path)).resolve()
    if not path.is_relative_to(static_dir.resolve()) or not path.is_file():
        raise ValueError(f"letters may only use the portal's own static files, not {url!r}")
    return path


def _static_only_fetcher(static_dir: Path):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            try:
                path = static_file_for(url, static_dir)
            except ValueError:
                current_app.logger.warning("A letter asked for %s: refused", url[:200])
                raise
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})

    return StaticFilesOnly()


# WeasyPrint builds a new FontConfiguration (fontconfig's font set and a Pango font map) for
# every document it is not given one for. That costs about a third of a letter's rendering,
# and each one leaves some 0.2 MB of C memory behind that neither Python's collector nor
# malloc_trim gets back: a day of 4,789 reminder letters grew the scheduler to 1.3 GB
# (docs/benchmarks.md, Reminders). One is reused per thread (Pango's font maps are not safe to
# share between threads), and replaced now and then so that its caches (and any @font-face
# fonts a template might one day add) stay bounded.
FONTS_REUSED_FOR = 1000
_fonts = threading.local()


def _font_config() -> FontConfiguration:
    from weasyprint.text.fonts import FontConfiguration

    if getattr(_fonts, "uses", FONTS_REUSED_FOR) >= FONTS_REUSED_FOR:
        _fonts.config, _fonts.uses = FontConfiguration(), 0
    _fonts.uses += 1
    return _fonts.config


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    fetcher = _static_only_fetcher(Path(current_app.static_folder or ""))
    return HTML(string=html, base_url=current_app.root_path, url_fetcher=fetcher).write_pdf(
        pdf_variant="pdf/ua-1", font_config=_font_config()
    )


def letter_html(letter: Letter) -> str:
    return render_html(
        letter.kind,
        letter.letter_format,
        letter=letter,
        recipient_name=letter.recipient_name,
        address_lines=letter.address_lines,
        letter_date=letter.letter_date,
        subject=letter.subject,
        **letter.context,
    )


def render_letter(letter: Letter) -> bytes:
    """The letter's PDF, rendered and stored the first time it is asked for, and read from
    where it was kept after that (StoredFileMissing if the store has lost it)."""
    if letter.pdf_key is not None:
        return storage.current().get(letter.pdf_key)
    if letter.pdf is not None:  # rendered before PDFs moved to storage
        return letter.pdf
    pdf = html_to_pdf(letter_html(letter))
    key = storage.new_key(LETTERS_AREA, ".pdf")
    letter.pdf_key = storage.put_undoable(db.session(), key, pdf, "application/pdf")
    letter.rendered_at = utcnow()
    return pdf


def pending_letter_ids(limit: int, after_id: int = 0) -> list[int]:
    return list(
        db.session.execute(
            select(Letter.id)
            .where(Letter.pdf_key.is_(None), Letter.pdf.is_(None), Letter.id > after_id)
            .order_by(Letter.id)
            .limit(limit)
        ).scalars()
    )


@dataclass
class RenderRun:
    """Render pending letters batch by batch, each committed. A letter that fails to render is
    logged and left for the next run, and this run carries on past it."""

    batch: int = 200
    last_id: int = 0
    rendered: int = 0
    failed: int = 0

    def next_batch(self) -> int:
        """Render one batch; returns how many letters it looked at (0 when none are left)."""
        ids = pending_letter_ids(self.batch, self.last_id)
        for letter_id in ids:
            try:
                with db.session.begin_nested():
                    render_letter(db.session.get(Letter, letter_id))
                self.rendered += 1
            except Exception:  # one broken letter must not hold up the rest
                self.failed += 1
                current_app.logger.exception("Letter %s could not be rendered", letter_id)
        db.session.commit()
        db.session.expunge_all()  # PDFs are large: do not keep them in the session
        if ids:
            self.last_id = ids[-1]
        return len(ids)


def letters_for_account(account_id: int) -> list[Letter]:
    return list(
        db.session.execute(
            select(Letter)
            .options(defer(Letter.pdf))
            .where(Letter.account_id == account_id)
            .order_by(Letter.id.desc())
        ).scalars()
    )
