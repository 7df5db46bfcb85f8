"""The pooled client account: changed by an organisation's administrator, used only once a
council finance officer who did not ask has approved it (shared/design.md 2.7)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent
from dp_portal.core.errors import NotAllowed, RuleError
from dp_portal.core.types import utcnow
from dp_portal.third_party import org_services
from dp_portal.third_party.models import PooledAccountChange
from dp_portal.third_party.organisations import (
    POOLED_TRANSITIONS,
    PooledChangeStatus,
    move_pooled_change,
)

from ..conftest import sign_in_as

NEW = {
    "payee_name": "MMS CLIENT ACCOUNT",
    "sort_code": "08-99-99",
    "account_number": "66374958",
    "account_number_again": "66374958",
    "reason": "Our bank opened a new client account",
}


def _org_with_admin(factory):
    org = factory.organisation(kind="money_management")
    admin = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id, is_organisation_admin=True)
    return org, admin


def _pending(db_session, org):
    return db_session.execute(
        select(PooledAccountChange).where(PooledAccountChange.organisation_id == org.id)
    ).scalar_one()


def test_a_new_pooled_account_waits_for_a_council_finance_officer(
    client, factory, db_session, outbox
):
    org, admin = _org_with_admin(factory)
    org.email = "office@mms.example"
    sign_in_as(client, admin)
    assert client.post("/organisation/pooled-account", data=NEW).status_code == 302
    change = _pending(db_session, org)
    db_session.refresh(org)
    assert change.status == "pending" and org.pooled_sort_code is None

    officer = factory.user(Role.FINANCE_OFFICER)
    sign_in_as(client, officer)
    waiting = client.get("/pooled-account-changes").get_data(as_text=True)
    assert org.name in waiting
    page = client.get(f"/pooled-account-changes/{change.id}").get_data(as_text=True)
    assert "****4958" in page and "66374958" not in page
    decided = client.post(
        f"/pooled-account-changes/{change.id}",
        data={"decision": "approve", "note": "Bank letter seen; called the office"},
    )
    assert decided.status_code == 302
    db_session.refresh(org)
    assert (org.pooled_payee_name, org.pooled_sort_code, org.pooled_account_number) == (
        "MMS CLIENT ACCOUNT",
        "089999",
        "66374958",
    )
    logged = db_session.execute(
        select(AuditEvent.after_json).where(
            AuditEvent.action == "organisation.pooled_account_changed"
        )
    ).scalar_one()
    assert "****4958" in logged and "66374958" not in logged
    # The organisation's own address and every administrator hear of it.
    sent = sorted(path.name for path in outbox.glob("*.eml"))
    assert len(sent) == 2
    assert any("office_at_mms.example" in name for name in sent)
    text = next(outbox.glob("*.eml")).read_text()
    assert "account ending 4958" in text and "66374958" not in text


def test_whoever_asked_never_approves(app_ctx, factory, db_session):
    org, _admin = _org_with_admin(factory)
    officer = factory.user(Role.FINANCE_OFFICER)
    proposed = org_services.ProposedAccount("MMS", "089999", "66374958", "New account")
    change = org_services.request_pooled_change(
        org, proposed, confirmed="", tables=None, actor=officer
    )
    with pytest.raises(RuleError, match="another finance officer"):
        org_services.decide_pooled_change(change, approve=True, note="Mine", actor=officer)
    assert change.status == "pending" and org.pooled_sort_code is None


def test_an_organisation_never_approves_its_own_account(app_ctx, factory, db_session):
    org, admin = _org_with_admin(factory)
    colleague = factory.user(
        Role.BROKERAGE_STAFF, organisation_id=org.id, is_organisation_admin=True
    )
    proposed = org_services.ProposedAccount("MMS", "089999", "66374958", "New account")
    change = org_services.request_pooled_change(
        org, proposed, confirmed="", tables=None, actor=admin
    )
    with pytest.raises(NotAllowed):
        org_services.decide_pooled_change(change, approve=True, note="", actor=colleague)


def test_the_database_refuses_a_self_approved_change(app_ctx, factory, db_session):
    org, _admin = _org_with_admin(factory)
    officer = factory.user(Role.FINANCE_OFFICER)
    db_session.add(
        PooledAccountChange(
            organisation_id=org.id,
            payee_name="MMS",
            sort_code="089999",
            account_number="66374958",
            bank_check="not_checked",
            reason="x",
            status="approved",
            requested_by_id=officer.id,
            decided_by_id=officer.id,
            decided_at=utcnow(),
        )
    )
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.flush()


def test_a_short_account_number_is_shown_back_before_it_is_sent(client, factory, db_session):
    org, admin = _org_with_admin(factory)
    sign_in_as(client, admin)
    typed = NEW | {"account_number": "374958", "account_number_again": "374958"}
    page = client.post("/organisation/pooled-account", data=typed).get_data(as_text=True)
    assert "Check the account number" in page and "00374958" in page
    assert db_session.execute(select(PooledAccountChange)).first() is None
    confirmed = client.post(
        "/organisation/pooled-account", data=typed | {"confirmed": "089999:00374958"}
    )
    assert confirmed.status_code == 302
    change = _pending(db_session, org)
    assert change.account_number == "00374958"
    # How it was standardised is kept, and shown to the council, with the number masked.
    (event,) = db_session.execute(
        select(AuditEvent).where(
            AuditEvent.action == "organisation.pooled_account_change_requested"
        )
    ).scalars()
    assert "****4958" in change.standardised_note
    assert "374958" not in change.standardised_note + event.after_json


def test_mistyped_details_show_an_error_summary_and_save_nothing(client, factory, db_session):
    _org, admin = _org_with_admin(factory)
    sign_in_as(client, admin)
    response = client.post(
        "/organisation/pooled-account", data=NEW | {"account_number_again": "66374959"}
    )
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and "The two account numbers are different" in page
    assert db_session.execute(select(PooledAccountChange)).first() is None


def test_the_requester_withdraws_and_another_organisation_cannot(client, factory, db_session):
    org, admin = _org_with_admin(factory)
    _other, stranger = _org_with_admin(factory)
    sign_in_as(client, admin)
    client.post("/organisation/pooled-account", data=NEW)
    change = _pending(db_session, org)
    sign_in_as(client, stranger)
    assert client.post(f"/organisation/pooled-account/{change.id}/withdraw").status_code == 404
    sign_in_as(client, admin)
    assert client.post(f"/organisation/pooled-account/{change.id}/withdraw").status_code == 302
    db_session.refresh(change)
    assert change.status == "withdrawn"


@pytest.mark.parametrize("start", list(PooledChangeStatus))
@pytest.mark.parametrize("to", list(PooledChangeStatus))
def test_the_pooled_change_lifecycle_allows_exactly_its_table(app_ctx, factory, start, to):
    org, admin = _org_with_admin(factory)
    officer = factory.user(Role.FINANCE_OFFICER)
    change = PooledAccountChange(
        organisation_id=org.id, requested_by_id=admin.id, status=str(start)
    )
    actor = admin if to == PooledChangeStatus.WITHDRAWN else officer
    if to in POOLED_TRANSITIONS[start]:
        move_pooled_change(change, to, actor)
        assert change.status == to and change.decided_by_id == actor.id
    else:
        with pytest.raises(RuleError):
            move_pooled_change(change, to, actor)
        assert change.status == start
