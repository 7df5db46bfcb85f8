"""PA employers: the handbook, the cost rates behind the PA cost calculator, the employer
checklist, and the Charter Mark (shared/design.md 2.6). Money is integer pence; percentages
are integer hundredths of a percent (13.8% is 1380)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.storage import key_in
from ..core.types import LabelledEnum, UTCDateTime, utcnow
from ..extensions import db

# --- Handbook ---------------------------------------------------------------------------------


class Stage(LabelledEnum):
    """The employer's journey, in the order the handbook follows it."""

    DECIDING = "deciding", "Deciding to become an employer"
    FIRST_STEPS = "first_steps", "Taking your first steps"
    BEING_AN_EMPLOYER = "being_an_employer", "Being an employer"
    ENDING = "ending", "Ending the employer role"


class HandbookSection(db.Model):
    """One topic of the PA Employer Handbook. Its words live in versions, never edited once
    published: a change is a new version with a note of what changed."""

    __tablename__ = "handbook_sections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    stage: Mapped[str] = mapped_column(String(24), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        CheckConstraint(
            "stage IN ('deciding', 'first_steps', 'being_an_employer', 'ending')", name="stage"
        ),
    )


class HandbookVersion(db.Model):
    """A version of a section: a draft until published (then never changed)."""

    __tablename__ = "handbook_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("handbook_sections.id"), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    summary: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    body_markdown: Mapped[str] = mapped_column(Text, nullable=False)
    change_note: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    section = relationship("HandbookSection")

    __table_args__ = (
        UniqueConstraint("section_id", "version", name="uq_handbook_versions_section_version"),
        Index("ix_handbook_versions_section_published", "section_id", "published_at"),
    )


# --- Cost rates for the PA cost calculator ----------------------------------------------------


class CostRateKind(StrEnum):
    """Published employer-cost figures, each an effective-dated row per tax year
    (shared/facts/rates.md; HMRC and The Pensions Regulator)."""

    NI_RATE = "ni_rate"  # hundredths of a percent
    NI_SECONDARY_THRESHOLD = "ni_secondary_threshold"  # pence a week
    EMPLOYMENT_ALLOWANCE = "employment_allowance"  # pence a year
    PENSION_TRIGGER = "pension_trigger"  # pence a week
    PENSION_LOWER = "pension_lower"  # pence a week
    PENSION_UPPER = "pension_upper"  # pence a week
    PENSION_EMPLOYER_RATE = "pension_employer_rate"  # hundredths of a percent
    HOLIDAY_RATE = "holiday_rate"  # hundredths of a percent

    @property
    def is_percentage(self) -> bool:
        return self in (self.NI_RATE, self.PENSION_EMPLOYER_RATE, self.HOLIDAY_RATE)


