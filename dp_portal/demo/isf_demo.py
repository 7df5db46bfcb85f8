"""Demo individual service funds (issue 14): two care providers with their services, agreed
rates per kind of support and approved bank accounts (asked for by one finance officer,
approved by another), and three agreements in different states: one waiting for
confirmations (the council has confirmed; the demo recipient, as the person's representative,
and the provider have not), one in force and paid by the council on the provider's invoices
(with invoices, a sealed period, an open change request and a held line: isf_invoice_demo),
and one in force with the provider holding the budget, paid on the schedule.

Needs: the demo organisations, users and rates (people.organisations, users.add_users,
budgets.demo_rates). Makes: the login in ISF_LOGINS.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..accounts.models import Account, AccountAccess
from ..auth.models import Role, User
from ..auth.services import hash_password
from ..core.types import utcnow
from ..extensions import db
from ..isf import services
from ..isf.agreements import Terms
from ..isf.models import ProviderContact, ProviderService
from ..payments.models import Budget, BudgetLine
from ..payments.rate_models import ProviderRate
from ..third_party.models import Organisation, PooledAccountChange
from .isf_invoice_demo import invoice_demo
from .users import DEMO_PASSWORD, OFFICER, PROPOSER, user_id

SECOND_PROVIDER = "Loudoun Home Support"
ISF_LOGINS = [("Care provider staff (Loudoun)", "loudoun@demo.glenarden.example")]
# (name, services and their hourly rates in pence, bank account that passes modulus checks)
PROVIDERS = {
    "provider": (
        {"day": 2250, "night": 2400, "sleepover": 2300},
        ("CARRICK CARE", "089999", "66374958"),
    ),
    SECOND_PROVIDER: (
        {"day": 2300, "two_to_one": 4450},
        ("LOUDOUN HOME SUPP", "309634", "00733445"),
    ),
}
RATES_FROM = date(2025, 4, 1)


def _provider(org: Organisation, rates: dict[str, int], bank: tuple, officers: tuple[int, int]):
    asker, approver = officers
    have = set(
        db.session.execute(
            select(ProviderRate.service_type).where(ProviderRate.organisation_id == org.id)
        ).scalars()
    )
    for service, pence in rates.items():
        db.session.add(ProviderService(organisation_id=org.id, service_type=service))
        if service not in have:
            db.session.add(
                ProviderRate(
                    organisation_id=org.id,
                    effective_from=RATES_FROM,
                    hourly_pence=pence,
                    service_type=service,
                    source_note="Framework contract rate",
                    created_by_id=approver,
                )
            )
    db.session.add(
        ProviderContact(organisation_id=org.id, name="Isla Manager", job_title="Registered manager")
    )
    name, sort_code, number = bank
    now = utcnow()
    db.session.add(
        PooledAccountChange(
            organisation_id=org.id,
            payee_name=name,
            sort_code=sort_code,
            account_number=number,
            bank_check="not_checked",
            status="approved",
            reason="Bank details from the signed contract",
            requested_by_id=asker,
            requested_at=now,
            decided_by_id=approver,
            decided_at=now,
            decision_note="Called the provider on the number in the contract",
        )
    )
    org.pooled_payee_name, org.pooled_sort_code, org.pooled_account_number = bank
    org.pooled_bank_check, org.pooled_changed_at = "not_checked", now


def _isf_accounts(provider_id: int, started: date) -> list[Account]:
    """Up to three drawn Option 2 accounts, open since `started`, whose approved budget buys
    the provider's hours (the demo recipient's own two are left as they are)."""
    mine = select(AccountAccess.account_id)
    return list(
        db.session.execute(
            select(Account)
            .join(Budget, Budget.account_id == Account.id)
            .join(BudgetLine, BudgetLine.budget_id == Budget.id)
            .where(
                Account.sds_option == 2,
                Account.status == "active",
                Account.start_date <= started,
                Account.end_date.is_(None),
                Account.id.not_in(mine),
                Budget.status == "approved",
                BudgetLine.provider_id == provider_id,
            )
            .order_by(Account.id)
            .limit(3)
        )
        .scalars()
        .unique()
    )


def _move_to(account: Account, org: Organisation, start: date, officers) -> None:
    """A new approved budget version buying the same hours from `org` from `start`."""
    asker, approver = officers
    current = max(
        db.session.execute(select(Budget).where(Budget.account_id == account.id)).scalars(),
        key=lambda b: b.version,
    )
    hours = next(line.hours_hundredths for line in current.lines if line.provider_id)
    budget = Budget(
        account_id=account.id,
        version=current.version + 1,
        effective_from=start,
        status="approved",
        weekly_at_proposal_pence=current.weekly_at_proposal_pence,
        reason=f"The person chose {org.name} as their provider",
        proposed_by_id=asker,
        decided_by_id=approver,
        decided_at=utcnow(),
    )
    db.session.add(budget)
    db.session.flush()
    db.session.add(
        BudgetLine(
            budget_id=budget.id,
            kind="provider_hours",
            description=f"Support from {org.name}",
            hours_hundredths=hours,
            provider_id=org.id,
            service_type="day",
        )
    )
    db.session.flush()


def _terms(start: date, budget: Decimal, holder: str, fee: str, basis: str) -> Terms:
    return Terms(
        starts_on=start,
        ends_on=None,
        annual_budget=budget,
        money_holder=holder,
        payment_basis=basis,
        management_fee_pct=Decimal(fee),
        contribution_to="none",
        bankable_hours=Decimal(40),
        reporting_frequency="quarterly",
        underspend="reviewed",
    )


def _staff(email: str, name: str, org_id: int) -> User:
    user = User(
        email=email,
        full_name=name,
        role=str(Role.PROVIDER_STAFF),
        organisation_id=org_id,
        password_hash=hash_password(DEMO_PASSWORD),
        password_changed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def isf_demo(org_ids: dict[str, int], today: date) -> None:
    """Add the demo's care providers and ISF agreements (once)."""
    if user_id(ISF_LOGINS[0][1]) is not None:
        return
    officers = (user_id(PROPOSER), user_id(OFFICER))
    carrick = db.session.get(Organisation, org_ids["provider"])
    loudoun = Organisation(
        name=SECOND_PROVIDER, kind="provider", email="office@loudoun.demo.example", town="Ayr"
    )
    db.session.add(loudoun)
    db.session.flush()
    for org, key in ((carrick, "provider"), (loudoun, SECOND_PROVIDER)):
        _provider(org, *PROVIDERS[key], officers)
    users = db.session.execute(select(User)).scalars()
    by_email = {u.email: u for u in users}
    recipient = by_email["recipient@demo.glenarden.example"]
    council = by_email["finance@demo.glenarden.example"]
    carrick_staff = by_email["provider@demo.glenarden.example"]
    loudoun_staff = _staff(ISF_LOGINS[0][1], "Lorna Loudoun", loudoun.id)
    started = today - timedelta(days=56)
    plans = (
        (carrick, today + timedelta(days=14), "council", "0", (), "scheduled"),
        (carrick, started, "council", "0", (recipient, carrick_staff, council), "invoice"),
        (loudoun, started, "provider", "5", (recipient, loudoun_staff, council), "scheduled"),
    )
    for account, (org, start, holder, fee, confirmers, basis) in zip(
        _isf_accounts(carrick.id, started), plans, strict=False
    ):
        if org is loudoun:
            _move_to(account, org, start, officers)
        db.session.add(
            AccountAccess(user_id=recipient.id, account_id=account.id, capacity="representative")
        )
        _budget, lines = services.funding_budget(account, org, start)
        budget = services.suggested_annual_budget(lines, org.id, start)
        agreement = services.propose_agreement(
            account, org, _terms(start, budget, holder, fee, basis), actor=council
        )
        for user in confirmers or (council,):
            services.confirm(agreement, actor=user)
        if basis == "invoice":  # part B: invoices, a sealed period, a held line
            invoice_demo(agreement, carrick_staff, council, today)
