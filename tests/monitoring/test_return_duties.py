"""Separation of duties on returns: whoever filled in, changed or sent a return (or added its
evidence) for someone never accepts it; a flagged return is accepted only with a note; and
"accept all clean" accepts exactly the returns listed on the page the officer saw."""

import io
from datetime import date

import pytest
from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.monitoring.models import MonitoringReturn

from ..conftest import sign_in_as

CLEAN = {
    "opening": "0",
    "council_payments": "0",
    "spend_pa_wages": "100",
    "closing": "-100",
    "bank_balance": "-100",
}
FLAGGED = CLEAN | {"bank_balance": "-50"}  # the bank statement does not match the closing


@pytest.fixture
def officers(factory):
    return factory.user(Role.FINANCE_OFFICER), factory.user(Role.FINANCE_OFFICER)


def _send(client, account, figures, *, start="2026-04-06"):
    response = client.post(f"/accounts/{account.id}/returns/{start}", data=figures | {"send": "y"})
    assert response.status_code == 302
    return response


def _return(db_session, account):
    return (
        db_session.execute(
            select(MonitoringReturn)
            .where(MonitoringReturn.account_id == account.id)
            .order_by(MonitoringReturn.version.desc())
        )
        .scalars()
        .first()
    )


def _person_sends(client, factory, figures):
    account = factory.account(start_date=date(2026, 4, 6))
    me = factory.user(Role.RECIPIENT)
    factory.access(me, account)
    sign_in_as(client, me)
    _send(client, account, figures)
    return account


def test_an_officer_who_sent_a_return_for_someone_cannot_accept_it(
    client, factory, db_session, officers
):
    helper, reviewer = officers
    account = factory.account(start_date=date(2026, 4, 6))
    sign_in_as(client, helper)
    _send(client, account, CLEAN)  # filled in over the phone, on the person's behalf
    row = _return(db_session, account)
    page = client.get(f"/returns/{row.id}").text
    assert "another finance officer must accept it" in page
    refused = client.post(f"/returns/{row.id}/accept", data={"accept-note": "fine"})
    assert "you filled in or sent this return" in refused.text.lower()
    db_session.expire_all()
    assert row.status == "submitted"
    sign_in_as(client, reviewer)
    client.post(f"/returns/{row.id}/accept", data={"accept-note": ""})
    db_session.expire_all()
    assert row.status == "accepted" and row.decided_by_id == reviewer.id


def test_saving_a_draft_or_adding_evidence_counts_as_taking_part(
    client, factory, db_session, officers
):
    saver, uploader = officers
    account = factory.account(start_date=date(2026, 4, 6))
    person = factory.user(Role.RECIPIENT)
    factory.access(person, account)
    form_url = f"/accounts/{account.id}/returns/2026-04-06"
    sign_in_as(client, saver)
    client.post(form_url, data=CLEAN | {"save": "y"})
    sign_in_as(client, uploader)
    client.post(
        f"{form_url}/evidence",
        data={"kind": "bank_statement", "file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "s.pdf")},
        content_type="multipart/form-data",
    )
    sign_in_as(client, person)
    _send(client, account, CLEAN)
    row = _return(db_session, account)
    for officer in officers:
        sign_in_as(client, officer)
        client.post(f"/returns/{row.id}/accept")
        db_session.expire_all()
        assert row.status == "submitted", officer.email
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    client.post(f"/returns/{row.id}/accept")
    db_session.expire_all()
    assert row.status == "accepted"


def test_a_flagged_return_is_accepted_only_with_a_note(client, factory, db_session, officers):
    account = _person_sends(client, factory, FLAGGED)
    row = _return(db_session, account)
    assert row.flags
    sign_in_as(client, officers[0])
    refused = client.post(f"/returns/{row.id}/accept", data={"accept-note": "  "})
    assert "say what you checked" in refused.text
    db_session.expire_all()
    assert row.status == "submitted"
    client.post(
        f"/returns/{row.id}/accept",
        data={"accept-note": "Statement shows £50 in transit, cleared on 2 July"},
    )
    db_session.expire_all()
    assert row.status == "accepted" and row.decision_note.startswith("Statement shows")


def test_accept_all_clean_acts_only_on_the_returns_listed(client, factory, db_session, officers):
    first = _person_sends(client, factory, CLEAN)
    second = _person_sends(client, factory, CLEAN)
    flagged = _person_sends(client, factory, FLAGGED)
    officer = officers[0]
    sign_in_as(client, officer)
    listed = client.get("/returns/accept-clean").text
    ids = [_return(db_session, a).id for a in (first, second)]
    for return_id in ids:
        assert f'name="return_id" value="{return_id}"' in listed
    assert f'value="{_return(db_session, flagged).id}"' not in listed

    late = _person_sends(client, factory, CLEAN)  # sent after the page was shown
    sign_in_as(client, officer)
    forged = [*ids, _return(db_session, flagged).id]  # a flagged id added to the form
    done = client.post(
        "/returns/accept-clean",
        data={"return_id": [str(i) for i in forged]},
        follow_redirects=True,
    )
    assert "2 returns with no flags have been accepted" in done.text
    assert "1 were left for review" in done.text
    db_session.expire_all()
    statuses = {a.id: _return(db_session, a).status for a in (first, second, flagged, late)}
    assert statuses == {
        first.id: "accepted",
        second.id: "accepted",
        flagged.id: "submitted",
        late.id: "submitted",
    }


def test_bulk_accept_leaves_returns_the_officer_filled_in(client, factory, db_session, officers):
    officer = officers[0]
    account = factory.account(start_date=date(2026, 4, 6))
    sign_in_as(client, officer)
    _send(client, account, CLEAN)
    row = _return(db_session, account)
    assert f'value="{row.id}"' not in client.get("/returns/accept-clean").text
    client.post("/returns/accept-clean", data={"return_id": str(row.id)})
    db_session.expire_all()
    assert row.status == "submitted"


def test_evidence_after_acceptance_is_an_amendment_that_goes_back_to_review(
    client, factory, db_session, officers
):
    account = factory.account(start_date=date(2026, 4, 6))
    me = factory.user(Role.RECIPIENT)
    factory.access(me, account)
    sign_in_as(client, me)
    _send(client, account, CLEAN)
    first = _return(db_session, account)
    sign_in_as(client, officers[0])
    client.post(f"/returns/{first.id}/accept")
    sign_in_as(client, me)
    form_url = f"/accounts/{account.id}/returns/2026-04-06"
    late_file = {"kind": "bank_statement", "file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "s.pdf")}
    refused = client.post(
        f"{form_url}/evidence",
        data=late_file,
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "start an amendment" in refused.text
    assert "Send an amendment" in client.get(f"/returns/{first.id}").text

    client.post(f"{form_url}/amend")
    late_file["file"] = (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "s.pdf")
    added = client.post(
        f"{form_url}/evidence",
        data=late_file,
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "The file has been added" in added.text
    _send(client, account, CLEAN | {"explanation": "Statement for June added"})
    db_session.expire_all()
    amended = _return(db_session, account)
    assert (amended.version, amended.status) == (2, "submitted")
    assert first.status == "superseded"  # the accepted version is replaced, not edited
    sign_in_as(client, officers[1])
    assert amended.id and f"/returns/{amended.id}" in client.get("/returns").text
