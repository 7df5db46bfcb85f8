"""Charter Mark awards: the public number (CM-2026-0001, in order within the year it starts),
the dates (policy CHARTER_MARK_YEARS, two by default), the certificate (an accessible tagged
PDF, PDF/UA-1, as letters are) and the public check of a number, which shows only the name
the employer chose to show, the tier and the dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app, render_template
from sqlalchemy import select, text

from ..auth.models import User
from ..core import audit
from ..core.errors import NotFound
from ..core.letters import html_to_pdf
from ..core.permissions import Viewer
from ..core.types import utcnow
from ..extensions import db
from . import scope
from .charter_rules import (
    AwardState,
    Status,
    award_number,
    award_state,
    expiry,
    lead_days,
    move,
    normalise_number,
    parse_number,
)
from .models import Application, Award, CharterTier

NUMBER_LOCK_KEY = 7_431_120  # with the year: one officer numbers a year's awards at a time


def policy_years() -> int:
    return int(current_app.config["CHARTER_MARK_YEARS"])


def policy_leads() -> tuple[int, ...]:
    return lead_days(current_app.config["CHARTER_RENEWAL_REMINDER_DAYS"])


@dataclass(frozen=True)
class AwardView:
    """An award as people see it on a given day: current, expired or not started yet."""

    award: Award
    state: AwardState

    @property
    def tier_label(self) -> str:
        return CharterTier(self.award.tier).label

    @property
    def expired(self) -> bool:
        return self.state == AwardState.EXPIRED

    def __getattr__(self, name: str):
        return getattr(self.award, name)


def award_view(award: Award, today: date) -> AwardView:
    return AwardView(award, award_state(award.starts_on, award.expires_on, today))


def _lock_year(year: int) -> None:
    """Only one transaction numbers a year's awards at a time. On SQLite the transaction
    already holds the single writer lock (the application was written first)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:key, :year)"),
            {"key": NUMBER_LOCK_KEY, "year": year},
        )


def next_number(year: int) -> str:
    _lock_year(year)
    taken = db.session.execute(
        select(Award.number).where(Award.number.like(f"CM-{year}-%"))
    ).scalars()
    sequences = [parsed[1] for parsed in map(parse_number, taken) if parsed]
    return award_number(year, max(sequences, default=0) + 1)


def make_award(
    application: Application, *, actor: User | None, today: date, note: str | None = None
) -> Award:
    """Award the Charter Mark for `application` from today: move it to awarded, number it,
    and date it. `actor` is the reviewing officer (None for a self-declared Supporter)."""
    values = {"decided_by_id": actor.id, "decided_at": utcnow()} if actor is not None else {}
    move(application, Status.AWARDED, decision_note=note, **values)
    award = Award(
        number=next_number(today.year),
        application_id=application.id,
        account_id=application.account_id,
        tier=application.tier,
        display_name=application.display_name,
        starts_on=today,
        expires_on=expiry(today, policy_years()),
        awarded_by_id=actor.id if actor is not None else None,
    )
    db.session.add(award)
    db.session.flush()
    audit.record(
        actor,
        "charter.awarded",
        award,
        account_id=application.account_id,
        summary=f"{CharterTier(award.tier).label} {award.number} awarded, valid until "
        f"{award.expires_on:%-d %B %Y}",
        after={
            "number": award.number,
            "application_id": application.id,
            "tier": award.tier,
            "starts_on": award.starts_on.isoformat(),
            "expires_on": award.expires_on.isoformat(),
        },
    )
    return award


def load_award(viewer: Viewer, award_id: int) -> Award:
    """An award by id, for those who may see its account (the employer and staff)."""
    return scope.load_award(viewer, award_id)


def award_for(application_id: int) -> Award | None:
    return db.session.execute(
        select(Award).where(Award.application_id == application_id)
    ).scalar_one_or_none()


@dataclass(frozen=True)
class Verification:
    """What the public check of a number says: only the display name, tier and dates."""

    typed: str
    number: str | None
    found: AwardView | None


def verification(typed: str, today: date) -> Verification:
    number = normalise_number(typed)
    if number is None:
        return Verification(typed[:40], None, None)  # echoed back on the page, so kept short
    try:
        award = scope.award_by_number(number)
    except NotFound:
        return Verification(typed, number, None)
    return Verification(typed, number, award_view(award, today))


def verify_url(number: str) -> str:
    """The public check's address (built from the URL map, so it works outside a request:
    a certificate may be made by a job)."""
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    path = current_app.url_map.bind("localhost").build(
        "employers.charter_verify", {"number": number}
    )
    return base + path


def certificate_pdf(award: Award, today: date) -> bytes:
    """The certificate as an accessible PDF (PDF/UA-1). An expired award's certificate says
    so, with where to check the number."""
    html = render_template(
        "employers/charter/certificate_pdf.html",
        award=award_view(award, today),
        today=today,
        verify_url=verify_url(award.number),
        council=current_app.config,
    )
    return html_to_pdf(html)
