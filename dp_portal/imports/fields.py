"""What can be imported: five kinds of record and, for each, its fields by their canonical
names (the names the forms use, and the names the JSON API takes). Pure: no Flask, no session.

A field's label is the words a problem is told in ("date of birth 31/02/1950 is not a real
date"); its headings are the column headings case-management exports commonly use, so that
the first mapping of a new source is mostly filled in already.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from ..accounts.models import SDS_OPTION_LABELS, AccountStatus, LetterFormat, Representative
from ..core.types import LabelledEnum
from ..payments.rates import ServiceType


class Kind(LabelledEnum):
    PEOPLE = "people", "People"
    REPRESENTATIVES = "representatives", "Representatives"
    ACCOUNTS = "accounts", "Accounts"
    BANK_DETAILS = "bank_details", "Bank details"
    BUDGETS = "budgets", "Budgets"


# The order an import applies its kinds in: a person before their representatives and
# accounts, an account before its bank details and budgets.
ORDER = tuple(Kind)


class Type(StrEnum):
    TEXT = "text"
    DATE = "date"
    CHOICE = "choice"


def words(text: str) -> str:
    """A heading or a choice as compared: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _choices(pairs: Iterable[tuple[object, str]], *extra: tuple[str, str]) -> dict[str, str]:
    """What a cell may say for each stored value: the value itself or its label, in any case
    and spacing ("Large print", "large_print", "LARGE PRINT")."""
    accepted: dict[str, str] = {}
    for value, label in pairs:
        accepted[words(str(value))] = str(value)
        accepted[words(label)] = str(value)
    for said, value in extra:
        accepted[words(said)] = value
    return accepted


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: Type = Type.TEXT
    choices: dict[str, str] = field(default_factory=dict)
    # Used for a new record when the cell is blank; on a record we hold, a blank cell in
    # such a column leaves what we hold.
    default: str | None = None
    headings: tuple[str, ...] = ()
    # Part of what identifies the record: it must be mapped, and every row must give it.
    key: bool = False

    def accepted(self) -> str:
        """The choices, as a message lists them: "standard, large print or easy read"."""
        seen = [value.replace("_", " ") for value in dict.fromkeys(self.choices.values())]
        return ", ".join(seen[:-1]) + " or " + seen[-1] if len(seen) > 1 else "".join(seen)


LETTERS = Field(
    "letter_format",
    "letter format",
    Type.CHOICE,
    _choices((f.value, f.label) for f in LetterFormat),
    default="standard",
    headings=("letters", "format", "letter format", "communication format"),
)
ADDRESS = (
    Field("address_line_1", "address line 1", headings=("address 1", "address", "street")),
    Field("address_line_2", "address line 2", headings=("address 2",)),
    Field("town", "town", headings=("town or city", "city", "post town")),
    Field("postcode", "postcode", headings=("post code",)),
    Field("email", "email address", headings=("email", "e-mail")),
    Field("phone", "phone number", headings=("phone", "telephone", "tel", "mobile")),
    LETTERS,
)
CLIENT = Field(
    "client_reference",
    "client reference",
    headings=("client ref", "client id", "person id", "person reference", "case reference"),
)
ACCOUNT_KEY = Field(
    "account_reference",
    "account reference",
    headings=("account ref", "service reference", "service ref", "package reference"),
    key=True,
)

