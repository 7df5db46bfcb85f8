"""The balance forecast's use cases: an account's forecast (its page, for the person and for
officers), the one line a home page shows, the morning rebuild of every open account's summary,
and the officers' list of likely overspends and underspends read from those summaries.
Read only, except the rebuild, which replaces the summary rows; never commits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from flask import current_app, url_for
from sqlalchemy import delete, insert, select

from ..accounts.models import Account, AccountStatus
from ..core.calendar import PaymentSchedule, financial_year_end
from ..core.money import to_pence
from ..core.pagination import BoundedPage, bounded_page
from ..core.permissions import Viewer
from ..extensions import db
from ..payments.run_build import payment_schedule
from .forecast import Forecast, Outlook, forecast
from .forecast_chart import Chart, chart_for
from .forecast_inputs import Pricing, Year, group_by_batch, inputs_for, read_facts
from .forecast_models import ForecastSummary
from .models import SummaryRefresh

SUMMARY_NAME = "forecast_summaries"
BATCH = 2_000


@dataclass(frozen=True)
class AccountForecast:
    account: Account
    forecast: Forecast
    notes: list[str]
    chart: Chart


def _forecasts(
    rows: list[tuple], year: Year, weeks: int, pricing: Pricing
) -> Iterator[tuple[int, Forecast, list[str]]]:
    facts = read_facts(rows, year)
    for account_id, account_facts in facts.items():
        given = inputs_for(account_facts, pricing, weeks)
        result = forecast(
            given.known,
            year.periods,
            given.money_in,
            given.rate,
            given.policy,
            today=year.today,
            year_end=year.end,
        )
        yield account_id, result, given.notes


def account_forecast(
    account: Account, today: date, *, schedule: PaymentSchedule, underspend_weeks: int
) -> AccountForecast:
    """The account's forecast to the end of this financial year, with its working and chart.
    The account comes from the caller's scoped loader."""
    year = Year(today, financial_year_end(today), schedule)
    row = (account.id, account.start_date, account.end_date, account.status)
    pricing = Pricing(year, {account.id})
    ((_, result, notes),) = _forecasts([row], year, underspend_weeks, pricing)
    return AccountForecast(account, result, notes, chart_for(result))


def settings(config) -> dict:
    """What the forecast needs from the app's settings."""
    return {
        "schedule": payment_schedule(config),
        "underspend_weeks": int(config["FORECAST_UNDERSPEND_WEEKS"]),
    }


@dataclass(frozen=True)
class HomeLine:
    """One line for a home page: what is likely, and where its working is."""

    text: str
    href: str
    outlook: Outlook


def forecast_summary(viewer: Viewer, account: Account) -> HomeLine:
    """ "You are likely to have £X left at 31 March 2027", with a link to the forecast. For
    the home pages: `account` must come from the viewer's scoped loader."""
    you = viewer.role == "recipient"
    found = account_forecast(account, viewer.today, **settings(current_app.config))
    return HomeLine(
        found.forecast.headline(you=you),
        url_for("monitoring.account_forecast", account_id=account.id),
        found.forecast.outlook,
    )


# --- The summaries and the officers' list ---------------------------------------------------


def refresh_summaries(today: date, *, schedule: PaymentSchedule, underspend_weeks: int) -> int:
    """Work out every open account's forecast again and keep its summary; returns how many.
    In batches, so memory stays flat at any council size."""
    year = Year(today, financial_year_end(today), schedule)
    pricing = Pricing(year, None)
    db.session.execute(delete(ForecastSummary))
    accounts = db.session.execute(
        select(Account.id, Account.start_date, Account.end_date, Account.status)
        .where(Account.status != AccountStatus.CLOSED)
        .order_by(Account.id)
    ).all()
    count = 0
    for batch in group_by_batch(accounts, BATCH):
        rows = [
            _summary_row(account_id, result, today)
            for account_id, result, _ in _forecasts(batch, year, underspend_weeks, pricing)
        ]
        db.session.execute(insert(ForecastSummary), rows)
        count += len(rows)
    _stamp(today)
    return count


def _summary_row(account_id: int, result: Forecast, today: date) -> dict:
    runs_out = result.runs_out
    return {
        "account_id": account_id,
        "worked_out_on": today,
        "year_end": result.year_end,
        "outlook": str(result.outlook),
        "year_end_balance_pence": to_pence(result.year_end_balance),
        "excess_pence": to_pence(result.excess),
        "runs_out_on": runs_out.period.end if runs_out else None,
    }


def _stamp(today: date) -> None:
    stamp = db.session.get(SummaryRefresh, SUMMARY_NAME)
    if stamp is None:
        db.session.add(SummaryRefresh(name=SUMMARY_NAME, refreshed_on=today))
    else:
        stamp.refreshed_on = today


@dataclass(frozen=True)
class WatchList:
    outlook: Outlook
    page: BoundedPage
    worked_out_on: date | None


def watch_list(outlook: Outlook, page: int) -> WatchList:
    """Accounts likely to run out (soonest first) or to underspend (largest first), a page
    at a time, from the summaries."""
    query = select(ForecastSummary).where(ForecastSummary.outlook == outlook)
    if outlook == Outlook.OVERSPEND:
        query = query.order_by(ForecastSummary.runs_out_on, ForecastSummary.account_id)
    else:
        query = query.order_by(ForecastSummary.excess_pence.desc(), ForecastSummary.account_id)
    stamp = db.session.get(SummaryRefresh, SUMMARY_NAME)
    return WatchList(
        outlook,
        bounded_page(query, page),
        stamp.refreshed_on if stamp else None,
    )
