"""Every letter's call to action matches how its reader deals with the council: only someone
who can sign in is told to sign in (or sent to the website); everyone else gets the phone
number and the postal address. Whether they can is worked out when the letter is recorded
(LetterRecipient.online, from accounts.correspondents) and kept with it."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from dp_portal.accounts.correspondents import correspondents
from dp_portal.auth.models import Role
from dp_portal.core.letter_email import _body
from dp_portal.core.letters import Letter, letter_html, letter_row, record_letters
from dp_portal.extensions import db

from ..conftest import sign_in_as
from ..factories import UPLIFT_CONTEXT
from ..monitoring.test_escalations import AFTER_ESCALATION, START, _run_job, _tasks
from ..readability import prose_blocks
from .test_letter_readability import LETTERS, _kinds, _render

SENDS_ONLINE = re.compile(r"sign in|website|online", re.IGNORECASE)
PHONE, ADDRESS = "01234 567890", "Council Offices, 1 High Street, Glenarden"
VARIANTS = [(kind, "standard") for kind in _kinds()] + [
    (kind, "easy_read") for kind in _kinds() if (LETTERS / f"{kind}_easy_read.html").exists()
]
# The letters that ask the reader to do something the service can be used for.
ASK_TO_ACT = {
    *(f"reminder_{stage}" for stage in ("first", "second", "final", "escalation")),
    "suspension",
    "charter_renewal",
    "checklist_renewal",
}


def _body_text(app, kind, letter_format, online):
    return " ".join(prose_blocks(_render(app, kind, letter_format, online=online)))


@pytest.mark.parametrize(("kind", "letter_format"), VARIANTS, ids=[" ".join(v) for v in VARIANTS])
def test_without_online_access_no_letter_says_sign_in_and_each_gives_a_phone_or_address(
    app, kind, letter_format
):
    text = _body_text(app, kind, letter_format, online=False)
    assert not SENDS_ONLINE.search(text), SENDS_ONLINE.search(text)
    assert PHONE in text or ADDRESS in text


ONLINE_ASKS = [
    v for v in VARIANTS if v[0] in ASK_TO_ACT and v != ("checklist_renewal", "easy_read")
]


@pytest.mark.parametrize(
    ("kind", "letter_format"), ONLINE_ASKS, ids=[" ".join(v) for v in ONLINE_ASKS]
)
def test_with_online_access_letters_that_ask_for_something_say_where_to_do_it_online(
    app, kind, letter_format
):
    online = _body_text(app, kind, letter_format, online=True)
    assert re.search("sign in|website", online, re.IGNORECASE)
    if kind.startswith("reminder_") or kind == "suspension":  # by post: where to send it
        assert ADDRESS in _body_text(app, kind, letter_format, online=False)


def test_who_can_sign_in_is_worked_out_per_correspondent(app_ctx, factory):
    alone = factory.account()  # nobody has a login
    with_login = factory.account()
    factory.access(factory.user(Role.RECIPIENT), with_login)
    switched_off = factory.account()
    factory.access(factory.user(Role.RECIPIENT, is_enabled=False), switched_off)
    invited = factory.account()  # invited, no password chosen yet
    factory.access(factory.user(Role.RECIPIENT, password_hash=None), invited)
    person = factory.person()
    rep = factory.representative(person)
    via_rep = factory.account(
        person, correspondent="representative", correspondent_representative_id=rep.id
    )
    factory.access(factory.user(Role.RECIPIENT), via_rep, capacity="representative")
    rep_offline = factory.account(
        person, correspondent="representative", correspondent_representative_id=rep.id
    )
    factory.access(factory.user(Role.RECIPIENT), rep_offline)  # the person, not the rep
    found = correspondents([a.id for a in (alone, with_login, switched_off, invited)])
    assert [found[a.id].online for a in (alone, with_login, switched_off, invited)] == [
        False,
        True,
        False,
        False,
    ]
    reps = correspondents([via_rep.id, rep_offline.id])
    assert (reps[via_rep.id].name, reps[via_rep.id].online) == (rep.full_name, True)
    assert reps[rep_offline.id].online is False
    staffed, unstaffed = factory.organisation(), factory.organisation()
    factory.user(Role.BROKERAGE_STAFF, organisation_id=staffed.id)
    by_org = [
        factory.account(correspondent="organisation", correspondent_organisation_id=org.id)
        for org in (staffed, unstaffed)
    ]
    orgs = correspondents([a.id for a in by_org])
    assert [(orgs[a.id].name, orgs[a.id].online) for a in by_org] == [
        (staffed.name, True),
        (unstaffed.name, False),
    ]


def _suspension_for(app, client, factory, db_session, *, login: bool) -> str:
    account = factory.account(start_date=START)
    if login:
        factory.access(factory.user(Role.RECIPIENT), account)
    _run_job(app, AFTER_ESCALATION)
    [task] = [t for t in _tasks(db_session) if t.account_id == account.id]
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    client.post(
        f"/escalations/{task.id}",
        data={"decide-decision": "suspend", "decide-reason": "No return after four letters"},
    )
    letter = db_session.execute(
        select(Letter).where(Letter.account_id == account.id, Letter.kind == "suspension")
    ).scalar_one()
    with app.test_request_context():
        return " ".join(prose_blocks(letter_html(letter)))


def test_the_suspension_letter_tells_only_people_who_can_sign_in_to_sign_in(
    app, client, factory, db_session
):
    by_post = _suspension_for(app, client, factory, db_session, login=False)
    assert "sign in" not in by_post.lower()
    assert f"Post it to us at {ADDRESS}" in by_post and PHONE in by_post
    online = _suspension_for(app, client, factory, db_session, login=True)
    assert "Sign in to the direct payments service" in online


def test_the_emailed_copy_links_to_the_service_only_for_people_who_can_sign_in(app_ctx, factory):
    account = factory.account(person=factory.person(email="isla@example.org"))
    to = correspondents([account.id])[account.id]
    record_letters(
        [
            letter_row(
                account_id=account.id,
                kind="uplift",
                subject="Your direct payment is going up",
                to=to,
                context=UPLIFT_CONTEXT,
                letter_date=date(2026, 4, 1),
            )
        ]
    )
    letter = db.session.execute(select(Letter).where(Letter.account_id == account.id)).scalar_one()
    assert letter.context["online"] is False
    body = _body(letter)
    assert "sign in" not in body and "/letters" not in body and PHONE in body
