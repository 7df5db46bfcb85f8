"""Supported people, their representatives, and their direct payment accounts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.bank_numbers import mask_account_number, sort_code_display
from ..core.letters import Letter
from ..core.types import LabelledEnum, UTCDateTime, utcnow
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
    # What the account search matches, kept by the database itself so that every way a person
    # is written (forms, bulk loads) is searchable: the name, first name first, and the client
    # reference (trigram-indexed on PostgreSQL, so any part matches; prefix-indexed on SQLite),
    # and the surname alone (SQLite: "macleod" finds Morag MacLeod by prefix).
    search_text: Mapped[str | None] = mapped_column(
        String(200),
        Computed(
            "lower(first_name || ' ' || last_name || ' ' || client_reference)", persisted=True
        ),
    )
    search_surname: Mapped[str | None] = mapped_column(
        String(80), Computed("lower(last_name)", persisted=True)
    )

    accounts = relationship("Account", back_populates="person", order_by="Account.id")
    representatives = relationship(
        "Representative", back_populates="person", order_by="Representative.id"
    )

    __table_args__ = (
        CheckConstraint(
            "letter_format IN ('standard', 'large_print', 'easy_read')", name="letter_format"
        ),
        Index("ix_people_last_name_first_name", "last_name", "first_name"),
        Index(
            "ix_people_search_text",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
        Index("ix_people_search_surname", "search_surname"),
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
    # When the bank details last changed: the second officer's approval sets it, and a
    # database trigger (migration 0018) sets it on any other change, however made. A payment
    # run's page finds payees moved since its build from this column's index, not by
    # comparing every line with every account.
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
        # The home page's counts by status, and the list filtered by status, read this alone.
        Index("ix_accounts_status", "status"),
        Index("ix_accounts_bank_details_changed_at", "bank_details_changed_at"),
    )

    @property
    def option_label(self) -> str:
        return SDS_OPTION_LABELS[self.sds_option]

    @property
    def status_label(self) -> str:
        return AccountStatus(self.status).label

    @property
    def sort_code_display(self) -> str | None:
        return sort_code_display(self.sort_code) if self.sort_code else None

    @property
    def account_number_masked(self) -> str | None:
        return mask_account_number(self.account_number) if self.account_number else None

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


# Letters are recorded by the kernel against a plain account id (core knows no domain); the
# accounts table is this package's, so it declares the foreign key.
Letter.__table__.append_constraint(ForeignKeyConstraint(["account_id"], ["accounts.id"]))


class ChangeStatus(LabelledEnum):
    PENDING = "pending", "Waiting for a second officer"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class BankDetailsChange(db.Model):
    """New bank details for an account, waiting for a second officer (shared/design.md 2.7).
    Payments keep going to the current details until a different officer approves; then the
    correspondent is written to at the address on file when the change was asked for."""

    __tablename__ = "bank_details_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    payee_name: Mapped[str] = mapped_column(String(18), nullable=False)
    sort_code: Mapped[str] = mapped_column(String(6), nullable=False)
    account_number: Mapped[str] = mapped_column(String(8), nullable=False)
    bank_check: Mapped[str] = mapped_column(String(16), nullable=False)
    # How a non-standard number was standardised (what was typed, and the bank's rule).
    standardised_note: Mapped[str | None] = mapped_column(String(300))
    previous_payee_name: Mapped[str | None] = mapped_column(String(18))
    previous_sort_code: Mapped[str | None] = mapped_column(String(6))
    previous_account_number: Mapped[str | None] = mapped_column(String(8))
    # Who letters went to, and where, when the change was asked for: the confirmation goes
    # there, so a changed address cannot hide a changed bank account.
    correspondent_json: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    reason: Mapped[str] = mapped_column(String(500), nullable=False)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(String(500))

    account = relationship("Account")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'withdrawn')", name="status"
        ),
        # Four eyes in the database itself: nobody approves or rejects their own request
        # (withdrawing your own request is the one decision you make yourself).
        CheckConstraint(
            "decided_by_id IS NULL OR status = 'withdrawn' OR decided_by_id != requested_by_id",
            name="second_officer",
        ),
        CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)", name="decided_unless_pending"
        ),
        Index(
            "uq_bank_details_changes_one_pending",
            "account_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_bank_details_changes_account_id", "account_id"),
    )

    @property
    def status_label(self) -> str:
        return ChangeStatus(self.status).label

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
        return (
            mask_account_number(self.previous_account_number)
            if self.previous_account_number
            else None
        )
