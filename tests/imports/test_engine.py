"""The engine the pages and the JSON API share: check_rows writes nothing and names every
problem by row and field; apply_rows applies through the officers' services, once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dp_portal.accounts.bank_changes import decide, pending_for
from dp_portal.accounts.models import Account, Person
from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent
from dp_portal.core.errors import RuleError
from dp_portal.extensions import db
from dp_portal.imports.engine import apply_rows, apply_sets, check_rows, check_sets
from dp_portal.imports.models import ImportReference
from dp_portal.payments.models import Budget

from .helpers import account_row, add_rates, bank_row, budget_row, counts, person_row


@pytest.fixture
def officer(app_ctx, factory):
    user = factory.user(Role.FINANCE_OFFICER)
    add_rates(user)
    return user


def test_a_dry_run_names_each_problem_by_row_and_field_and_writes_nothing(officer):
    before = counts()
    report = check_rows(
        "people",
        [
            person_row(1),
            person_row(2, date_of_birth="31/02/1950", postcode="XX"),
            person_row(3, first_name=""),
        ],
        officer,
    )
    assert counts() == before
    found = {(p.row, p.field): p.message for p in report.problems}
    assert found == {
        (2, "date_of_birth"): "date of birth 31/02/1950 is not a real date",
        (2, "postcode"): "postcode XX: enter a real postcode, like EH1 1YZ",
        (3, "first_name"): "Enter the person's first name",
    }
    assert [(o.row, o.action) for o in report.outcomes] == [(1, "create")]


def test_applying_twice_creates_each_person_once(officer):
    rows = [person_row(1), person_row(2)]
    first = apply_rows("people", rows, officer, "Mosaic", "key-1")
    assert first.state == "applied"
    assert first.counts["people"]["create"] == 2
    again = apply_rows("people", rows, officer, "Mosaic", "key-2")
    assert again.counts["people"] == {"create": 0, "update": 0, "unchanged": 2}


def test_a_changed_row_updates_the_fields_that_differ_with_an_audit_row(officer):
    apply_rows("people", [person_row(1)], officer, "Mosaic")
    report = check_rows("people", [person_row(1, town="Portree", postcode="iv51 9aa")], officer)
    (outcome,) = report.outcomes
    assert outcome.action == "update"
    assert outcome.changes == (
        ("town", "Glenarden", "Portree"),
        ("postcode", "EH1 1YZ", "IV51 9AA"),
    )
    apply_rows("people", [person_row(1, town="Portree", postcode="iv51 9aa")], officer, "Mosaic")
    person = db.session.execute(
        select(Person).where(Person.client_reference == "SWI00001")
    ).scalar_one()
    assert (person.town, person.postcode) == ("Portree", "IV51 9AA")
    event = db.session.execute(
        select(AuditEvent).where(
            AuditEvent.action == "person.updated", AuditEvent.object_id == person.id
        )
    ).scalar_one()
    assert set(event.changes()) == {
        ("town", "Glenarden", "Portree"),
        ("postcode", "EH1 1YZ", "IV51 9AA"),
    }


def test_people_are_matched_on_their_client_reference_in_any_case(officer, factory):
    held = factory.person(client_reference="SW00077", first_name="Ailsa", last_name="Import77")
    row = person_row(77, client_reference="sw00077", address_line_1=held.address_line_1)
    row |= {"date_of_birth": "", "town": held.town, "postcode": held.postcode}
    report = check_rows("people", [row], officer)
    assert [(o.key, o.action) for o in report.outcomes] == [("SW00077", "unchanged")]


def test_a_whole_go_live_load_names_people_in_the_same_call_and_runs_once(officer):
    sets = {
        "people": [person_row(1), person_row(2)],
        "representatives": [
            {
                "client_reference": "SWI00001",
                "full_name": "Iain Carer",
                "relationship_to_person": "Power of attorney",
                "address_line_1": "2 Shore Road",
                "town": "Glenarden",
                "postcode": "EH1 1YZ",
            }
        ],
        "accounts": [account_row(1), account_row(2, sds_option="Option 4")],
        "bank_details": [bank_row(1), bank_row(2, account_number="1234567")],
        "budgets": [budget_row(1), budget_row(2, weekly_amount="25.00")],
    }
    report = check_sets(sets, officer, source="Mosaic")
    assert report.problems == []
    assert report.counts()["create"] == 9
    before = counts()
    result = apply_sets(sets, officer, "Mosaic")
    assert result.state == "applied"
    after = counts()
    assert after["people"] - before["people"] == 2
    assert after["accounts"] - before["accounts"] == 2
    assert after["bank_details_changes"] - before["bank_details_changes"] == 2
    assert after["budgets"] - before["budgets"] == 2
    again = check_sets(sets, officer, source="Mosaic")
    assert again.counts()["unchanged"] == 9 and again.counts()["create"] == 0
    apply_sets(sets, officer, "Mosaic")
    assert counts()["accounts"] == after["accounts"]
    assert counts()["budgets"] == after["budgets"]


def test_imported_bank_details_wait_for_a_second_officer(officer, factory):
    apply_sets({"people": [person_row(1)], "accounts": [account_row(1)]}, officer, "Mosaic")
    result = apply_rows("bank_details", [bank_row(1)], officer, "Mosaic")
    assert result.approvals == 1
    account = db.session.execute(
        select(Account).join(ImportReference).where(ImportReference.reference == "CM00001")
    ).scalar_one()
    assert account.sort_code is None  # nothing is paid to the new details yet
    change = pending_for(account.id)
    assert change.requested_by_id == officer.id and change.reason == "Imported from Mosaic"
    with pytest.raises(RuleError):
        decide(change, approve=True, note="Seen a statement", actor=officer)
    decide(change, approve=True, note="Seen a statement", actor=factory.user(Role.FINANCE_OFFICER))
    assert (account.sort_code, account.account_number) == ("089999", "66374958")
    assert check_rows("bank_details", [bank_row(1)], officer).outcomes[0].action == "unchanged"


def test_other_details_while_a_change_waits_are_refused(officer):
    apply_sets(
        {"people": [person_row(1)], "accounts": [account_row(1)], "bank_details": [bank_row(1)]},
        officer,
        "Mosaic",
    )
    waiting = check_rows("bank_details", [bank_row(1)], officer)
    assert waiting.outcomes[0].note == "already waiting for approval"
    other = check_rows("bank_details", [bank_row(1, payee_name="Someone Else")], officer)
    assert "already waiting for approval" in other.problems[0].message


def test_bank_details_are_checked_as_the_form_checks_them(officer):
    apply_sets({"people": [person_row(1)], "accounts": [account_row(1)]}, officer, "Mosaic")
    report = check_rows(
        "bank_details",
        [bank_row(1, sort_code="12-34"), bank_row(1, account_number="123456789012")],
        officer,
    )
    messages = [(p.row, p.field, p.message) for p in report.problems]
    assert messages[0] == (
        1,
        "sort_code",
        "sort code 12-34: enter a valid sort code, like 30-94-47",
    )
    assert messages[1][:2] == (2, "account_reference")  # the same account twice


def test_rows_naming_nobody_or_an_unknown_field_are_problems(officer):
    report = check_sets(
        {
            "accounts": [account_row(5)],
            "budgets": [budget_row(6, colour="blue")],
        },
        officer,
    )
    found = {(p.kind, p.row, p.field) for p in report.problems}
    assert ("accounts", 1, "client_reference") in found
    assert ("budgets", 1, "colour") in found
    assert ("budgets", 1, "account_reference") in found


def test_an_account_is_never_moved_to_another_person(officer):
    apply_sets(
        {"people": [person_row(1), person_row(2)], "accounts": [account_row(1)]},
        officer,
        "Mosaic",
    )
    report = check_rows("accounts", [account_row(1, client_reference="SWI00002")], officer)
    assert "cannot move an account to another person" in report.problems[0].message


def test_an_account_made_by_hand_is_linked_by_its_portal_reference(officer, factory):
    account = factory.account(person=factory.person(client_reference="SWI00009"))
    row = account_row(9, portal_reference=account.reference, start_date="06/04/2026")
    report = check_rows("accounts", [row], officer)
    assert report.outcomes[0].changes == (("case-management reference", "", "CM00009"),)
    apply_rows("accounts", [row], officer, "Mosaic")
    assert check_rows("accounts", [account_row(9)], officer).outcomes[0].action == "unchanged"


def test_budgets_become_proposals_and_keep_the_budget_rules(officer):
    apply_sets({"people": [person_row(1)], "accounts": [account_row(1)]}, officer, "Mosaic")
    early = check_rows("budgets", [budget_row(1, effective_from="01/04/2026")], officer)
    assert early.problems[0].message == "The budget cannot start before the account starts"
    result = apply_rows("budgets", [budget_row(1)], officer, "Mosaic")
    budget = db.session.execute(select(Budget)).scalars().all()[-1]
    assert budget.status == "proposed" and budget.proposed_by_id == officer.id
    assert result.report.outcomes[0].changes[0][0] == "weekly amount"
    changed = check_rows("budgets", [budget_row(1, pa_hours="14")], officer)
    assert changed.outcomes[0].action == "update"


def test_the_same_key_from_the_same_source_answers_with_the_first_result(officer):
    first = apply_rows("people", [person_row(1)], officer, "Mosaic", "go-live-1")
    again = apply_rows("people", [person_row(1, town="Elsewhere")], officer, "Mosaic", "go-live-1")
    assert again.import_id == first.import_id and again.counts == first.counts
    person = db.session.execute(
        select(Person).where(Person.client_reference == "SWI00001")
    ).scalar_one()
    assert person.town == "Glenarden"


def test_rows_with_problems_are_not_applied_at_all(officer):
    before = counts()
    result = apply_rows("people", [person_row(1), person_row(2, postcode="nowhere")], officer, "M")
    assert result.state == "checked" and result.report.problem_count == 1
    assert counts()["people"] == before["people"]


def test_the_report_is_json(officer):
    import json

    report = check_rows("people", [person_row(1), person_row(2, postcode="X")], officer)
    data = json.loads(json.dumps(report.as_json()))
    assert data["problems"][0] == {
        "kind": "people",
        "row": 2,
        "field": "postcode",
        "message": "postcode X: enter a real postcode, like EH1 1YZ",
        "where": "People, row 2, field postcode",
    }
    assert data["counts"]["people"] == {"create": 1, "update": 0, "unchanged": 0}


def test_a_budget_is_judged_by_the_account_as_the_same_import_leaves_it(officer):
    apply_sets({"people": [person_row(1)], "accounts": [account_row(1)]}, officer, "Mosaic")
    earlier = {
        "accounts": [account_row(1, start_date="01/04/2026")],
        "budgets": [budget_row(1, effective_from="01/04/2026")],
    }
    report = check_sets(earlier, officer, source="Mosaic")
    assert report.problems == []
    assert apply_sets(earlier, officer, "Mosaic").state == "applied"


def test_rows_that_are_not_sets_of_fields_are_refused(officer):
    with pytest.raises(RuleError, match="Row 2 is not a set of fields"):
        check_rows("people", [person_row(1), ["SW1", "Ann"]], officer)
    with pytest.raises(RuleError, match="not a kind of record we import"):
        check_rows("pets", [], officer)
