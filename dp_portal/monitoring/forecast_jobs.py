"""The morning rebuild of every open account's balance forecast summary (the officers' list
reads it) and of the SDS reports' totals (spend, budgets in force and people: spend_totals.py
and report_totals.py): scheduled daily (the scheduler's JOBS) and runnable by hand,
`flask --app dp_portal dp forecasts --as-of YYYY-MM-DD`. Running it twice changes nothing but
the day it was worked out on: it replaces the summaries in one transaction."""

from __future__ import annotations

from datetime import date

from flask import Flask, current_app

from ..core.daily_jobs import daily_command, run_daily
from .forecast_services import refresh_summaries, settings
from .spend_totals import rebuild_spend_totals


def work_out_forecasts(today: date) -> int:
    """Every open account's forecast, and the SDS reports' totals; returns how many
    forecasts."""
    rebuild_spend_totals(today)
    return refresh_summaries(today, **settings(current_app.config))


def forecasts_job(app: Flask) -> int:
    return run_daily(app, work_out_forecasts, "balance forecasts")


forecasts_command = daily_command(
    "forecasts",
    work_out_forecasts,
    "balance forecasts",
    "Work out every open account's balance forecast for the officers' list.",
)
