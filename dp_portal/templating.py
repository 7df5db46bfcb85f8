"""Template filters and the navigation each role sees."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request, url_for
from flask_login import current_user
from markupsafe import Markup

from .auth.models import Role
from .core import permissions
from .core.money import format_money, from_pence

_LONDON = ZoneInfo("Europe/London")

# (label, endpoint): each item shows only to those its page lets in (the page's own access
# rule decides, so a menu never offers a page that answers 403).
NAVIGATION = [
    ("Home", "pages.home"),
    ("Accounts", "accounts.index"),
    ("Organisations", "third_party.organisations"),
    ("Your organisation", "third_party.my_organisation"),
    ("Care providers", "isf.providers"),
    ("Your people", "isf.provider_home"),
    ("Rates", "payments.rates"),
    ("Budgets to approve", "payments.pending_budgets"),
    ("Payment runs", "payments.payment_runs"),
    ("Returns to review", "monitoring.queue"),
    ("Escalations", "monitoring.escalation_queue"),
    ("Reminder report", "reports.reminders"),
    ("Letters not emailed", "payments.undelivered_letters"),
    ("Audit log", "reports.audit_log"),
    ("Users", "admin.users"),
    ("Calendar", "admin.calendar"),
    ("Bank checking", "admin.bank_checking"),
]


def may_open(endpoint: str) -> bool:
    """Whether the signed-in user would be let into `endpoint` (for links and menus)."""
    role = current_user.role if current_user.is_authenticated else None
    return permissions.may_open(role, current_app.view_functions.get(endpoint))


def navigation() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    for label, endpoint in NAVIGATION:
        if not may_open(endpoint):
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


# Audit rows are append-only and their summaries were written as "289701.41 pounds": the words
# are made readable when shown, never by rewriting the rows.
_POUNDS = re.compile(r"(?<![\d.£])(-?\d+(?:\.\d{1,2})?) pounds\b")


def audit_summary(summary: str | None) -> str:
    """An audit summary with its amounts as money: "289701.41 pounds" reads "£289,701.41"."""
    if not summary:
        return ""
    return _POUNDS.sub(lambda m: format_money(Decimal(m.group(1))), summary)


def audit_action(action: str) -> str:
    """An audit action as words: "payment_run.built" reads "Payment run built"."""
    words = action.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


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
    app.add_template_filter(audit_summary, "audit_summary")
    app.add_template_filter(audit_action, "audit_action")

    @app.context_processor
    def globals_():
        return {
            "council_name": current_app.config["COUNCIL_NAME"],
            "service_name": current_app.config["SERVICE_NAME"],
            "cspNonce": getattr(g, "csp_nonce", ""),
            "navigation": navigation,
            "may_open": may_open,
            "link": link,
            "lines": lines,
            "Role": Role,
        }
