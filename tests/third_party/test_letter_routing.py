"""Letters and reminders go to the organisation that manages the money, unless the person
chose otherwise; the person still sees their own letters."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert

from dp_portal.accounts.correspondents import correspondents
from dp_portal.auth.models import Role
from dp_portal.core.letters import Letter, letter_row

from ..conftest import sign_in_as
from ..factories import UPLIFT_CONTEXT


def _org(factory):
    return factory.organisation(
        kind="money_management",
        name="Lowland Money Test",
        address_line_1="4 Bank Street",
        town="Glenarden",
        postcode="EH1 1YZ",
        email="office@lowland.example",
    )


def test_letters_go_to_the_managing_organisation(app_ctx, factory):
    account = factory.account()
    factory.mandate(account, _org(factory), scope="manage_money")
    to = correspondents([account.id])[account.id]
    assert to.name == "Lowland Money Test"
    assert to.address_lines == ["4 Bank Street", "Glenarden", "EH1 1YZ"]
    assert to.email == "office@lowland.example"


@pytest.mark.parametrize(
    "mandate",
    [
        {"scope": "manage_money", "letters_to_organisation": False},
        {"scope": "prepare_returns"},
        {"scope": "manage_money", "ends_on": date(2026, 2, 1)},
    ],
    ids=["person-chose-otherwise", "prepares-returns-only", "ended"],
)
def test_otherwise_letters_go_where_they_went(app_ctx, factory, mandate):
    account = factory.account()
    factory.mandate(account, _org(factory), **mandate)
    assert correspondents([account.id])[account.id].name == account.person.full_name


def test_the_person_still_reads_their_letters(app_ctx, client, factory, db_session):
    account = factory.account()
    factory.mandate(account, _org(factory), scope="manage_money")
    person = factory.user(Role.RECIPIENT)
    factory.access(person, account)
    to = correspondents([account.id])[account.id]
    db_session.execute(
        insert(Letter),
        [
            letter_row(
                account_id=account.id,
                kind="uplift",
                subject="Your new rate",
                to=to,
                context=UPLIFT_CONTEXT,
            )
        ],
    )
    sign_in_as(client, person)
    page = client.get(f"/accounts/{account.id}/letters").get_data(as_text=True)
    assert "Your new rate" in page
