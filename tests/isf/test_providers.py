"""Care providers set up by a finance officer (issue 14): contacts, the services offered,
the bank account through the four-eyes flow (another officer approves), and agreed hourly
rates per service type that never undercut the pay floor and rise with the living wage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.isf.models import ProviderContact, ProviderService
from dp_portal.payments.rate_models import ProviderRate
from dp_portal.third_party.models import PooledAccountChange

from .helpers import living_wage, provider
from .helpers import signed_in_as as _as


def test_an_officer_records_contacts_and_services(client, factory, db_session):
    org = provider(factory)
    _as(client, factory.user(Role.FINANCE_OFFICER))
    response = client.post(
        f"/providers/{org.id}/contacts", data={"name": "Ann Manager", "job_title": "Manager"}
    )
    assert response.status_code == 302
    bad = client.post(f"/providers/{org.id}/contacts", data={"email": "not an email"})
    assert "Enter the contact&#39;s name" in bad.get_data(as_text=True)
    client.post(f"/providers/{org.id}/services", data={"services": ["day", "sleepover"]})
    client.post(f"/providers/{org.id}/services", data={"services": ["day", "night"]})
    offered = db_session.execute(
        select(ProviderService.service_type).where(ProviderService.organisation_id == org.id)
    ).scalars()
    assert sorted(offered) == ["day", "night"]
    contacts = db_session.execute(select(ProviderContact.name)).scalars().all()
    assert contacts == ["Ann Manager"]
    page = client.get(f"/providers/{org.id}").get_data(as_text=True)
    assert "Ann Manager" in page and "Waking night" in page


def test_the_bank_account_needs_a_second_officer(client, factory, db_session):
    org = provider(factory, bank=False)
    asker, approver = factory.user(Role.FINANCE_OFFICER), factory.user(Role.FINANCE_OFFICER)
    _as(client, asker)
    details = {
        "payee_name": "CARRICK CARE",
        "sort_code": "309634",
        "account_number": "00733445",
        "account_number_again": "00733445",
        "reason": "Contract signed",
    }
    assert client.post(f"/providers/{org.id}/bank-account", data=details).status_code == 302
    change = db_session.execute(select(PooledAccountChange)).scalar_one()
    refused = client.post(
        f"/pooled-account-changes/{change.id}", data={"decision": "approve", "note": "ok"}
    )
    assert "another finance officer" in refused.get_data(as_text=True).lower()
    db_session.refresh(org)
    assert org.pooled_sort_code is None  # nothing is paid there until someone else approves
    _as(client, approver)
    client.post(
        f"/pooled-account-changes/{change.id}",
        data={"decision": "approve", "note": "Called the provider"},
    )
    db_session.refresh(org)
    assert (org.pooled_sort_code, org.pooled_account_number) == ("309634", "00733445")


def test_rates_per_service_type_never_undercut_the_pay_floor(client, factory, db_session):
    living_wage(db_session)  # £12.60: the PA rate built on it is the floor
    org = provider(factory)
    _as(client, factory.user(Role.FINANCE_OFFICER))
    form = {
        "effective_from": ["6", "4", "2026"],
        "source_note": "Contract",
        "service_type": "night",
    }
    low = client.post(f"/organisations/{org.id}/rates", data=form | {"hourly": "12.00"})
    assert "The rate must be at least" in low.get_data(as_text=True)
    ok = client.post(f"/organisations/{org.id}/rates", data=form | {"hourly": "24.00"})
    assert ok.status_code == 302
    night = db_session.execute(
        select(ProviderRate).where(ProviderRate.service_type == "night")
    ).scalar_one()
    assert night.hourly_pence == 2400


def test_an_uplift_raises_every_service_types_rate_alike(app_ctx, factory, db_session):
    from dp_portal.extensions import db
    from dp_portal.payments.uplift import apply_uplift

    living_wage(db_session)
    org = provider(factory)  # day £22.50 from April 2025
    db_session.add(
        ProviderRate(
            organisation_id=org.id,
            effective_from=date(2025, 4, 1),
            hourly_pence=2520,
            service_type="sleepover",
            source_note="contract",
        )
    )
    db_session.flush()
    apply_uplift(Decimal("13.86"), date(2026, 4, 6), "SG", actor=factory.user(Role.ADMIN))
    raised = db.session.execute(
        select(ProviderRate.service_type, ProviderRate.hourly_pence).where(
            ProviderRate.uplift_id.is_not(None)
        )
    ).all()
    assert sorted(raised) == [("day", 2475), ("sleepover", 2772)]  # both up 10%


def test_a_budget_buys_provider_hours_of_one_kind_at_that_kinds_rate(client, factory, db_session):
    living_wage(db_session)
    org = provider(factory)  # day £22.50
    db_session.add(
        ProviderRate(
            organisation_id=org.id,
            effective_from=date(2025, 4, 1),
            hourly_pence=2400,
            service_type="night",
            source_note="contract",
        )
    )
    account = factory.account(sds_option=2, start_date=date(2025, 4, 1))
    _as(client, factory.user(Role.FINANCE_OFFICER))
    answers = {
        "effective_from": ["1", "10", "2025"],
        "provider_id": str(org.id),
        "provider_hours": "10",
        "provider_service": "night",
        "weekly_contribution": "0",
        "contribution_basis": "net",
        "reason": "Waking nights",
        "check": "y",
    }
    checked = client.post(f"/accounts/{account.id}/budget/new", data=answers)
    assert "£240.00" in checked.get_data(as_text=True)  # 10 hours x £24.00, not the day rate


def test_the_councils_agreements_are_listed_a_page_at_a_time_newest_first(
    client, factory, db_session, monkeypatch
):
    from dp_portal.isf import statement

    from .helpers import in_force

    monkeypatch.setattr(statement, "AGREEMENTS_A_PAGE", 2)
    org = provider(factory)
    accounts = [in_force(factory, org=org)[1] for _ in range(3)]
    _as(client, factory.user(Role.FINANCE_OFFICER))
    first = client.get("/providers").get_data(as_text=True)
    second = client.get("/providers?page=2").get_data(as_text=True)
    newest, middle, oldest = (a.reference for a in reversed(accounts))
    assert newest in first and middle in first and oldest not in first
    assert "Page 1 of 2 (3 in all)" in first
    assert oldest in second and newest not in second
