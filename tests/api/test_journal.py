"""The finance journal: committed payments and ledger entries, exact to the penny, read from a
cursor that returns the same rows every time and shows later entries only after it."""

from __future__ import annotations

from datetime import date

from dp_portal.api.rules import Scope

from .conftest import bearer


def _read(client, token, query=""):
    response = client.get(f"/api/v1/journal{query}", headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def test_a_committed_run_is_in_the_journal_to_the_penny(client, issue, paid):
    run_id = paid.commit_period(0)
    _, token = issue(Scope.LEDGER_READ)
    entries = _read(client, token)["entries"]
    assert [(e["kind"], e["side"], e["amount"], e["amount_pence"]) for e in entries] == [
        # 20 hours x £14.54 = £290.80 a week; 28 days = £1,163.20, less the £40.00 the person
        # pays in themselves (£10 a week, net payment).
        ("payment", "debit", "1123.20", 112320),
        ("contribution", "debit", "40.00", 4000),
    ]
    payment = entries[0]
    assert payment["account_reference"] == paid.reference
    assert payment["sds_option"] == 1 and payment["locality"] == "North"
    assert payment["entry_date"] == "2026-04-02"  # the pay date: the working day before
    assert payment["payment"]["run_id"] == run_id
    assert payment["payment"]["period_start"] == "2026-04-06"
    assert payment["payment"]["period_end"] == "2026-05-03"
    assert payment["payment"]["kind"] == "regular"
    assert entries[1]["payment"] is None
    for entry in entries:  # never a float: text with two decimals, and whole pence
        assert isinstance(entry["amount"], str) and isinstance(entry["amount_pence"], int)


def test_money_back_is_a_credit(client, issue, paid):
    paid.commit_period(0)
    paid.correct("-23.45", date(2026, 4, 20))
    _, token = issue(Scope.LEDGER_READ)
    correction = _read(client, token, "?kind=adjustment")["entries"]
    assert [(e["side"], e["amount"], e["amount_pence"]) for e in correction] == [
        ("credit", "23.45", 2345)
    ]
    assert correction[0]["payment"]["kind"] == "adjustment"
    assert correction[0]["payment"]["run_id"] is None
    assert correction[0]["payment"]["corrects_payment_id"] is not None


def test_reading_from_a_cursor_returns_the_same_rows_and_later_ones_only_after_it(
    client, issue, paid
):
    paid.commit_period(0)
    _, token = issue(Scope.LEDGER_READ)
    first = _read(client, token, "?limit=1")
    assert first["has_more"] is True and len(first["entries"]) == 1
    after_first = first["next_cursor"]
    second = _read(client, token, f"?limit=1&cursor={after_first}")
    assert second == _read(client, token, f"?limit=1&cursor={after_first}")  # read twice
    end = _read(client, token, f"?cursor={second['next_cursor']}")
    assert end["entries"] == [] and end["has_more"] is False
    assert end["next_cursor"] == second["next_cursor"]  # nothing new: the cursor stays

    run_id = paid.commit_period(1)  # committed after the cursor was handed out
    again = _read(client, token, f"?limit=1&cursor={after_first}")
    # The same page as before: nothing slipped in behind the cursor (only has_more changes).
    assert again["entries"] == second["entries"]
    assert again["next_cursor"] == second["next_cursor"] and again["has_more"] is True
    new = _read(client, token, f"?cursor={end['next_cursor']}")["entries"]
    assert [(e["kind"], e["payment"] and e["payment"]["run_id"]) for e in new] == [
        ("payment", run_id),
        ("contribution", None),
    ]
    assert all(e["id"] > first["entries"][0]["id"] for e in new)


def test_the_next_link_reads_on_with_the_same_filters(client, issue, paid):
    paid.commit_period(0)
    paid.commit_period(1)
    _, token = issue(Scope.LEDGER_READ)
    page = _read(client, token, "?kind=payment&limit=1")
    assert page["next"].startswith("/api/v1/journal?") and "kind=payment" in page["next"]
    following = client.get(page["next"], headers=bearer(token)).get_json()
    assert [e["kind"] for e in following["entries"]] == ["payment"]
    assert following["entries"][0]["id"] > page["entries"][0]["id"]


def test_dates_filter_on_the_entry_date(client, issue, paid):
    paid.commit_period(0)  # paid 2 April 2026
    paid.commit_period(1)  # paid 1 May 2026
    _, token = issue(Scope.LEDGER_READ)
    april_start = _read(client, token, "?from=2026-04-01&to=2026-04-10")["entries"]
    assert {e["entry_date"] for e in april_start} == {"2026-04-02"}
    later = _read(client, token, "?from=2026-04-03")["entries"]
    assert {e["entry_date"] for e in later} == {"2026-05-01"}


def test_bad_parameters_are_named_and_nothing_is_read(client, issue):
    _, token = issue(Scope.LEDGER_READ)
    response = client.get(
        "/api/v1/journal?from=2026-05-01&to=2026-04-01&limit=1001", headers=bearer(token)
    )
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert [e["parameter"] for e in response.get_json()["errors"]] == ["limit"]
    wrong_way = client.get("/api/v1/journal?from=2026-05-01&to=2026-04-01", headers=bearer(token))
    assert wrong_way.status_code == 400
    assert wrong_way.get_json()["errors"] == [
        {"parameter": "to", "detail": "to must be on or after from"}
    ]
    returns_cursor = client.get("/api/v1/returns", headers=bearer(issue()[1])).get_json()
    other_list = client.get(
        f"/api/v1/journal?cursor={returns_cursor['next_cursor']}", headers=bearer(token)
    )
    assert other_list.status_code == 400
    assert "is not a cursor this list gave" in other_list.get_json()["errors"][0]["detail"]
