"""Organisations that act for people (money management services, brokerages, independent
support, and care providers), their staff, their mandates to act on an account with the
person's consent, and the pooled client bank account the council pays managed money into.

A mandate's lifecycle (rules and transitions: third_party/organisations.py):

    awaiting_consent --(the person confirms on screen)--> consented
    awaiting_consent --(withdrawn)--> withdrawn
    consented --(withdrawn)--> withdrawn

A consented mandate is in force between its dates with no manual step (`current_on`).
"""

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
    and_,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.bank_numbers import mask_account_number, sort_code_display
from ..core.types import LabelledEnum, UTCDateTime, utcnow
from ..extensions import db


class OrganisationKind(LabelledEnum):
    MONEY_MANAGEMENT = "money_management", "Money management service"
    BROKERAGE = "brokerage", "Support brokerage"
    INDEPENDENT_SUPPORT = "independent_support", "Independent support organisation"
    PROVIDER = "provider", "Care provider"


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    address_line_1: Mapped[str | None] = mapped_column(String(120))
    address_line_2: Mapped[str | None] = mapped_column(String(120))
    town: Mapped[str | None] = mapped_column(String(80))
    postcode: Mapped[str | None] = mapped_column(String(10))
    # The pooled client bank account managed money is paid into: changed only through a
    # pooled_account_changes row that a council finance officer approves (four eyes).
    pooled_payee_name: Mapped[str | None] = mapped_column(String(18))
    pooled_sort_code: Mapped[str | None] = mapped_column(String(6))
    pooled_account_number: Mapped[str | None] = mapped_column(String(8))
    pooled_bank_check: Mapped[str | None] = mapped_column(String(16))
    pooled_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        CheckConstraint(
            "kind IN ('money_management', 'brokerage', 'independent_support', 'provider')",
            name="kind",
        ),
        CheckConstraint(
            "(pooled_sort_code IS NULL) = (pooled_account_number IS NULL)",
            name="pooled_account_complete",
        ),
    )

    @property
    def kind_label(self) -> str:
        return OrganisationKind(self.kind).label

    @property
    def address_lines(self) -> list[str]:
        parts = (self.address_line_1, self.address_line_2, self.town, self.postcode)
        return [line for line in parts if line]

    @property
    def pooled_sort_code_display(self) -> str | None:
        return sort_code_display(self.pooled_sort_code) if self.pooled_sort_code else None

    @property
    def pooled_account_number_masked(self) -> str | None:
        number = self.pooled_account_number
        return mask_account_number(number) if number else None


class MandateScope(StrEnum):
    MANAGE_MONEY = "manage_money"
    PREPARE_RETURNS = "prepare_returns"
    VIEW_ONLY = "view_only"


class MandateStatus(LabelledEnum):
    AWAITING_CONSENT = "awaiting_consent", "Waiting for the person to confirm"
    CONSENTED = "consented", "Consent recorded"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ConsentMethod(StrEnum):
    SIGNED_FORM = "signed_form"
    ON_SCREEN = "on_screen"


