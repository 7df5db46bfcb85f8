"""The organisation's fee: a policy set by the council (a new row from a date, never an
edit), taken from each managed client's sub-ledger by the daily job exactly once per client
and period, refused and listed for staff when the balance is too low; staff cannot type one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dp_portal.auth.models import Role
from dp_portal.client_money import fee_policy, fees, services
from dp_portal.core.errors import RuleError
from dp_portal.core.permissions import Viewer
from dp_portal.extensions import db
from dp_portal.third_party.money_models import ClientPosting, PostingKind
from dp_portal.third_party.money_statement_models import FeeCharge

from ..conftest import sign_in_as
from .conftest import put

TODAY = date(2026, 11, 2)


@pytest.fixture
def officer(factory):
    return factory.user(Role.FINANCE_OFFICER)


@pytest.fixture
def monthly_fee(office, officer):
    """£12 a client each month from 1 November 2026."""
    return fee_policy.set_policy(
        Viewer(officer, date(2026, 10, 20)),
        office.org.id,
        effective_from=date(2026, 11, 1),
        amount=Decimal("12.00"),
        per="month",
    )


def _fees(office) -> list[int]:
    db.session.flush()
    return list(
        db.session.execute(
            select(ClientPosting.amount_pence).where(
                ClientPosting.account_id == office.account.id, ClientPosting.kind == "fee"
            )
        ).scalars()
    )


def test_the_fee_is_taken_once_per_client_and_period_however_often_the_job_runs(
    office, monthly_fee
):
    put(office, PostingKind.CONTRIBUTION, "100.00", date(2026, 10, 30))
    assert fees.charge_fees(TODAY) == 1
    assert fees.charge_fees(TODAY) == 0
    assert fees.charge_fees(date(2026, 11, 30)) == 0  # the same month
    assert _fees(office) == [-1200]
    assert fees.charge_fees(date(2026, 12, 1)) == 1  # the next month
    assert _fees(office) == [-1200, -1200]


def test_no_fee_is_taken_before_the_policy_starts(office, monthly_fee):
    put(office, PostingKind.CONTRIBUTION, "100.00", date(2026, 10, 1))
    assert fees.charge_fees(date(2026, 10, 31)) == 0
    assert _fees(office) == []


def test_a_fee_that_would_go_below_zero_is_refused_listed_and_taken_once_money_comes(
    office, monthly_fee
):
    put(office, PostingKind.CONTRIBUTION, "5.00", date(2026, 10, 30))
    assert fees.charge_fees(TODAY) == 0
    page = fee_policy.fee_page(office.viewer(today=TODAY))
    assert [c.account_id for c in page.refused] == [office.account.id]
    assert "below zero" in page.refused[0].refused_reason
    put(office, PostingKind.CONTRIBUTION, "20.00", date(2026, 11, 3))
    assert fees.charge_fees(date(2026, 11, 4)) == 1
    assert _fees(office) == [-1200]
    assert fee_policy.fee_page(office.viewer(today=TODAY)).refused == []
    assert db.session.execute(select(func.count()).select_from(FeeCharge)).scalar() == 1


def test_a_policy_is_never_edited_and_never_starts_in_the_past(office, officer, monthly_fee):
    viewer = Viewer(officer, TODAY)
    with pytest.raises(RuleError, match="today or later"):
        fee_policy.set_policy(
            viewer,
            office.org.id,
            effective_from=date(2026, 11, 1),
            amount=Decimal("9"),
            per="month",
        )
    newer = fee_policy.set_policy(
        viewer, office.org.id, effective_from=date(2027, 1, 1), amount=Decimal("15"), per="month"
    )
    page = fee_policy.fee_page(viewer, office.org.id)
    assert [p.id for p in page.policies] == [newer.id, monthly_fee.id]
    assert page.in_force == monthly_fee


def test_staff_cannot_type_a_fee_of_their_own(office, client):
    put(office, PostingKind.CONTRIBUTION, "100.00", date(2026, 10, 30))
    with pytest.raises(RuleError, match="The fee is taken by itself"):
        services.enter(
            office.viewer(),
            office.account.id,
            {
                "kind": "fee",
                "amount": Decimal("50"),
                "entry_date": date(2026, 11, 2),
                "description": "Our fee",
            },
        )
    sign_in_as(client, office.preparer)
    form = client.get(f"/accounts/{office.account.id}/client-money/new").get_data(as_text=True)
    assert 'value="fee"' not in form


def test_a_finance_officer_sets_the_fee_on_a_page(client, office, officer):
    sign_in_as(client, officer)
    response = client.post(
        f"/money/organisations/{office.org.id}/fee",
        data={
            "amount": "10.50",
            "per": "four_weeks",
            "effective_from": ["1", "1", "2099"],
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "The new fee has been set" in page and "£10.50" in page
