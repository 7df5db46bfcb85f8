"""People imported through the API (issue 16, "Done means"): a client made in the admin pages
checks 1,000 people with their accounts (nothing written), imports them once (the same
Idempotency-Key again changes nothing), reads the import back and exports the journal; what
it imports is recorded as its responsible finance officer's work, through the client, and
waits for a second officer; bad rows are named by JSON Pointers and change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dp_portal.accounts import bank_changes
from dp_portal.accounts.models import Account, BankDetailsChange, Person
from dp_portal.api.rules import Scope
from dp_portal.auth.models import Role, User
from dp_portal.core.audit import AuditEvent
from dp_portal.core.errors import RuleError
from dp_portal.extensions import db
from dp_portal.imports.models import Import
from dp_portal.payments import services as payments
from dp_portal.payments.models import Budget

from ..conftest import sign_in_as
from ..imports.helpers import account_row, add_rate_rows, bank_row, budget_row, person_row
from .conftest import bearer

IMPORTS = "/api/v1/imports"


def _made_in_the_admin_pages(client, admin, officer, scopes) -> str:
    """A client created as an administrator creates one; its token, from the page."""
    sign_in_as(client, admin)
    page = client.post(
        "/admin/integrations/new",
        data={"name": "Case management", "scopes": list(scopes), "officer_id": str(officer.id)},
    ).get_data(as_text=True)
    client.delete_cookie("session")
    return page.split('<code id="token">')[1].split("</code>")[0]


def _written(session) -> dict[str, int]:
    """What an import writes: people, accounts, imports and audit rows (not the calls')."""
    count = lambda *where, model=AuditEvent: session.execute(  # noqa: E731
        select(func.count()).select_from(model).where(*where)
    ).scalar()
    return {
        "people": count(model=Person),
        "accounts": count(model=Account),
        "imports": count(model=Import),
        "changes audited": count(AuditEvent.action != "api.call"),
    }


def _go_live(people: int) -> dict:
    return {
        "people": [person_row(n) for n in range(people)],
        "accounts": [account_row(n) for n in range(people)],
    }


def test_a_client_from_the_admin_pages_imports_1000_people_once_and_exports_the_journal(
    client, admin, responsible, paid, db_session
):
    paid.commit_period(0)
    token = _made_in_the_admin_pages(client, admin, responsible, ("people:import", "ledger:read"))
    body, before = _go_live(1000), _written(db_session)

    dry = client.post(f"{IMPORTS}?dry_run=true", json=body, headers=bearer(token))
    assert dry.status_code == 200, dry.json
    assert dry.json["dry_run"] and dry.json["import_id"] is None
    assert (
        dry.json["counts"]["people"]["create"] == dry.json["counts"]["accounts"]["create"] == 1000
    )
    assert _written(db_session) == before  # the dry run wrote nothing

    key = bearer(token) | {"Idempotency-Key": "go-live-2026-04-01"}
    applied = client.post(IMPORTS, json=body, headers=key)
    assert applied.status_code == 200, applied.json
    assert applied.json["state"] == "applied" and not applied.json["replayed"]
    assert applied.json["counts"] == dry.json["counts"]
    after = _written(db_session)
    assert after["people"] == before["people"] + 1000
    assert after["accounts"] == before["accounts"] + 1000

    again = client.post(IMPORTS, json=body, headers=key)
    assert again.status_code == 200 and again.json["replayed"]
    assert again.json | {"replayed": False} == applied.json
    assert _written(db_session) == after  # nothing changed again

    read_back = client.get(f"{IMPORTS}/{applied.json['import_id']}", headers=bearer(token))
    assert read_back.status_code == 200 and read_back.json == applied.json

    journal = client.get("/api/v1/journal", headers=bearer(token))
    assert journal.status_code == 200
    assert {e["account_reference"] for e in journal.json["entries"]} == {paid.reference}


def test_imports_are_the_responsible_officers_work_through_the_client(
    client, issue, responsible, db_session
):
    row, token = issue(Scope.PEOPLE_IMPORT, name="Mosaic")
    response = client.post(IMPORTS, json=_go_live(2), headers=bearer(token))
    assert response.status_code == 200, response.json
    record = db_session.get(Import, response.json["import_id"])
    assert record.created_by_id == record.applied_by_id == responsible.id
    assert record.file_type == "api" and record.source == f"API client {row.id}: Mosaic"
    created = db_session.execute(
        select(AuditEvent).where(AuditEvent.action.in_(["person.created", "account.created"]))
    ).scalars()
    labels = {(e.actor_id, e.actor_label) for e in created}
    through = f"{responsible.email} through integration client {row.id}: Mosaic"
    assert labels == {(responsible.id, through)}


def test_imported_bank_details_and_budgets_wait_for_a_second_officer_not_the_responsible_one(
    app, client, issue, responsible, factory, db_session
):
    add_rate_rows(db_session, responsible)
    colleague = factory.user(Role.FINANCE_OFFICER)
    leader = factory.user(Role.TEAM_LEADER)
    _, token = issue(Scope.PEOPLE_IMPORT)
    body = _go_live(1) | {"bank_details": [bank_row(0)], "budgets": [budget_row(0)]}
    response = client.post(IMPORTS, json=body, headers=bearer(token))
    assert response.status_code == 200 and response.json["waiting_for_approval"] == 2
    with app.app_context():
        change = db.session.execute(select(BankDetailsChange)).scalar_one()
        budget = db.session.execute(select(Budget)).scalar_one()
        assert change.status == "pending" and change.requested_by_id == responsible.id
        assert budget.status == "proposed" and budget.proposed_by_id == responsible.id
        officer = db.session.get(User, responsible.id)
        with pytest.raises(RuleError, match="You asked for this change"):
            bank_changes.decide(change, approve=True, note="Checked", actor=officer)
        with pytest.raises(RuleError, match="a budget you proposed"):
            payments.decide_budget(budget, approve=True, note="ok", actor=officer, ceiling=1500)
        bank_changes.decide(
            change, approve=True, note="Phoned", actor=db.session.get(User, colleague.id)
        )
        payments.decide_budget(
            budget, approve=True, note="ok", actor=db.session.get(User, leader.id), ceiling=1500
        )
        assert change.status == "approved" and budget.status == "approved"


def test_a_client_without_the_import_scope_is_refused(client, issue, db_session):
    _, token = issue(Scope.LEDGER_READ)
    for response in (
        client.post(IMPORTS, json=_go_live(1), headers=bearer(token)),
        client.get(f"{IMPORTS}/1", headers=bearer(token)),
    ):
        assert response.status_code == 403
        assert "people:import" in response.json["detail"]
    assert db_session.execute(select(func.count()).select_from(Person)).scalar() == 0


@pytest.mark.parametrize("dry_run", ["true", "false"])
def test_bad_rows_are_each_named_by_a_pointer_and_nothing_is_written(
    client, issue, db_session, dry_run
):
    _, token = issue(Scope.PEOPLE_IMPORT)
    body = {
        "people": [
            person_row(0),
            person_row(1, date_of_birth="31/02/1950", favourite_colour="blue"),
            person_row(2, client_reference=""),
        ],
        "accounts": [account_row(0), account_row(1, sds_option="Option 7")],
        "bank_details": [bank_row(0), bank_row(9)],  # CM00009 is no account
    }
    before = _written(db_session)
    response = client.post(f"{IMPORTS}?dry_run={dry_run}", json=body, headers=bearer(token))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    named = {e["pointer"]: e["detail"] for e in response.json["errors"]}
    assert named["/people/1/date_of_birth"] == "Date of birth 31/02/1950 is not a real date"
    assert named["/people/1/favourite_colour"] == "Favourite_colour is not a field of people"
    assert "client reference" in named["/people/2/client_reference"]
    assert "Option 7" in named["/accounts/1/sds_option"]
    assert "CM00009" in named["/bank_details/1/account_reference"]
    assert _written(db_session) == before


@pytest.mark.parametrize(
    ("body", "status", "pointer"),
    [
        ([person_row(0)], 400, ""),
        ({}, 400, ""),
        ({"pets": []}, 400, "/pets"),
        ({"people": {"0": person_row(0)}}, 400, "/people"),
        ({"people": [person_row(0), "SW1"]}, 400, "/people/1"),
        ({"people": [person_row(0, town=["Glenarden"])]}, 400, "/people/0/town"),
        ({"people": [person_row(0, town=True)]}, 400, "/people/0/town"),
        # Valid JSON that no database keeps, and a field the engine does not know: 422.
        ({"people": [person_row(0, town="Glen\x00arden")]}, 422, "/people/0/town"),
        ({"people": [{"a/b~c": "x"}]}, 422, "/people/0/a~1b~0c"),
    ],
)
def test_a_body_not_shaped_as_an_import_is_refused_naming_the_part(
    client, issue, db_session, body, status, pointer
):
    _, token = issue(Scope.PEOPLE_IMPORT)
    response = client.post(IMPORTS, json=body, headers=bearer(token))
    assert response.status_code == status
    assert pointer in [e["pointer"] for e in response.json["errors"]]
    assert db_session.execute(select(func.count()).select_from(Person)).scalar() == 0


def test_the_row_and_size_limits_are_answered_413(client, issue):
    _, token = issue(Scope.PEOPLE_IMPORT)
    too_many = {"people": [{"client_reference": f"SW{n}"} for n in range(2001)]}
    response = client.post(IMPORTS, json=too_many, headers=bearer(token))
    assert response.status_code == 413 and "at most 2,000" in response.json["detail"]
    huge = b'{"people": [{"title": "' + b"x" * (4 * 1024 * 1024) + b'"}]}'
    response = client.post(
        IMPORTS, data=huge, content_type="application/json", headers=bearer(token)
    )
    assert response.status_code == 413 and "4,194,304 bytes" in response.json["detail"]
    response = client.post(
        IMPORTS, data=b'{"people": [NaN]}', content_type="application/json", headers=bearer(token)
    )
    assert response.status_code == 400


def test_a_key_used_for_other_rows_is_refused(client, issue, db_session):
    _, token = issue(Scope.PEOPLE_IMPORT)
    key = bearer(token) | {"Idempotency-Key": '"7f0c5b1e-2d2b-4c8e-9a57-1c0d6e6f2a10"'}
    assert client.post(IMPORTS, json=_go_live(1), headers=key).status_code == 200
    before = _written(db_session)
    other = client.post(IMPORTS, json=_go_live(2), headers=key)
    assert other.status_code == 422 and "was used for other rows" in other.json["detail"]
    assert _written(db_session) == before
    bad_key = client.post(
        IMPORTS, json=_go_live(1), headers=bearer(token) | {"Idempotency-Key": "no spaces"}
    )
    assert bad_key.status_code == 400
    assert bad_key.json["errors"][0]["parameter"] == "Idempotency-Key"


def test_a_client_reads_back_only_its_own_imports(client, issue):
    _, token = issue(Scope.PEOPLE_IMPORT)
    _, other = issue(Scope.PEOPLE_IMPORT)
    import_id = client.post(IMPORTS, json=_go_live(1), headers=bearer(token)).json["import_id"]
    assert client.get(f"{IMPORTS}/{import_id}", headers=bearer(token)).status_code == 200
    assert client.get(f"{IMPORTS}/{import_id}", headers=bearer(other)).status_code == 404
    assert client.get(f"{IMPORTS}/{import_id + 1}", headers=bearer(token)).status_code == 404


def test_a_switched_off_officer_stops_imports_until_another_is_named(
    client, admin, issue, responsible, factory, db_session
):
    row, token = issue(Scope.PEOPLE_IMPORT)
    responsible.is_enabled = False
    db_session.flush()
    refused = client.post(IMPORTS, json=_go_live(1), headers=bearer(token))
    assert refused.status_code == 403
    assert (
        "Rhona Responsible, the responsible finance officer, is switched off"
        in (refused.json["detail"])
    )
    assert db_session.execute(select(func.count()).select_from(Person)).scalar() == 0

    sign_in_as(client, admin)
    page = client.get(f"/admin/integrations/{row.id}").get_data(as_text=True)
    assert "is switched off, so this client cannot import anything" in page
    deputy = factory.user(Role.FINANCE_OFFICER, full_name="Duncan Deputy")
    named = client.post(f"/admin/integrations/{row.id}/officer", data={"officer_id": deputy.id})
    assert named.status_code == 302
    changed = db_session.execute(
        select(AuditEvent).where(AuditEvent.action == "api_client.officer_changed")
    ).scalar_one()
    assert changed.actor_id == admin.id
    assert (changed.before, changed.after) == (
        {"officer": responsible.email},
        {"officer": deputy.email},
    )
    client.delete_cookie("session")
    accepted = client.post(IMPORTS, json=_go_live(1), headers=bearer(token))
    assert accepted.status_code == 200
    assert db_session.get(Import, accepted.json["import_id"]).created_by_id == deputy.id


def test_a_path_holding_anything_is_answered_and_audited_as_storable_text(
    client, issue, db_session
):
    _, token = issue(Scope.PEOPLE_IMPORT)
    response = client.get(f"{IMPORTS}/%00%C3%9A%0A1", headers=bearer(token))
    assert response.status_code == 400
    assert response.json["instance"] == "/api/v1/imports/%00%C3%9A%0A1"  # a URI reference
    call = db_session.execute(
        select(AuditEvent).where(AuditEvent.action == "api.call")
    ).scalar_one()
    assert call.after["path"] == "/api/v1/imports/?Ú?1" and "\x00" not in call.summary
