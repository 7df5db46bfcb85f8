"""The demo council has two care providers with rates and approved bank accounts, and three
individual service funds in different states (issue 14)."""

from __future__ import annotations

from sqlalchemy import select

from dp_portal.demo import build_demo
from dp_portal.isf.models import IsfAgreement
from dp_portal.isf.statement import current_version
from dp_portal.payments.rate_models import ProviderRate
from dp_portal.third_party.models import Organisation


def test_the_demo_has_two_providers_and_three_funds_in_different_states(app_ctx, db_session):
    from dp_portal.extensions import db

    build_demo(30, seed=5)
    providers = (
        db.session.execute(select(Organisation).where(Organisation.kind == "provider"))
        .scalars()
        .all()
    )
    assert len(providers) == 2 and all(org.pooled_sort_code for org in providers)
    rated = {org_id for (org_id,) in db.session.execute(select(ProviderRate.organisation_id))}
    assert rated == {org.id for org in providers}
    states = set()
    for agreement in db.session.execute(select(IsfAgreement)).scalars():
        version = current_version(agreement)
        states.add((version.status, version.money_holder, len(version.confirmations)))
    assert states == {
        ("awaiting", "council", 1),
        ("active", "council", 3),
        ("active", "provider", 3),
    }


def test_the_demo_has_an_open_change_request_and_a_held_line(app_ctx, db_session):
    from dp_portal.extensions import db
    from dp_portal.isf.delivery_models import IsfChangeRequest, IsfInvoiceLine, IsfPeriod

    build_demo(30, seed=5)
    assert [c.status for c in db.session.execute(select(IsfChangeRequest)).scalars()] == ["open"]
    states = [line.state for line in db.session.execute(select(IsfInvoiceLine)).scalars()]
    assert sorted(states) == ["accepted", "held"]
    assert [
        p.status for p in db.session.execute(select(IsfPeriod).order_by(IsfPeriod.id)).scalars()
    ] == ["sealed", "open"]
