"""Demo people and their accounts: who they are, who acts for them, how their support is
arranged (SDS option), their bank details, and the organisations that manage some of them.

Each draw takes the generator's numbers in a fixed order, so a seed always builds the same
council (the benchmarks and the demo rely on the same figures)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..accounts.models import Account, Person, Representative
from ..extensions import db
from ..third_party.models import Mandate, Organisation
from .batch import Batch
from .names import FIRST_NAMES, LAST_NAMES, LOCALITIES, ORGANISATIONS, STREETS, TOWNS


def organisations() -> dict[str, int]:
    """The demo organisations (added once), by kind."""
    ids = {}
    for name, kind in ORGANISATIONS:
        org = db.session.execute(select(Organisation).where(Organisation.name == name)).scalar()
        org = org or Organisation(
            name=name, kind=kind, email=f"office@{kind}.demo.example", town="Glenarden"
        )
        db.session.add(org)
        db.session.flush()
        ids[kind] = org.id
    return ids


@dataclass(frozen=True)
class DrawnAccount:
    """What the budget draw needs to know about the account just drawn."""

    id: int
    sds_option: int
    start: date


def _postcode(rng: random.Random, area: str) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return (
        f"{area}{rng.randint(1, 20)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
    )


def _address(rng: random.Random) -> str:
    return f"{rng.randint(1, 180)} {rng.choice(STREETS)}"


def _person(rng: random.Random, batch: Batch, seed: int, now: datetime) -> dict:
    town, area = rng.choice(TOWNS)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    letter_format = rng.choices(["standard", "large_print", "easy_read"], [85, 10, 5])[0]
    person_id = batch.reserve(Person)
    row = {
        "id": person_id,
        "client_reference": f"SW{seed:02d}{person_id:07d}",
        "first_name": first,
        "last_name": last,
        "date_of_birth": date(1935, 1, 1) + timedelta(days=rng.randint(0, 365 * 70)),
        "address_line_1": _address(rng),
        "town": town,
        "postcode": _postcode(rng, area),
        # Four in ten have an email address, so letters go by email too.
        "email": f"{first}.{last}.{person_id}@mail.demo.example".lower()
        if rng.random() < 0.4
        else None,
        "letter_format": letter_format,
        "created_at": now,
    }
    batch.add(Person, row)
    return row | {"area": area}


def _representative(rng: random.Random, batch: Batch, person: dict, now: datetime):
    """About one person in eight has a representative; most of them receive the letters.
    Returns (representative id or None, whether they receive the letters)."""
    if rng.random() >= 0.12:
        return None, False
    rep_id = batch.reserve(Representative)
    relationship = rng.choices(["guardian", "power_of_attorney", "family"], [3, 4, 5])[0]
    batch.add(
        Representative,
        {
            "id": rep_id,
            "person_id": person["id"],
            "full_name": f"{rng.choice(FIRST_NAMES)} {person['last_name']}",
            "relationship_to_person": relationship,
            "address_line_1": _address(rng),
            "town": person["town"],
            "postcode": _postcode(rng, person["area"]),
            "letter_format": "standard",
            "created_at": now,
        },
    )
    return rep_id, rng.random() < 0.7


def _mandate(rng, batch: Batch, org_ids, account_id: int, start: date, now) -> int:
    """An organisation manages the money for the account; returns the organisation's id."""
    org_id = org_ids[rng.choice(["brokerage", "money_management"])]
    batch.add(
        Mandate,
        {
            "id": batch.reserve(Mandate),
            "organisation_id": org_id,
            "account_id": account_id,
            "scope": "manage_money",
            "starts_on": start,
            "status": "consented",
            "consent_recorded_on": start,
            "consent_given_by": "person",
            "consent_method": "signed_form",
            "letters_to_organisation": True,
            "created_at": now,
        },
    )
    return org_id


def _bank_details(rng: random.Random, first: str, last: str, has_bank: bool) -> dict:
    if not has_bank:
        return {"payee_name": None, "sort_code": None, "account_number": None, "bank_check": None}
    return {
        "payee_name": f"{first[0]} {last}".upper()[:18],
        "sort_code": f"{rng.randint(10, 99)}{rng.randint(0, 9999):04d}",
        "account_number": f"{rng.randint(0, 99999999):08d}",
        "bank_check": "not_checked",
    }


def draw_account(
    rng: random.Random, batch: Batch, org_ids: dict[str, int], seed: int, today: date, now
) -> DrawnAccount:
    """One person, perhaps a representative and a mandate, and their account."""
    person = _person(rng, batch, seed, now)
    rep_id, rep_writes = _representative(rng, batch, person, now)
    correspondent = "representative" if rep_writes else "person"
    option = rng.choices([1, 2, 4], [60, 30, 10])[0]
    status = rng.choices(["active", "suspended", "closed"], [92, 5, 3])[0]
    start = today - timedelta(days=rng.randint(30, 5 * 365))
    account_id, org_id = batch.reserve(Account), None
    if rng.random() < 0.1:  # one account in ten is managed by an organisation
        managing = _mandate(rng, batch, org_ids, account_id, start, now)
        if correspondent == "person" and rng.random() < 0.5:
            correspondent, org_id = "organisation", managing
    has_bank = status != "closed" or rng.random() < 0.5
    ends = start + timedelta(days=rng.randint(30, 400)) if status == "closed" else None
    locality = rng.choice(LOCALITIES)
    bank = _bank_details(rng, person["first_name"], person["last_name"], has_bank)
    batch.add(
        Account,
        {
            "id": account_id,
            "reference": f"DP{account_id:06d}",
            "person_id": person["id"],
            "sds_option": option,
            "status": status,
            "start_date": start,
            "end_date": ends,
            "locality": locality,
            **bank,
            "correspondent": correspondent,
            "correspondent_representative_id": rep_id if rep_writes else None,
            "correspondent_organisation_id": org_id,
            "created_at": now,
        },
    )
    return DrawnAccount(account_id, option, start)
