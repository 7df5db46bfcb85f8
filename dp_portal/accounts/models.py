"""Supported people, their representatives, and their direct payment accounts."""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import UTCDateTime, utcnow
from ..extensions import db


class LetterFormat(StrEnum):
    STANDARD = "standard"
    LARGE_PRINT = "large_print"
    EASY_READ = "easy_read"

    @property
    def label(self) -> str:
        return {"standard": "Standard", "large_print": "Large print", "easy_read": "Easy Read"}[
            self.value
        ]


class AccountStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Correspondent(StrEnum):
    PERSON = "person"
    REPRESENTATIVE = "representative"
    ORGANISATION = "organisation"


SDS_OPTION_LABELS = {
    1: "Option 1: direct payment",
    2: "Option 2: individual service fund",
    4: "Option 4: a mix of options",
}


class PostalAddress:
    """Address lines for letters, shared by people and representatives."""

    address_line_1: str
    address_line_2: str | None
    town: str
    postcode: str

    @property
    def address_lines(self) -> list[str]:
        parts = (self.address_line_1, self.address_line_2, self.town, self.postcode)
        return [line for line in parts if line]


class Person(PostalAddress, db.Model):
    """A supported person: the person the budget is for."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_reference: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    title: Mapped[str | None] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(80), nullable=False)
    last_name: Mapped[str] = mapped_column(String(80), nullable=False)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    address_line_1: Mapped[str] = mapped_column(String(120), nullable=False)
    address_line_2: Mapped[str | None] = mapped_column(String(120))
    town: Mapped[str] = mapped_column(String(80), nullable=False)
    postcode: Mapped[str] = mapped_column(String(10), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    letter_format: Mapped[str] = mapped_column(String(16), nullable=False, default="standard")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    accounts = relationship("Account", back_populates="person", order_by="Account.id")
    representatives = relationship(
        "Representative", back_populates="person", order_by="Representative.id"
    )

    __table_args__ = (
        CheckConstraint(
            "letter_format IN ('standard', 'large_print', 'easy_read')", name="letter_format"
        ),
        Index("ix_people_last_name_first_name", "last_name", "first_name"),
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def letter_format_label(self) -> str:
        return LetterFormat(self.letter_format).label


class Representative(PostalAddress, db.Model):
    """Someone who acts for a supported person: guardian, attorney, family member."""

    __tablename__ = "representatives"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    full_name: Mapped[str] = mapped_column(String(120), nullable=False)
    relationship_to_person: Mapped[str] = mapped_column(String(32), nullable=False)
    address_line_1: Mapped[str] = mapped_column(String(120), nullable=False)
    address_line_2: Mapped[str | None] = mapped_column(String(120))
    town: Mapped[str] = mapped_column(String(80), nullable=False)
    postcode: Mapped[str] = mapped_column(String(10), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    letter_format: Mapped[str] = mapped_column(String(16), nullable=False, default="standard")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    person = relationship("Person", back_populates="representatives")

    RELATIONSHIPS = {
        "guardian": "Welfare or financial guardian",
        "power_of_attorney": "Power of attorney",
        "family": "Family member",
        "other": "Other",
    }

    __table_args__ = (
        CheckConstraint(
            "relationship_to_person IN ('guardian', 'power_of_attorney', 'family', 'other')",
            name="relationship",
        ),
        CheckConstraint(
            "letter_format IN ('standard', 'large_print', 'easy_read')", name="letter_format"
        ),
    )

    @property
    def relationship_label(self) -> str:
        return self.RELATIONSHIPS[self.relationship_to_person]


class Account(db.Model):
    """One direct payment or ISF arrangement for a supported person."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    sds_option: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date | None] = mapped_column(Date)
    locality: Mapped[str | None] = mapped_column(String(60))

    payee_name: Mapped[str | None] = mapped_column(String(18))
    sort_code: Mapped[str | None] = mapped_column(String(6))
    account_number: Mapped[str | None] = mapped_column(String(8))
    # "passed", "not_checked" (no weight table installed), or None when there are no details.
    bank_check: Mapped[str | None] = mapped_column(String(16))
    bank_details_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    correspondent: Mapped[str] = mapped_column(String(16), nullable=False, default="person")
    correspondent_representative_id: Mapped[int | None] = mapped_column(
        ForeignKey("representatives.id")
    )
    correspondent_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    person = relationship("Person", back_populates="accounts", lazy="joined")
    correspondent_representative = relationship("Representative")
    correspondent_organisation = relationship("Organisation")

    __table_args__ = (
        CheckConstraint("sds_option IN (1, 2, 4)", name="sds_option"),
        CheckConstraint("status IN ('active', 'suspended', 'closed')", name="status"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
        CheckConstraint(
            "correspondent IN ('person', 'representative', 'organisation')", name="correspondent"
        ),
        CheckConstraint(
            "(correspondent = 'representative') = (correspondent_representative_id IS NOT NULL)",
            name="correspondent_representative",
        ),
        CheckConstraint(
            "(correspondent = 'organisation') = (correspondent_organisation_id IS NOT NULL)",
            name="correspondent_organisation",
        ),
        CheckConstraint(
            "(sort_code IS NULL) = (account_number IS NULL)", name="bank_details_complete"
        ),
    )

    @property
    def option_label(self) -> str:
        return SDS_OPTION_LABELS[self.sds_option]

    @property
    def status_label(self) -> str:
        return AccountStatus(self.status).label

    @property
    def sort_code_display(self) -> str | None:
        if not self.sort_code:
            return None
        return f"{self.sort_code[0:2]}-{self.sort_code[2:4]}-{self.sort_code[4:6]}"

    @property
    def account_number_masked(self) -> str | None:
        return f"****{self.account_number[-4:]}" if self.account_number else None

    @property
    def correspondent_name(self) -> str:
        if self.correspondent == Correspondent.REPRESENTATIVE and self.correspondent_representative:
            return self.correspondent_representative.full_name
        if self.correspondent == Correspondent.ORGANISATION and self.correspondent_organisation:
            return self.correspondent_organisation.name
        return self.person.full_name


class AccountAccess(db.Model):
    """A recipient user's link to an account: as the supported person or a representative."""

    __tablename__ = "account_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False, index=True)
    capacity: Mapped[str] = mapped_column(String(16), nullable=False)
    is_current: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user = relationship("User")
    account = relationship("Account")

    __table_args__ = (
        UniqueConstraint("user_id", "account_id", name="uq_account_access_user_account"),
        CheckConstraint("capacity IN ('person', 'representative')", name="capacity"),
    )
