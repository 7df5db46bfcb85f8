"""Who an account's letters go to, and whether that reader can sign in (so a letter's call
to action matches how they deal with the council): the person, a representative, or an
organisation that manages the money (unless the person chose otherwise)."""

from __future__ import annotations

from sqlalchemy import select

from ..auth.models import User
from ..core.letters import LetterRecipient
from ..core.types import local_today
from ..extensions import db
from ..third_party.models import Mandate, Organisation
from .models import (
    Account,
    AccountAccess,
    Person,
    Representative,
)


def _can_sign_in():
    """Users who can sign in today: switched on, with a password chosen."""
    return User.is_enabled.is_(True) & User.password_hash.is_not(None)


def _account_user_online(capacity: str):
    """Whether someone linked to the account in `capacity` can sign in (for the letters'
    call to action: sign in, or call and write)."""
    return (
        select(AccountAccess.id)
        .join(User, User.id == AccountAccess.user_id)
        .where(
            AccountAccess.account_id == Account.id,
            AccountAccess.capacity == capacity,
            AccountAccess.is_current.is_(True),
            _can_sign_in(),
        )
        .exists()
    )


def _organisations_online() -> set[int]:
    """Organisations with staff who can sign in (a few hundred rows, read once: users are
    not indexed by organisation, so a per-account lookup would scan them)."""
    return set(
        db.session.execute(
            select(User.organisation_id)
            .where(User.organisation_id.is_not(None), _can_sign_in())
            .distinct()
        ).scalars()
    )


# PostgreSQL takes at most 65,535 bound parameters a statement, and an uplift writes to every
# account (100,000 at council scale): the accounts are looked up this many at a time.
IDS_AT_ONCE = 10_000


def correspondents(account_ids: list[int]) -> dict[int, LetterRecipient]:
    """Who receives letters for each account, and whether they can sign in to the service
    (a representative: whether a representative of the account can), in one query for each
    IDS_AT_ONCE accounts."""
    result: dict[int, LetterRecipient] = {}
    for start in range(0, len(account_ids), IDS_AT_ONCE):
        result |= _correspondents(account_ids[start : start + IDS_AT_ONCE])
    return result


def _correspondents(account_ids: list[int]) -> dict[int, LetterRecipient]:
    rows = db.session.execute(
        select(
            Account.id,
            Account.correspondent,
            Person.first_name,
            Person.last_name,
            Person.address_line_1,
            Person.address_line_2,
            Person.town,
            Person.postcode,
            Person.letter_format,
            Person.email,
            Representative.full_name,
            Representative.address_line_1,
            Representative.address_line_2,
            Representative.town,
            Representative.postcode,
            Representative.letter_format,
            Representative.email,
            Organisation.name,
            Organisation.address_line_1,
            Organisation.town,
            Organisation.postcode,
            Organisation.email,
            _account_user_online("person"),
            _account_user_online("representative"),
            Organisation.id,
        )
        .join(Person, Person.id == Account.person_id)
        .outerjoin(Representative, Representative.id == Account.correspondent_representative_id)
        .outerjoin(Organisation, Organisation.id == Account.correspondent_organisation_id)
        .where(Account.id.in_(account_ids))
    ).all()
    result = {}
    organisations = _organisations_online()
    for row in rows:
        if row[1] == "representative" and row[10]:
            name, lines, fmt, email, online = row[10], row[11:15], row[15], row[16], row[23]
        elif row[1] == "organisation" and row[17]:
            name, lines, fmt, email = row[17], row[18:21], "standard", row[21]
            online = row[24] in organisations
        else:
            name, lines, fmt = f"{row[2]} {row[3]}", row[4:8], row[8]
            email, online = row[9], row[22]
        result[row[0]] = LetterRecipient(
            name, [line for line in lines if line], fmt, email, bool(online)
        )
    return result | _managing_organisations(account_ids)


def _managing_organisations(account_ids: list[int]) -> dict[int, LetterRecipient]:
    """Accounts whose money an organisation manages today: letters and reminders go to it,
    unless the person chose otherwise when the mandate was recorded (issue 13)."""
    rows = db.session.execute(
        select(
            Mandate.account_id,
            Organisation.name,
            Organisation.address_line_1,
            Organisation.address_line_2,
            Organisation.town,
            Organisation.postcode,
            Organisation.email,
            Organisation.id,
        )
        .join(Organisation, Organisation.id == Mandate.organisation_id)
        .where(
            Mandate.account_id.in_(account_ids),
            Mandate.scope == "manage_money",
            Mandate.letters_to_organisation.is_(True),
            Mandate.current_on(local_today()),
        )
    ).all()
    if not rows:
        return {}
    online = _organisations_online()
    return {
        row[0]: LetterRecipient(
            row[1], [line for line in row[2:6] if line], "standard", row[6], row[7] in online
        )
        for row in rows
    }
