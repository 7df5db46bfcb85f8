"""The balance forecast kept for every open account: what the officers' list of likely
overspends and underspends reads, so that it costs the same at any council size. Rebuilt each
morning (forecast_services.refresh_summaries); an account's own forecast page works it out
afresh."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class ForecastSummary(db.Model):
    """One account's forecast as last worked out: the outlook, the balance forecast for the
    year's end, how far it is above what may be kept, and when the money runs out."""

    __tablename__ = "forecast_summaries"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    worked_out_on: Mapped[date] = mapped_column(Date, nullable=False)
    year_end: Mapped[date] = mapped_column(Date, nullable=False)
    outlook: Mapped[str] = mapped_column(String(12), nullable=False)
    year_end_balance_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    excess_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    runs_out_on: Mapped[date | None] = mapped_column(Date)

    account = relationship("Account", lazy="joined")

    __table_args__ = (
        CheckConstraint("outlook IN ('overspend', 'underspend', 'on_track')", name="outlook"),
        CheckConstraint("(outlook = 'overspend') = (runs_out_on IS NOT NULL)", name="runs_out"),
        # The list: the soonest to run out first, or the largest underspend first, a page at a
        # time, read along these indexes.
        Index("ix_forecast_summaries_runs_out", "outlook", "runs_out_on", "account_id"),
        Index("ix_forecast_summaries_excess", "outlook", "excess_pence", "account_id"),
    )
