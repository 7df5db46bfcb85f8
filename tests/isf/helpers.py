"""Small factory functions for ISF tests: a provider with a day rate, an Option 2 account
with an approved budget of provider hours, and an agreement version on it."""

from __future__ import annotations

from datetime import date

from dp_portal.auth.models import Role
from dp_portal.isf.models import IsfAgreement, IsfAgreementVersion, IsfFundedLine
from dp_portal.payments.models import Budget, BudgetLine
from dp_portal.payments.rate_models import ProviderRate, RateRow

from ..conftest import sign_in_as

START = date(2026, 4, 6)


def living_wage(session, pence: int = 1260, start: date = date(2025, 4, 1)) -> RateRow:
    row = RateRow(kind="living_wage", effective_from=start, value=pence, source_note="test")
    session.add(row)
    session.flush()
    return row


BANK = {
    "pooled_payee_name": "CARRICK CARE",
    "pooled_sort_code": "309634",
    "pooled_account_number": "00733445",
}


def provider(factory, *, rate_pence: int = 2250, service: str = "day", bank=True, **kw):
    org = factory.organisation(kind="provider", **(BANK if bank else {}), **kw)
    factory.session.add(
        ProviderRate(
            organisation_id=org.id,
            effective_from=date(2025, 4, 1),
            hourly_pence=rate_pence,
            service_type=service,
            source_note="contract",
        )
    )
    factory.session.flush()
    return org


def funded_account(factory, org, *, hours: int = 10, officer=None, **kw):
    """An Option 2 account whose approved budget buys `hours` a week of day support."""
    kw.setdefault("sds_option", 2)
    kw.setdefault("payee_name", "A PERSON")
    kw.setdefault("sort_code", "089999")
    kw.setdefault("account_number", "66374958")
    account = factory.account(**kw)
    return (account, *budget_for(factory, account, org, hours=hours, officer=officer))


def budget_for(factory, account, org, *, hours: int = 10, officer=None, version: int = 1):
    """An approved budget of `hours` a week of the provider's day support on `account`."""
    officer = officer or factory.user(Role.FINANCE_OFFICER)
    budget = Budget(
        account_id=account.id,
        version=version,
        effective_from=account.start_date,
        status="approved",
        weekly_at_proposal_pence=hours * 2250,
        proposed_by_id=officer.id,
    )
    factory.session.add(budget)
    factory.session.flush()
    line = BudgetLine(
        budget_id=budget.id,
        kind="provider_hours",
        description=f"Support from {org.name}",
        hours_hundredths=hours * 100,
        provider_id=org.id,
        service_type="day",
    )
    factory.session.add(line)
    factory.session.flush()
    return budget, line


def agreement(factory, account, org, budget, line, *, officer=None, **terms):
    officer = officer or factory.user(Role.FINANCE_OFFICER)
    row = IsfAgreement(account_id=account.id, organisation_id=org.id, created_by_id=officer.id)
    factory.session.add(row)
    factory.session.flush()
    values = {
        "version": 1,
        "status": "awaiting",
        "starts_on": START,
        "annual_budget_pence": 1170000,
        "budget_id": budget.id,
        "money_holder": "council",
        "payment_basis": "scheduled",
        "management_fee_bp": 0,
        "contribution_to": "none",
        "bankable_hours_hundredths": 2000,
        "reporting_frequency": "quarterly",
        "underspend": "reviewed",
    } | terms
    version = IsfAgreementVersion(agreement_id=row.id, created_by_id=officer.id, **values)
    factory.session.add(version)
    factory.session.flush()
    factory.session.add(IsfFundedLine(version_id=version.id, budget_line_id=line.id))
    factory.session.flush()
    return row, version


def in_force(factory, **terms):
    """A provider, an account it supports, and an agreement confirmed by all three."""
    from dp_portal.isf.agreements import VersionStatus, move_version

    org = terms.pop("org", None) or provider(factory)
    account, budget, line = funded_account(factory, org)
    row, version = agreement(factory, account, org, budget, line, **terms)
    move_version(version, VersionStatus.ACTIVE)
    factory.session.flush()
    return org, account, row, version


def signed_in_as(client, user):
    """The same client, signed in afresh as `user` (the last one's session dropped)."""
    client.delete_cookie("session")
    sign_in_as(client, user)
    return client
