"""The rate tables: rate components, Option 2 provider rates and living wage uplifts (kept
apart from models.py so that each module stays readable; models.py imports them, so one
import of payments.models registers every table). Money is integer pence."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.money import from_pence
from ..core.types import UTCDateTime, utcnow
from ..extensions import db
from .rates import RateKind

HUNDRED = Decimal(100)
SERVICE_TYPES = "service_type IN ('day', 'night', 'sleepover', 'two_to_one')"


class RateRow(db.Model):
    """One effective-dated value of one rate component. Never edited: a correction is a new
    row (for the same date, the newest row wins), so history is kept."""

    __tablename__ = "rate_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    # Pence per hour, or hundredths of a percent (12.07% is 1207).
    value: Mapped[int] = mapped_column(Integer, nullable=False)
    source_note: Mapped[str] = mapped_column(String(300), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (
        CheckConstraint(
            "kind IN ('living_wage', 'holiday_pct', 'pension_pct', 'ni_pct', "
            "'insurance_per_hour', 'payroll_per_hour', 'contingency_per_hour')",
            name="kind",
        ),
        CheckConstraint("value >= 0", name="value_not_negative"),
        Index("ix_rate_rows_kind_effective_from", "kind", "effective_from"),
    )

    @property
    def decimal_value(self) -> Decimal:
        """Pounds, or a percentage (Decimal('12.07'))."""
        if RateKind(self.kind).is_percentage:
            return Decimal(self.value) / HUNDRED
        return from_pence(self.value)


class ProviderRate(db.Model):
    """An Option 2 provider's agreed hourly rate for one kind of support, from a date."""

    __tablename__ = "provider_rates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    hourly_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    # Each kind of support has its own agreed rate (rates.ServiceType); older rows are day rates.
    service_type: Mapped[str] = mapped_column(String(16), nullable=False, default="day")
    source_note: Mapped[str] = mapped_column(String(300), nullable=False)
    uplift_id: Mapped[int | None] = mapped_column(ForeignKey("uplifts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organisation = relationship("Organisation")

    __table_args__ = (
        CheckConstraint("hourly_pence > 0", name="positive"),
        CheckConstraint(SERVICE_TYPES, name="service_type"),
        Index("ix_provider_rates_org_effective_from", "organisation_id", "effective_from"),
    )


class Uplift(db.Model):
    """A living wage rise applied from a date. One per date: applying twice changes nothing."""

    __tablename__ = "uplifts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, nullable=False, unique=True)
    old_wage_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    new_wage_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    percentage: Mapped[str] = mapped_column(String(12), nullable=False)
    rate_row_id: Mapped[int] = mapped_column(ForeignKey("rate_rows.id"), nullable=False)
    accounts_affected: Mapped[int] = mapped_column(Integer, nullable=False)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