FIELDS: dict[Kind, tuple[Field, ...]] = {
    Kind.PEOPLE: (
        Field(CLIENT.name, CLIENT.label, headings=CLIENT.headings, key=True),
        Field("title", "title"),
        Field("first_name", "first name", headings=("forename", "given name", "first names")),
        Field("last_name", "last name", headings=("surname", "family name")),
        Field("date_of_birth", "date of birth", Type.DATE, headings=("dob", "birth date")),
        *ADDRESS,
    ),
    Kind.REPRESENTATIVES: (
        Field(CLIENT.name, CLIENT.label, headings=CLIENT.headings, key=True),
        Field("full_name", "representative's name", headings=("name", "representative"), key=True),
        Field(
            "relationship_to_person",
            "relationship",
            Type.CHOICE,
            _choices(Representative.RELATIONSHIPS.items(), ("attorney", "power_of_attorney")),
            headings=("relationship",),
        ),
        *ADDRESS,
    ),
    Kind.ACCOUNTS: (
        ACCOUNT_KEY,
        Field("portal_reference", "portal account reference", headings=("dp reference",)),
        CLIENT,
        Field(
            "sds_option",
            "SDS option",
            Type.CHOICE,
            _choices(
                SDS_OPTION_LABELS.items(), *((f"option {n}", str(n)) for n in SDS_OPTION_LABELS)
            ),
            headings=("option", "sds option", "self-directed support option"),
        ),
        Field(
            "status",
            "status",
            Type.CHOICE,
            _choices((s.value, s.label) for s in AccountStatus),
            default="active",
        ),
        Field("start_date", "start date", Type.DATE, headings=("start", "from")),
        Field("end_date", "end date", Type.DATE, headings=("end", "to")),
        Field("locality", "locality", headings=("team", "area")),
    ),
    Kind.BANK_DETAILS: (
        ACCOUNT_KEY,
        Field("payee_name", "name on the account", headings=("payee", "account name")),
        Field("sort_code", "sort code", headings=("sort",)),
        Field("account_number", "account number", headings=("account no", "bank account")),
        Field("reason", "reason", headings=("why",)),
    ),
    Kind.BUDGETS: (
        ACCOUNT_KEY,
        Field(
            "effective_from",
            "start date",
            Type.DATE,
            headings=("starts on", "from", "start date", "effective date"),
            key=True,
        ),
        Field("pa_hours", "personal assistant hours", headings=("pa hours", "hours")),
        Field("pa_description", "what the personal assistant hours are for"),
        Field("provider", "provider", headings=("provider name", "care provider")),
        Field("provider_hours", "provider hours"),
        Field(
            "provider_service",
            "kind of provider support",
            Type.CHOICE,
            _choices(((s.value, s.label) for s in ServiceType), ("two-to-one", "two_to_one")),
            default=ServiceType.DAY.value,
            headings=("service type",),
        ),
        Field("weekly_amount", "weekly amount", headings=("weekly", "fixed weekly")),
        Field("weekly_description", "what the weekly amount is for"),
        Field("annual_amount", "yearly amount", headings=("annual", "yearly", "fixed annual")),
        Field("annual_description", "what the yearly amount is for"),
        Field("weekly_contribution", "weekly contribution", headings=("contribution",)),
        Field(
            "contribution_basis",
            "contribution basis",
            Type.CHOICE,
            _choices([("net", "Net"), ("gross", "Gross")]),
            default="net",
            headings=("basis",),
        ),
        Field("reason", "reason", headings=("why",)),
    ),
}

BY_NAME: dict[Kind, dict[str, Field]] = {
    kind: {f.name: f for f in fields} for kind, fields in FIELDS.items()
}


def keys(kind: Kind) -> tuple[str, ...]:
    return tuple(f.name for f in FIELDS[kind] if f.key)


def guess_field(kind: Kind, heading: str) -> str | None:
    """The field a column heading most likely is, from its name, label or common headings."""
    said = words(heading)
    if not said:
        return None
    for f in FIELDS[kind]:
        if said in {words(f.name), words(f.label), *(words(h) for h in f.headings)}:
            return f.name
    return None


def guess_kind(name: str) -> Kind | None:
    """The kind of record a sheet (or CSV file) holds, from its name: "People", "bank.csv"."""
    said = words(re.sub(r"\.(csv|xlsx)$", "", name, flags=re.IGNORECASE))
    for kind, names in _KIND_NAMES.items():
        if any(said.startswith(n) for n in names):
            return kind
    return None


_KIND_NAMES = {
    Kind.PEOPLE: ("people", "person", "client", "serviceuser"),
    Kind.REPRESENTATIVES: ("representative", "rep", "contact"),
    Kind.ACCOUNTS: ("account", "package", "service"),
    Kind.BANK_DETAILS: ("bank", "payee"),
    Kind.BUDGETS: ("budget", "plan"),
}
