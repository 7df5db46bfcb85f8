"""Four eyes on where the money goes: new bank details wait for a second finance officer, the
number is typed twice and standardised in the open, and the person is written to at the
address we held when the change was asked for."""

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from dp_portal.accounts.models import Account, BankDetailsChange
from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent
from dp_portal.core.letters import Letter

from ..conftest import sign_in_as

CHANGE = {
    "payee_name": "A TESTER",
    "sort_code": "08-99-99",
    "account_number": "66374958",
    "account_number_again": "66374958",
    "reason": "New account for the direct payment, statement seen",
}


@pytest.fixture
def officers(factory):
    return factory.user(Role.FINANCE_OFFICER), factory.user(Role.FINANCE_OFFICER)


def _account(factory):
    return factory.account(payee_name="OLD NAME", sort_code="309634", account_number="12345678")


def _changes(db_session):
    return db_session.execute(select(BankDetailsChange)).scalars().all()


def test_a_change_waits_for_a_second_officer_and_payments_stay_put(
    client, factory, db_session, officers
):
    first, second = officers
    account = _account(factory)
    sign_in_as(client, first)
    response = client.post(f"/accounts/{account.id}/bank-details", data=CHANGE)
    assert response.status_code == 302
    db_session.expire_all()
    assert account.sort_code == "309634"  # nothing moves until a second officer approves
    page = client.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "waiting for a second officer" in page
    (change,) = _changes(db_session)

    review = client.get(f"/bank-details-changes/{change.id}").get_data(as_text=True)
    assert "You asked for this change" in review
    assert "****5678" in review and "****4958" in review  # side by side, masked
    assert "66374958" not in review and "12345678" not in review
    # Posting a decision as the officer who asked changes nothing.
    client.post(f"/bank-details-changes/{change.id}", data={"decision": "approve", "note": "x"})
    db_session.expire_all()
    assert change.status == "pending" and account.sort_code == "309634"

    sign_in_as(client, second)
    waiting = client.get("/bank-details-changes").get_data(as_text=True)
    assert account.reference in waiting and "Waiting for you" in waiting
    client.post(
        f"/bank-details-changes/{change.id}",
        data={"decision": "approve", "note": "Called the person on the number we hold"},
    )
    db_session.expire_all()
    assert change.status == "approved" and change.decided_by_id == second.id
    assert (account.payee_name, account.sort_code, account.account_number) == (
        "A TESTER",
        "089999",
        "66374958",
    )
    assert account.bank_details_changed_at is not None
    # The next officer to open the bank details sees when the current ones were approved.
    details = client.get(f"/accounts/{account.id}/bank-details").get_data(as_text=True)
    assert "These details were approved by a second officer on" in details


def test_the_letter_goes_to_the_address_on_file_before_the_change(
    client, factory, db_session, officers
):
    first, second = officers
    account = _account(factory)
    person = account.person
    person.address_line_1, person.postcode = "1 Old Road", "EH1 1YZ"
    db_session.flush()
    sign_in_as(client, first)
    client.post(f"/accounts/{account.id}/bank-details", data=CHANGE)
    # Someone then moves the person's address (the pattern of a fraud), and it is approved.
    person.address_line_1, person.postcode = "9 Elsewhere Lane", "G1 1AA"
    db_session.flush()
    (change,) = _changes(db_session)
    sign_in_as(client, second)
    client.post(f"/bank-details-changes/{change.id}", data={"decision": "approve", "note": "ok"})
    letter = db_session.execute(
        select(Letter).where(Letter.account_id == account.id, Letter.kind == "bank_details_changed")
    ).scalar_one()
    assert json.loads(letter.address_json)[0] == "1 Old Road"
    context = json.loads(letter.context_json)
    assert context["last_four"] == "4958" and "66374958" not in letter.context_json


def test_rejected_and_withdrawn_changes_leave_the_details_alone(
    client, factory, db_session, officers
):
    first, second = officers
    account = _account(factory)
    sign_in_as(client, first)
    client.post(f"/accounts/{account.id}/bank-details", data=CHANGE)
    (change,) = _changes(db_session)
    sign_in_as(client, second)
    client.post(f"/bank-details-changes/{change.id}", data={"decision": "reject", "note": "no"})
    assert client.post(f"/bank-details-changes/{change.id}/withdraw").status_code == 302
    db_session.expire_all()
    assert change.status == "rejected" and account.sort_code == "309634"

    sign_in_as(client, first)
    client.post(f"/accounts/{account.id}/bank-details", data=CHANGE)
    again = db_session.execute(
        select(BankDetailsChange).where(BankDetailsChange.status == "pending")
    ).scalar_one()
    sign_in_as(client, second)  # only the officer who asked may withdraw
    client.post(f"/bank-details-changes/{again.id}/withdraw")
    db_session.expire_all()
    assert again.status == "pending"
    sign_in_as(client, first)
    client.post(f"/bank-details-changes/{again.id}/withdraw")
    db_session.expire_all()
    assert again.status == "withdrawn" and account.sort_code == "309634"
    assert not db_session.execute(select(Letter).where(Letter.account_id == account.id)).first()


