"""Template filters and the navigation each role sees."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request, url_for
from flask_login import current_user
from markupsafe import Markup

from .auth.models import Role
from .core.money import format_money, from_pence

_LONDON = ZoneInfo("Europe/London")

NAVIGATION = [
    # (label, endpoint, roles)
    ("Home", "pages.home", None),
    ("Accounts", "accounts.index", None),
    (
        "Organisations",
        "third_party.organisations",
        {Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN},
    ),
    ("Rates", "payments.rates", None),
    ("Budgets to approve", "payments.pending_budgets", {Role.FINANCE_OFFICER, Role.TEAM_LEADER}),
    ("Payment runs", "payments.payment_runs", {Role.FINANCE_OFFICER}),
    ("Returns to review", "monitoring.queue", {Role.FINANCE_OFFICER}),
    ("Escalations", "monitoring.escalation_queue", {Role.FINANCE_OFFICER}),
    ("Reminder report", "reports.reminders", {Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN}),
    ("Letters not emailed", "payments.undelivered_letters", {Role.FINANCE_OFFICER, Role.ADMIN}),
    ("Audit log", "reports.audit_log", {Role.FINANCE_OFFICER, Role.ADMIN}),
    ("Users", "auth.users", {Role.ADMIN}),
    ("Calendar", "admin.calendar", {Role.ADMIN}),
    ("Bank checking", "admin.bank_checking", {Role.ADMIN}),
]


def navigation() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    for label, endpoint, roles in NAVIGATION:
        if roles is not None and current_user.role not in roles:
            continue
        blueprint = endpoint.split(".")[0]
        active = request.endpoint == endpoint or (
            endpoint != "pages.home"
            and (request.endpoint or "").startswith(blueprint + ".")
            and blueprint in ("accounts", "third_party")
        )
        items.append({"text": label, "href": url_for(endpoint), "active": active})
    return items


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(_LONDON)
        return f"{local.day} {local:%B %Y} at {local:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def money(value: Decimal | None) -> str:
    return "" if value is None else format_money(value)


def iso_long_date(value: str) -> str:
    return long_date(date.fromisoformat(value))


def money_text(value: str) -> str:
    return format_money(Decimal(value))


def to_decimal(value) -> Decimal:
    return Decimal(str(value))


def pence(value: int | None) -> str:
    return "" if value is None else format_money(from_pence(int(value)))


def link(href: str, text: str) -> Markup:
    """A GOV.UK link for an `html` macro parameter, with the text escaped."""
    return Markup('<a class="govuk-link" href="{}">{}</a>').format(href, text)


def lines(items: list[str]) -> Markup:
    """Lines (an address) joined with line breaks, each escaped."""
    return Markup("<br>").join(items)


def register(app: Flask) -> None:
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(money, "money")
    app.add_template_filter(pence, "pence")
    app.add_template_filter(to_decimal, "decimal")
    app.add_template_filter(iso_long_date, "iso_long_date")
    app.add_template_filter(money_text, "money_text")

    @app.context_processor
    def globals_():
        return {
            "council_name": current_app.config["COUNCIL_NAME"],
            "service_name": current_app.config["SERVICE_NAME"],
            "cspNonce": getattr(g, "csp_nonce", ""),
            "navigation": navigation,
            "link": link,
            "lines": lines,
            "Role": Role,
        }