class Mandate(db.Model):
    """An organisation's authority to act for an account, between dates, with consent."""

    __tablename__ = "mandates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False, index=True)
    scope: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False, default="consented")
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date | None] = mapped_column(Date)
    # Consent (reg. 5: a third party is paid only at the person's request): who gave it,
    # how, and when. A signed form is stored through core/uploads; on screen, the person
    # confirms with their own login and the time is recorded.
    consent_recorded_on: Mapped[date | None] = mapped_column(Date)
    consent_given_by: Mapped[str] = mapped_column(String(16), nullable=False, default="person")
    consent_representative_id: Mapped[int | None] = mapped_column(ForeignKey("representatives.id"))
    consent_method: Mapped[str] = mapped_column(String(16), nullable=False, default="signed_form")
    consent_file_name: Mapped[str | None] = mapped_column(String(255))
    consent_stored_name: Mapped[str | None] = mapped_column(String(64))
    consent_content_type: Mapped[str | None] = mapped_column(String(100))
    consent_sha256: Mapped[str | None] = mapped_column(String(64))
    consent_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Letters and reminders go to a managing organisation unless the person chose otherwise.
    letters_to_organisation: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set when the person or the council withdraws the mandate before its planned end.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    organisation = relationship("Organisation", lazy="joined")
    consent_representative = relationship("Representative")
    account = relationship("Account")

    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates"),
        CheckConstraint("scope IN ('manage_money', 'prepare_returns', 'view_only')", name="scope"),
        CheckConstraint("status IN ('awaiting_consent', 'consented', 'withdrawn')", name="status"),
        CheckConstraint("(status = 'withdrawn') = (withdrawn_at IS NOT NULL)", name="withdrawn"),
        CheckConstraint(
            "status != 'consented' OR consent_recorded_on IS NOT NULL", name="consent_dated"
        ),
        CheckConstraint(
            "consent_given_by IN ('person', 'representative')", name="consent_given_by"
        ),
        CheckConstraint(
            "(consent_given_by = 'representative') = (consent_representative_id IS NOT NULL)",
            name="consent_representative",
        ),
        CheckConstraint("consent_method IN ('signed_form', 'on_screen')", name="consent_method"),
        # On screen means the person's own login: a representative signs a form instead.
        CheckConstraint(
            "consent_method != 'on_screen' OR consent_given_by = 'person'",
            name="on_screen_by_person",
        ),
        CheckConstraint(
            "consent_method != 'on_screen' OR status != 'consented' "
            "OR consent_confirmed_at IS NOT NULL",
            name="on_screen_confirmed",
        ),
        Index("ix_mandates_organisation_id", "organisation_id"),
    )

    SCOPE_LABELS = {
        "manage_money": "Manage the money",
        "prepare_returns": "Prepare returns",
        "view_only": "View the account",
    }

    CONSENT_AREA = "consent"  # where signed consent forms are stored (core/storage)

    @property
    def scope_label(self) -> str:
        return self.SCOPE_LABELS[self.scope]

    @property
    def status_label(self) -> str:
        return MandateStatus(self.status).label

    @property
    def consent_label(self) -> str:
        who = (
            self.consent_representative.full_name
            if self.consent_given_by == "representative" and self.consent_representative
            else "the person"
        )
        how = "on screen" if self.consent_method == ConsentMethod.ON_SCREEN else "signed form"
        return f"Given by {who} ({how})"

    def is_current(self, today: date) -> bool:
        return (
            self.status == MandateStatus.CONSENTED
            and self.starts_on <= today
            and (self.ends_on is None or self.ends_on >= today)
        )

    @classmethod
    def current_on(cls, today: date):
        """SQL condition: the mandate is in force on `today`."""
        return and_(
            cls.status == MandateStatus.CONSENTED,
            cls.starts_on <= today,
            or_(cls.ends_on.is_(None), cls.ends_on >= today),
        )


class PooledAccountChange(db.Model):
    """New pooled client account details for an organisation, waiting for a council finance
    officer who did not ask for them (the same four eyes as a person's bank details,
    shared/design.md 2.7). Runs keep paying the current account until it is approved."""

    __tablename__ = "pooled_account_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    payee_name: Mapped[str] = mapped_column(String(18), nullable=False)
    sort_code: Mapped[str] = mapped_column(String(6), nullable=False)
    account_number: Mapped[str] = mapped_column(String(8), nullable=False)
    bank_check: Mapped[str] = mapped_column(String(16), nullable=False)
    standardised_note: Mapped[str | None] = mapped_column(String(300))
    previous_payee_name: Mapped[str | None] = mapped_column(String(18))
    previous_sort_code: Mapped[str | None] = mapped_column(String(6))
    previous_account_number: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    reason: Mapped[str] = mapped_column(String(500), nullable=False)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(String(500))

    organisation = relationship("Organisation")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'withdrawn')", name="status"
        ),
        CheckConstraint(
            "decided_by_id IS NULL OR status = 'withdrawn' OR decided_by_id != requested_by_id",
            name="second_person",
        ),
        CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)", name="decided_unless_pending"
        ),
        Index(
            "uq_pooled_account_changes_one_pending",
            "organisation_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_pooled_account_changes_organisation_id", "organisation_id"),
    )

    @property
    def sort_code_display(self) -> str:
        return sort_code_display(self.sort_code)

    @property
    def account_number_masked(self) -> str:
        return mask_account_number(self.account_number)

    @property
    def previous_sort_code_display(self) -> str | None:
        return sort_code_display(self.previous_sort_code) if self.previous_sort_code else None

    @property
    def previous_account_number_masked(self) -> str | None:
        number = self.previous_account_number
        return mask_account_number(number) if number else None


# Client money's tables (sub-ledgers, reconciliations) are in money_models.py, kept apart
# so that each module stays readable; they are imported here so that one import of
# third_party.models registers every table.
from . import money_models  # noqa: E402, F401