def test_one_change_waits_at_a_time(client, factory, db_session, officers):
    account = _account(factory)
    sign_in_as(client, officers[0])
    client.post(f"/accounts/{account.id}/bank-details", data=CHANGE)
    second_try = client.post(
        f"/accounts/{account.id}/bank-details",
        data=CHANGE | {"account_number": "00733445", "account_number_again": "00733445"},
    )
    assert "already waiting for approval" in second_try.get_data(as_text=True)
    assert len(_changes(db_session)) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"account_number_again": "66374985"}, "The two account numbers are different"),
        ({"account_number": "12ab", "account_number_again": "12ab"}, "6 to 10 numbers"),
        ({"sort_code": "12-34"}, "Enter a valid sort code"),
        ({"payee_name": "A NAME THAT IS FAR TOO LONG"}, "18 characters or fewer"),
        ({"reason": ""}, "Say why the bank details are changing"),
        (
            {
                "sort_code": "20-00-00",
                "account_number": "1234567890",
                "account_number_again": "1234567890",
            },
            "Ask the person for the 8-digit account number",
        ),
    ],
)
def test_bad_details_are_refused_with_a_reason_and_change_nothing(
    client, factory, db_session, officers, changes, message
):
    account = _account(factory)
    sign_in_as(client, officers[0])
    response = client.post(f"/accounts/{account.id}/bank-details", data=CHANGE | changes)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _changes(db_session) == []


def test_a_short_number_is_shown_back_standardised_before_anything_is_saved(
    client, factory, db_session, officers
):
    account = _account(factory)
    sign_in_as(client, officers[0])
    seven = CHANGE | {"account_number": "6637495", "account_number_again": "6637495"}
    shown = client.post(f"/accounts/{account.id}/bank-details", data=seven).get_data(as_text=True)
    assert "Check the account number" in shown and "06637495" in shown
    assert _changes(db_session) == []
    # A confirmation for different details is not a confirmation: it is asked again.
    wrong = client.post(
        f"/accounts/{account.id}/bank-details", data=seven | {"confirmed": "089999:99999999"}
    )
    assert "Check the account number" in wrong.get_data(as_text=True)
    assert _changes(db_session) == []
    client.post(
        f"/accounts/{account.id}/bank-details", data=seven | {"confirmed": "089999:06637495"}
    )
    (change,) = _changes(db_session)
    assert change.account_number == "06637495" and "****7495" in change.standardised_note


@pytest.mark.parametrize(
    "sort_code, typed, standard",
    [("089999", "6637495", "06637495"), ("601613", "1266374958", "66374958")],
)
def test_a_standardised_number_is_masked_for_the_second_officer_and_in_the_audit_log(
    client, factory, db_session, officers, sort_code, typed, standard
):
    # The note saying how the number was standardised once held the typed number whole: on
    # the change, on the second officer's page and in the audit log.
    account = _account(factory)
    sign_in_as(client, officers[0])
    entered = CHANGE | {"sort_code": sort_code, "account_number": typed}
    entered["account_number_again"] = typed
    client.post(
        f"/accounts/{account.id}/bank-details",
        data=entered | {"confirmed": f"{sort_code}:{standard}"},
    )
    (change,) = _changes(db_session)
    sign_in_as(client, officers[1])
    review = client.get(f"/bank-details-changes/{change.id}").get_data(as_text=True)
    assert "Account number standardised" in review and f"****{standard[-4:]}" in review
    (event,) = db_session.execute(
        select(AuditEvent).where(AuditEvent.action == "bank_details.change_requested")
    ).scalars()
    kept = (event.after_json or "") + (change.standardised_note or "") + review
    assert event.after["standardised"] == change.standardised_note
    for digits in (typed, standard, typed[-8:]):
        assert digits not in kept


def test_the_audit_log_never_holds_a_whole_account_number(client, factory, db_session, officers):
    account = _account(factory)
    sign_in_as(client, officers[0])
    client.post(f"/accounts/{account.id}/bank-details", data=CHANGE)
    (change,) = _changes(db_session)
    sign_in_as(client, officers[1])
    client.post(f"/bank-details-changes/{change.id}", data={"decision": "approve", "note": "ok"})
    events = (
        db_session.execute(select(AuditEvent).where(AuditEvent.account_id == account.id))
        .scalars()
        .all()
    )
    assert [e.action for e in events] == [
        "bank_details.change_requested",
        "account.bank_details_changed",
    ]
    for event in events:
        assert "66374958" not in (event.after_json or "") + (event.before_json or "")
        assert "12345678" not in (event.after_json or "") + (event.before_json or "")
    assert events[1].after["account_number"] == "****4958"


def test_the_database_refuses_a_change_approved_by_the_officer_who_asked(
    factory, db_session, officers
):
    account = _account(factory)
    change = BankDetailsChange(
        account_id=account.id,
        payee_name="X",
        sort_code="089999",
        account_number="66374958",
        bank_check="not_checked",
        correspondent_json="{}",
        reason="r",
        requested_by_id=officers[0].id,
        status="approved",
        decided_by_id=officers[0].id,
        decided_at=__import__("dp_portal.core.types", fromlist=["utcnow"]).utcnow(),
    )
    db_session.add(change)
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_bank_details_are_modulus_checked_once_a_table_is_uploaded(
    client, factory, db_session, officers
):
    account = factory.account()
    sign_in_as(client, factory.user(Role.ADMIN))
    table = (Path(__file__).parent.parent / "data/valacdos_extract.txt").read_bytes()
    refused = client.post(
        "/admin/bank-checking",
        data={"label": "bad", "valacdos": (io.BytesIO(b"nonsense\n"), "valacdos.txt")},
        content_type="multipart/form-data",
    )
    assert b"Weight table line 1" in refused.data
    uploaded = client.post(
        "/admin/bank-checking",
        data={"label": "Test extract", "valacdos": (io.BytesIO(table), "valacdos.txt")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302

    sign_in_as(client, officers[0])
    wrong = client.post(
        f"/accounts/{account.id}/bank-details",
        data=CHANGE | {"account_number": "66374959", "account_number_again": "66374959"},
    )
    assert b"do not match" in wrong.data
    client.post(f"/accounts/{account.id}/bank-details", data=CHANGE)
    (change,) = _changes(db_session)
    assert change.bank_check == "passed"
    assert db_session.execute(select(func.count(Account.id))).scalar() >= 1
