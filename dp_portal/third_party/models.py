"""Organisations that manage money for people, and their mandates to act on an account.

This is the minimal mandate model the foundation needs for access control; the third-party
money management work builds sub-ledgers and pooled reconciliation on it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, and_, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import UTCDateTime, utcnow
from ..extensions import db


class OrganisationKind(StrEnum):
    BROKERAGE = "brokerage"
    MONEY_MANAGEMENT = "money_management"
    PROVIDER = "provider"

    @property
    def label(self) -> str:
        return {
            "brokerage": "Support brokerage",
            "money_management": "Money management service",
            "provider": "Care provider",
        }[self.value]


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    address_line_1: Mapped[str | None] = mapped_column(String(120))
    town: Mapped[str | None] = mapped_column(String(80))
    postcode: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        CheckConstraint("kind IN ('brokerage', 'money_management', 'provider')", name="kind"),
    )

    @property
    def kind_label(self) -> str:
        return OrganisationKind(self.kind).label


class Mandate(db.Model):
    """An organisation's authority to act for an account, from a date, with recorded consent."""

    __tablename__ = "mandates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False, index=True)
    scope: Mapped[str] = mapped_column(String(32), nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date | None] = mapped_column(Date)
    consent_recorded_on: Mapped[date] = mapped_column(Date, nullable=False)
    # Set when the person or the council withdraws the mandate before its planned end.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    organisation = relationship("Organisation", lazy="joined")

    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates"),
        CheckConstraint("scope IN ('manage_money', 'view_only')", name="scope"),
    )

    SCOPE_LABELS = {"manage_money": "Manage the money", "view_only": "View the account"}

    @property
    def scope_label(self) -> str:
        return self.SCOPE_LABELS[self.scope]

    def is_current(self, today: date) -> bool:
        return (
            self.withdrawn_at is None
            and self.starts_on <= today
            and (self.ends_on is None or self.ends_on >= today)
        )

    @classmethod
    def current_on(cls, today: date):
        """SQL condition: the mandate is in force on `today`."""
        return and_(
            cls.withdrawn_at.is_(None),
            cls.starts_on <= today,
            or_(cls.ends_on.is_(None), cls.ends_on >= today),
        )
