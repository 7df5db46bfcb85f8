"""Ending an ISF agreement (issue 14): a finance officer ends it from a last day, saying why;
it stays in force up to and including that day, then no period that starts after it is paid
to the provider (nor to the person instead, while the budget it funded is the account's);
a version waiting for confirmations is withdrawn; the person and the provider see that it
ended and why, and every version stays readable."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dp_portal.auth.models import Role, User
from dp_portal.core.audit import AuditEvent
from dp_portal.core.errors import RuleError
from dp_portal.core.types import local_today
from dp_portal.extensions import db
from dp_portal.isf import agreements, payees, services
from dp_portal.isf.agreements import Terms
from dp_portal.isf.ending import end_agreement
from dp_portal.isf.models import IsfAgreement
from dp_portal.payments import run_review
from dp_portal.payments.run_models import RunLine

from ..conftest import sign_in_as
from ..payments.test_run_controls import _build
from .helpers import budget_for, in_force, living_wage
from .invoice_helpers import send

TODAY = date(2026, 4, 10)
END = date(2026, 5, 31)  # the last day of the second payment period (4 to 31 May 2026)


@pytest.fixture
def ending(app_ctx, factory, db_session):
    """An agreement in force from 6 April 2026, its finance officer and the provider."""
    living_wage(db_session)
    _org, _account, row, _version = in_force(factory)
    officer = factory.user(Role.FINANCE_OFFICER)
    # The services work in the app's session: the same rows, loaded there.
    row = db.session.get(IsfAgreement, row.id)
    return row.provider, row.account, row, row.versions[0], db.session.get(User, officer.id)


def _end(row, officer, last_day=END, reason="The person moved to another area"):
    return end_agreement(row, last_day, reason, actor=officer, today=TODAY)


def test_it_ends_from_its_last_day_with_the_reason_and_who_ended_it(ending):
    _org, account, row, version, officer = ending
    ended = _end(row, officer)
    assert ended is version
    assert (version.status, version.ends_on, version.ended_by_id) == ("ended", END, officer.id)
    assert version.end_reason == "The person moved to another area"
    assert version.is_in_force(END) and not version.is_in_force(END + timedelta(days=1))
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "isf.agreement_ended")
    ).scalar_one()
    assert event.account_id == account.id and "31 May 2026" in event.summary


def test_a_version_waiting_for_confirmations_is_withdrawn_and_every_version_stays(ending, factory):
    _org, _account, row, version, officer = ending
    waiting = services.change_agreement(row, _terms(version), "More hours", actor=officer)
    _end(row, officer)
    assert [(v.version, v.status) for v in row.versions] == [(1, "ended"), (2, "withdrawn")]
    with pytest.raises(RuleError, match="This agreement has ended"):
        services.change_agreement(row, _terms(version), "Again", actor=officer)
    assert waiting.closed_at is not None


def _terms(version) -> Terms:
    return Terms(
        starts_on=version.starts_on,
        ends_on=None,
        annual_budget=version.annual_budget,
        money_holder="council",
        payment_basis="scheduled",
        management_fee_pct=0,
        contribution_to="none",
        bankable_hours=0,
        reporting_frequency="quarterly",
        underspend="reviewed",
    )


@pytest.mark.parametrize(
    ("last_day", "reason", "message"),
    [
        (None, "Moved", "Enter the last day"),
        (END, "  ", "Say why the agreement is ending"),
        (TODAY - timedelta(days=1), "Moved", "today or later"),
        (date(2027, 1, 1), "Moved", "already ends on 31 December 2026"),
    ],
)
def test_a_wrong_end_is_refused_with_the_reason_and_changes_nothing(
    ending, last_day, reason, message
):
    _org, _account, row, version, officer = ending
    version.ends_on = date(2026, 12, 31)
    with pytest.raises(RuleError, match=message):
        _end(row, officer, last_day, reason)
    assert (version.status, version.ends_on, version.end_reason) == (
        "active",
        date(2026, 12, 31),
        None,
    )


def test_the_end_before_the_agreement_starts_is_refused():
    version = type("V", (), {"starts_on": date(2026, 6, 1), "ends_on": None})()
    with pytest.raises(RuleError, match="on or after the day the agreement starts, 01 June"):
        agreements.check_end(version, date(2026, 5, 1), "Moved", TODAY)
    with pytest.raises(RuleError, match="not in force: withdraw"):
        agreements.check_end(None, END, "Moved", TODAY)


def test_an_agreement_that_has_not_started_or_has_ended_cannot_be_ended(ending):
    _org, _account, row, _version, officer = ending
    _end(row, officer)
    with pytest.raises(RuleError, match="not in force"):
        _end(row, officer)


def test_an_invoice_for_a_period_after_the_last_day_must_be_rejected_first(ending, factory):
    org, account, row, version, officer = ending
    version.payment_basis = "invoice"
    staff = factory.user(Role.PROVIDER_STAFF, organisation_id=org.id)
    send(org, staff, [(account.reference, "day", 5)], period=(date(2026, 6, 1), date(2026, 6, 28)))
    with pytest.raises(RuleError, match="covers the period from 01 June 2026, after that day"):
        _end(row, officer)
    assert version.status == "active"


def test_no_period_after_the_last_day_is_paid_to_the_provider_or_the_person(ending, factory):
    _org, account, row, _version, officer = ending
    before = _build(2, officer)  # 1 June: built while the agreement was open-ended
    _end(row, officer)
    assert "an individual service fund agreement ended" in " ".join(
        run_review.stale_reasons(before)
    )
    paid = _line(_build(1, officer), account)  # 4 May: within the agreement
    assert (paid.outcome, paid.sort_code) == ("pay", "309634")
    after = _line(_build(3, officer), account)  # 29 June: after its last day
    assert (after.outcome, after.payee_type) == ("withhold", "person")
    assert after.reason == (
        f"The individual service fund agreement with {row.provider.name} ended on 31 May "
        "2026: nothing is paid for its support after that. Approve a new budget, or a new "
        "agreement, to pay again"
    )


def test_a_newer_budget_lifts_the_hold(ending, factory):
    org, account, _row, version, officer = ending
    _end(version.agreement, officer)
    assert account.id not in payees.ended_before(date(2026, 5, 4))  # still in force
    newer, _funded_line = budget_for(factory, account, org, version=2)
    newer.effective_from = date(2026, 6, 29)
    factory.session.flush()
    assert account.id in payees.ended_before(date(2026, 6, 1))
    assert account.id not in payees.ended_before(date(2026, 6, 29))


def _line(run, account) -> RunLine:
    return db.session.execute(
        select(RunLine).where(RunLine.run_id == run.id, RunLine.account_id == account.id)
    ).scalar_one()


def test_a_new_agreement_with_the_provider_starts_after_the_last_day(ending):
    org, account, row, version, officer = ending
    _end(row, officer)
    terms = _terms(version)
    with pytest.raises(RuleError, match="in force until 31 May 2026: start the new one after"):
        services.propose_agreement(account, org, terms, actor=officer)
    later = Terms(**{**vars(terms), "starts_on": date(2026, 6, 1)})
    assert services.propose_agreement(account, org, later, actor=officer).id != row.id


def _get(client, user, url):
    client.delete_cookie("session")
    sign_in_as(client, user)
    return client.get(url)


def test_the_officer_ends_it_on_a_page_and_every_party_reads_that_it_ended(
    client, factory, db_session
):
    living_wage(db_session)
    org, account, row, version = in_force(factory)
    officer = factory.user(Role.FINANCE_OFFICER)
    url = f"/isf/agreements/{row.id}/end"
    page = _get(client, officer, url).get_data(as_text=True)
    assert "End the agreement with" in page and "up to and including its last day" in page
    refused = client.post(url, data={"reason": ""})
    assert refused.status_code == 200
    assert "There is a problem" in refused.get_data(as_text=True)
    assert version.status == "active"
    last = local_today() + timedelta(days=20)
    done = client.post(
        url,
        data={
            "last_day": [str(last.day), str(last.month), str(last.year)],
            "reason": "The person chose another provider",
        },
    )
    assert done.status_code == 302
    ends = f"This agreement ends on {last.day} {last:%B %Y}. Why: The person chose another"
    assert ends in _get(client, officer, f"/isf/agreements/{row.id}").get_data(as_text=True)
    person = factory.user(Role.RECIPIENT)
    factory.access(person, account)
    assert ends in _get(client, person, f"/accounts/{account.id}/isf").get_data(as_text=True)
    staff = factory.user(Role.PROVIDER_STAFF, organisation_id=org.id)
    home = _get(client, staff, "/provider").get_data(as_text=True)
    assert "The agreement ends on" in home and "The person chose another provider" in home


def test_after_its_last_day_the_provider_sees_only_that_it_ended(client, factory, db_session):
    living_wage(db_session)
    org, account, row, version = in_force(factory)
    officer = factory.user(Role.FINANCE_OFFICER)
    last = local_today()
    _get(client, officer, "/")
    client.post(
        f"/isf/agreements/{row.id}/end",
        data={"last_day": [str(last.day), str(last.month), str(last.year)], "reason": "Moved"},
    )
    db_session.refresh(version)
    version.ends_on = last - timedelta(days=1)  # and now its last day has passed
    db_session.flush()
    staff = factory.user(Role.PROVIDER_STAFF, organisation_id=org.id)
    home = _get(client, staff, "/provider").get_data(as_text=True)
    assert "Agreements that have ended" in home and "Moved" in home
    assert account.reference in home
    assert _get(client, staff, f"/isf/agreements/{row.id}").status_code == 404
    history = _get(client, officer, f"/isf/agreements/{row.id}").get_data(as_text=True)
    assert "This agreement ended on" in history and "Version 1" in history