class CostRate(db.Model):
    """One published figure from a tax year's start. Never edited: a correction is a newer
    row for the same date (the newest wins)."""

    __tablename__ = "employer_cost_rates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    value: Mapped[int] = mapped_column(Integer, nullable=False)
    source_note: Mapped[str] = mapped_column(String(300), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (
        CheckConstraint(
            "kind IN ('ni_rate', 'ni_secondary_threshold', 'employment_allowance', "
            "'pension_trigger', 'pension_lower', 'pension_upper', 'pension_employer_rate', "
            "'holiday_rate')",
            name="kind",
        ),
        CheckConstraint("value >= 0", name="value_not_negative"),
        Index("ix_employer_cost_rates_kind_effective_from", "kind", "effective_from"),
    )


# --- Files employers send (checklist and Charter Mark evidence) -------------------------------


class EmployerFile(db.Model):
    """A file an employer sends, through core/uploads' rules, stored outside the web root."""

    __tablename__ = "employer_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False, index=True)
    purpose: Mapped[str] = mapped_column(String(16), nullable=False)
    original_name: Mapped[str] = mapped_column(String(200), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (CheckConstraint("purpose IN ('checklist', 'charter')", name="purpose"),)

    # Where each purpose's files are kept (core/storage keys: area/name): checklist files in
    # employers/, Charter Mark evidence at the top level beside return evidence.
    AREAS = {"checklist": "employers", "charter": ""}

    @property
    def storage_key(self) -> str:
        return key_in(self.AREAS[self.purpose], self.stored_name)


# --- The employer checklist -------------------------------------------------------------------


class ChecklistTick(db.Model):
    """An employer's record that a checklist item is done, on a date, perhaps until a renewal
    date. Appended, never edited: the newest tick for an item is its state."""

    __tablename__ = "checklist_ticks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    item_key: Mapped[str] = mapped_column(String(32), nullable=False)
    done_on: Mapped[date] = mapped_column(Date, nullable=False)
    renews_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("employer_files.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    file = relationship("EmployerFile")

    __table_args__ = (
        CheckConstraint("renews_on IS NULL OR renews_on > done_on", name="renews_after_done"),
        Index("ix_checklist_ticks_account_item", "account_id", "item_key", "id"),
    )


class ChecklistReminder(db.Model):
    """A reminder that a checklist item is about to lapse: once per item and renewal date."""

    __tablename__ = "checklist_reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    item_key: Mapped[str] = mapped_column(String(32), nullable=False)
    renews_on: Mapped[date] = mapped_column(Date, nullable=False)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        UniqueConstraint("account_id", "item_key", "renews_on", name="uq_checklist_reminders_once"),
    )


# --- The Charter Mark -------------------------------------------------------------------------


class CriteriaVersion(db.Model):
    """A published list of Charter Mark criteria. An application is judged against the version
    it was made under; a change is a new version."""

    __tablename__ = "charter_criteria_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True, nullable=False)
    note: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    criteria = relationship(
        "Criterion", order_by="Criterion.position", back_populates="criteria_version"
    )


class Criterion(db.Model):
    __tablename__ = "charter_criteria"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    criteria_version_id: Mapped[int] = mapped_column(
        ForeignKey("charter_criteria_versions.id"), nullable=False
    )
    key: Mapped[str] = mapped_column(String(40), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(160), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    evidence_hint: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    criteria_version = relationship("CriteriaVersion", back_populates="criteria")

    __table_args__ = (
        UniqueConstraint("criteria_version_id", "key", name="uq_charter_criteria_version_key"),
    )


class CharterTier(StrEnum):
    SUPPORTER = "supporter"  # committed to the criteria, self-declared, awarded at once
    HOLDER = "holder"  # each criterion answered with evidence and reviewed

    @property
    def label(self) -> str:
        return {"supporter": "Charter Mark Supporter", "holder": "Charter Mark holder"}[self.value]


class Application(db.Model):
    """An employer's application for the Charter Mark. Its status moves only through the state
    machine in employers/charter_rules.py."""

    __tablename__ = "charter_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False, index=True)
    criteria_version_id: Mapped[int] = mapped_column(
        ForeignKey("charter_criteria_versions.id"), nullable=False
    )
    tier: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    # The name the employer chooses to show on the public verification page (no other
    # personal data is shown there).
    display_name: Mapped[str] = mapped_column(String(80), nullable=False)
    declaration: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    criteria_version = relationship("CriteriaVersion")
    answers = relationship("Answer", order_by="Answer.id", back_populates="application")

    __table_args__ = (
        CheckConstraint("tier IN ('supporter', 'holder')", name="tier"),
        CheckConstraint(
            "status IN ('draft', 'submitted', 'more_info', 'awarded', 'declined', 'withdrawn')",
            name="status",
        ),
        CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id != created_by_id", name="not_own_review"
        ),
        Index("ix_charter_applications_status", "status", "submitted_at"),
    )


class Answer(db.Model):
    """An application's answer to one criterion, and the reviewer's finding on it."""

    __tablename__ = "charter_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("charter_applications.id"), nullable=False
    )
    criterion_id: Mapped[int] = mapped_column(ForeignKey("charter_criteria.id"), nullable=False)
    answer: Mapped[str] = mapped_column(Text, nullable=False, default="")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("employer_files.id"))
    finding: Mapped[str | None] = mapped_column(String(16))  # met | more_info | unmet
    finding_message: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    application = relationship("Application", back_populates="answers")
    criterion = relationship("Criterion")
    file = relationship("EmployerFile")

    __table_args__ = (
        UniqueConstraint("application_id", "criterion_id", name="uq_charter_answers_criterion"),
        CheckConstraint(
            "finding IS NULL OR finding IN ('met', 'more_info', 'unmet')", name="finding"
        ),
    )


class Award(db.Model):
    """A Charter Mark awarded: a public number, its dates, and the employer's display name."""

    __tablename__ = "charter_awards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("charter_applications.id"), unique=True, nullable=False
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False, index=True)
    tier: Mapped[str] = mapped_column(String(16), nullable=False)
    display_name: Mapped[str] = mapped_column(String(80), nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    expires_on: Mapped[date] = mapped_column(Date, nullable=False)
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    application = relationship("Application")

    __table_args__ = (
        CheckConstraint("tier IN ('supporter', 'holder')", name="tier"),
        CheckConstraint("expires_on > starts_on", name="dates"),
        Index("ix_charter_awards_expires_on", "expires_on"),
    )

    def is_current(self, today: date) -> bool:
        return self.starts_on <= today <= self.expires_on


class RenewalReminder(db.Model):
    """A renewal reminder for an award, once per award and lead time (90 and 30 days by
    default policy)."""

    __tablename__ = "charter_renewal_reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("charter_awards.id"), nullable=False)
    days_before: Mapped[int] = mapped_column(Integer, nullable=False)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        UniqueConstraint("award_id", "days_before", name="uq_charter_renewal_reminders_once"),
    )
