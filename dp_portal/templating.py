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
from .core.tasks import Group

_LONDON = ZoneInfo("Europe/London")

# The main menu: (group, label, endpoint). Each item shows only to those its page lets in (the
# page's own access rule decides, so a menu never offers a page that answers 403). A role with
# few items sees them as they are; a role with more sees the groups, each a link to a small
# page of its items (pages.menu) or, when it holds one item for that role, to the item itself,
# so the menu stays on one line at 1280 px without JavaScript.
NAVIGATION: list[tuple[Group, str, str]] = [
    (Group.MONEY, "Payment runs", "payments.payment_runs"),
    (Group.MONEY, "Budgets to approve", "payments.pending_budgets"),
    (Group.MONEY, "Budgets over the team leader limit", "payments.over_ceiling"),
    (Group.MONEY, "Recoveries still owed", "payments.recoveries"),
    (Group.MONEY, "Rates", "payments.rates"),
    (Group.MONEY, "Living wage uplift", "payments.uplift_preview"),
    (Group.MONEY, "Client money reconciliations", "client_money.money_overview"),
    (Group.MONEY, "Accounts likely to run out or underspend", "monitoring.forecast_watch"),
    (Group.MONEY, "SDS reports", "reports.sds_index"),
    (Group.RETURNS, "Returns to review", "monitoring.queue"),
    (Group.RETURNS, "Escalations", "monitoring.escalation_queue"),
    (Group.RETURNS, "Reminder report", "reports.reminders"),
    (Group.PEOPLE, "Accounts", "accounts.index"),
    (Group.PEOPLE, "Bank details to approve", "accounts.bank_changes_waiting"),
    (Group.PEOPLE, "Import records", "imports.index"),
    (Group.PEOPLE, "Organisations", "third_party.organisations"),
    (Group.PEOPLE, "Pooled client accounts to approve", "third_party.pooled_changes_waiting"),
    (Group.PEOPLE, "Your organisation", "third_party.my_organisation"),
    (Group.PEOPLE, "Charter Mark applications", "employers.charter_queue"),
    (Group.PEOPLE, "Care providers", "isf.providers"),
    (Group.PEOPLE, "Your people", "isf.provider_home"),
    (Group.LETTERS, "Letters not emailed", "payments.undelivered_letters"),
    (Group.SETTINGS, "Users", "admin.users"),
    (Group.SETTINGS, "Working-day calendar", "admin.calendar"),
    (Group.SETTINGS, "Reminder timetable", "monitoring.publish_timetable"),
    (Group.SETTINGS, "Bank checking", "admin.bank_checking"),
    (Group.SETTINGS, "Employer cost figures", "employers.cost_rates"),
    (Group.SETTINGS, "PA Employer Handbook", "employers.handbook_admin"),
    (Group.SETTINGS, "Charter Mark criteria", "employers.charter_criteria_versions"),
    (Group.SETTINGS, "Integration clients", "api_clients.index"),
    (Group.SETTINGS, "Audit log", "reports.audit_log"),
]
# Up to this many items (besides Home) are shown as they are, without groups.
FLAT_MENU = 4
# Pages of a package that sit in a group although no menu item names them.
GROUP_OF_BLUEPRINT = {
    "accounts": Group.PEOPLE,
    "third_party": Group.PEOPLE,
    "imports": Group.PEOPLE,
}


def may_open(endpoint: str) -> bool:
    """Whether the signed-in user would be let into `endpoint` (for links and menus)."""
    role = current_user.role if current_user.is_authenticated else None
    return permissions.may_open(role, current_app.view_functions.get(endpoint))


def menu_items(group: Group | None = None) -> list[tuple[Group, str, str]]:
    """The menu items the signed-in user may open (in one group, if given)."""
    return [
        item for item in NAVIGATION if (group is None or item[0] == group) and may_open(item[2])
    ]


def _active_group() -> Group | None:
    endpoint = request.endpoint or ""
    if endpoint == "pages.menu":
        return Group.__members__.get((request.view_args or {}).get("group", "").upper())
    for group, _, item in NAVIGATION:
        if item == endpoint:
            return group
    return GROUP_OF_BLUEPRINT.get(endpoint.split(".")[0])


def navigation() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    home = {
        "text": "Home",
        "href": url_for("pages.home"),
        "active": request.endpoint == "pages.home",
    }
    items = menu_items()
    if len(items) <= FLAT_MENU:  # their accounts first: what a person comes for
        items.sort(key=lambda item: item[0] != Group.PEOPLE)
        active = _active_group()
        return [home] + [
            {
                "text": label,
                "href": url_for(endpoint),
                "active": request.endpoint == endpoint
                or (active == group and len([i for i in items if i[0] == group]) == 1),
            }
            for group, label, endpoint in items
        ]
    menu = [home]
    for group in Group:
        inside = [item for item in items if item[0] == group]
        if not inside:
            continue
        label, href = (
            (inside[0][1], url_for(inside[0][2]))
            if len(inside) == 1
            else (group.value, url_for("pages.menu", group=group.name.lower()))
        )
        menu.append({"text": label, "href": href, "active": _active_group() == group})
    return menu


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
