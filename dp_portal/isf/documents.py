"""An agreement in words: the labels its pages show, the figures a change starts from, and
the accessible PDF (PDF/UA-1, WeasyPrint, as letters and certificates are made)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import render_template

from ..core.letters import html_to_pdf
from ..core.money import format_money, from_pence
from ..payments.rates import ServiceType
from .agreements import (
    ContributionTo,
    MoneyHolder,
    Party,
    PaymentBasis,
    Reporting,
    Underspend,
    VersionStatus,
)
from .models import IsfAgreementVersion

HUNDRED = Decimal(100)


def labels() -> dict[str, dict[str, str]]:
    """Each term's stored value -> the words people read."""
    enums = {
        "status": VersionStatus,
        "party": Party,
        "money_holder": MoneyHolder,
        "payment_basis": PaymentBasis,
        "contribution_to": ContributionTo,
        "reporting": Reporting,
        "underspend": Underspend,
        "service": ServiceType,
    }
    return {name: {m.value: m.label for m in enum} for name, enum in enums.items()}


def form_data(version: IsfAgreementVersion | None) -> dict:
    """A change form opens with the terms of the version it changes."""
    if version is None:
        return {}
    return {
        "starts_on": version.starts_on,
        "ends_on": version.ends_on,
        "annual_budget": from_pence(version.annual_budget_pence),
        "money_holder": version.money_holder,
        "payment_basis": version.payment_basis,
        "management_fee": Decimal(version.management_fee_bp) / HUNDRED,
        "contribution_to": version.contribution_to,
        "bankable_hours": Decimal(version.bankable_hours_hundredths) / HUNDRED,
        "reporting_frequency": version.reporting_frequency,
        "underspend": version.underspend,
    }


def agreement_pdf(version: IsfAgreementVersion, config) -> bytes:
    html = render_template(
        "isf/agreement_pdf.html",
        agreement=version.agreement,
        version=version,
        terms=terms_rows(version),
        labels=labels(),
        council=config,
    )
    return html_to_pdf(html)


def terms_rows(version: IsfAgreementVersion) -> list[tuple[str, str]]:
    """What the three parties agree, in plain words, as (question, answer) pairs."""
    words = labels()
    funded = [
        f"{line.budget_line.hours.normalize():f} hours a week: "
        f"{words['service'][line.budget_line.service_type or 'day']}"
        for line in version.funded_lines
    ]
    fee = Decimal(version.management_fee_bp) / HUNDRED
    return [
        ("The person", version.agreement.account.person.full_name),
        ("Who confirms for the person", _person_party(version)),
        ("The provider", version.agreement.provider.name),
        ("Starts on", _day(version.starts_on)),
        ("Ends on", _day(version.ends_on) if version.ends_on else "No end date"),
        ("Budget for the year", format_money(version.annual_budget)),
        ("Support it pays for", "; ".join(funded) or "None"),
        ("Who holds the money", words["money_holder"][version.money_holder]),
        ("How the provider is paid", words["payment_basis"][version.payment_basis]),
        ("Provider's management fee", f"{fee.normalize():f}% of the budget"),
        ("The person's contribution", words["contribution_to"][version.contribution_to]),
        (
            "Unused hours that may be banked",
            f"Up to {Decimal(version.bankable_hours_hundredths) / HUNDRED:.2f} hours in the year",
        ),
        ("How often the provider reports", words["reporting"][version.reporting_frequency]),
        ("An underspend", words["underspend"][version.underspend]),
    ]


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _person_party(version: IsfAgreementVersion) -> str:
    if version.representative is not None:
        return f"{version.representative.full_name}, their representative"
    return "The person, or their representative, with their own login"


def hours_text(hours) -> str:
    """'12.5 hours', '1 hour', '0 hours'."""
    value = Decimal(str(hours)).quantize(Decimal("0.01")).normalize()
    return f"{value:f} hour{'' if value == 1 else 's'}"


def end_text(version: IsfAgreementVersion | None, today: date) -> str:
    """'This agreement ended on 31 July 2026: <reason>' (or 'ends on', before its last day),
    or '' when it has not been ended."""
    if version is None or version.status != VersionStatus.ENDED:
        return ""
    verb = "ended" if version.ends_on < today else "ends"
    return f"This agreement {verb} on {_day(version.ends_on)}. Why: {version.end_reason}"
