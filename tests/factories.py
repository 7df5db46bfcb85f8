"""Small factory functions: each makes one valid row with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import date
from functools import cache

from dp_portal.accounts.models import Account, AccountAccess, Person, Representative
from dp_portal.auth.models import Role, User
from dp_portal.auth.services import hash_password
from dp_portal.third_party.models import Mandate, Organisation

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


class Factory:
    def __init__(self, session):
        self.session = session

    def _add(self, obj):
        self.session.add(obj)
        self.session.flush()
        return obj

    def organisation(self, **kw) -> Organisation:
        n = next(_counter)
        kw.setdefault("name", f"Test Brokerage {n}")
        kw.setdefault("kind", "brokerage")
        return self._add(Organisation(**kw))

    def user(self, role: Role = Role.FINANCE_OFFICER, **kw) -> User:
        n = next(_counter)
        kw.setdefault("email", f"{role.value}{n}@test.example")
        kw.setdefault("full_name", f"Test {role.label} {n}")
        kw.setdefault("password_hash", _password_hash())
        if role == Role.BROKERAGE_STAFF and "organisation_id" not in kw:
            kw["organisation_id"] = self.organisation().id
        if role == Role.PROVIDER_STAFF and "organisation_id" not in kw:
            kw["organisation_id"] = self.organisation(kind="provider").id
        return self._add(User(role=str(role), **kw))

    def person(self, **kw) -> Person:
        n = next(_counter)
        kw.setdefault("client_reference", f"SWT{n:05d}")
        kw.setdefault("first_name", "Morag")
        kw.setdefault("last_name", f"Tester{n}")
        kw.setdefault("address_line_1", "1 High Street")
        kw.setdefault("town", "Glenarden")
        kw.setdefault("postcode", "EH1 1YZ")
        return self._add(Person(**kw))

    def account(self, person: Person | None = None, **kw) -> Account:
        person = person or self.person()
        n = next(_counter)
        kw.setdefault("reference", f"DPT{n:06d}")
        kw.setdefault("sds_option", 1)
        kw.setdefault("status", "active")
        kw.setdefault("start_date", date(2026, 4, 6))
        return self._add(Account(person=person, **kw))

    def representative(self, person: Person, **kw) -> Representative:
        kw.setdefault("full_name", "Iain Carer")
        kw.setdefault("relationship_to_person", "family")
        kw.setdefault("address_line_1", "2 High Street")
        kw.setdefault("town", "Glenarden")
        kw.setdefault("postcode", "EH1 1YZ")
        return self._add(Representative(person=person, **kw))

    def access(self, user: User, account: Account, capacity: str = "person") -> AccountAccess:
        return self._add(AccountAccess(user=user, account=account, capacity=capacity))

    def mandate(self, account: Account, organisation: Organisation, **kw) -> Mandate:
        kw.setdefault("scope", "manage_money")
        kw.setdefault("starts_on", date(2026, 1, 1))
        kw.setdefault("consent_recorded_on", date(2026, 1, 1))
        return self._add(Mandate(account_id=account.id, organisation_id=organisation.id, **kw))


# The figures an uplift letter is written from (for tests that render one).
UPLIFT_CONTEXT = {
    "reference": "DP1",
    "person_name": "A",
    "effective_from": "2026-04-01",
    "old_wage": "12.60",
    "new_wage": "13.45",
    "percentage": "6.7",
    "old_rate": "14.54",
    "new_rate": "15.52",
    "old_weekly": "1",
    "new_weekly": "2",
    "new_four_weekly": "8",
    "new_annual": "104",
}
