"""Demo organisations as first-class users: each money-holding organisation has an
administrator and a pooled client account (asked for by the administrator and approved by a
council finance officer, so the four-eyes history shows), an independent support
organisation prepares returns for one person, and the demo recipient has a mandate waiting
for their own confirmation on screen.

Needs: the demo organisations (people.organisations), the demo users (users.add_users) and
the demo recipient's accounts (users.add_access). Makes: the logins in ORGANISATION_LOGINS.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..accounts.models import AccountAccess
from ..auth.models import Role, User
from ..auth.services import hash_password
from ..core import audit
from ..core.types import utcnow
from ..extensions import db
from ..third_party.models import Mandate, Organisation, PooledAccountChange
from .users import DEMO_PASSWORD, OFFICER, user_id

BROKER = "broker@demo.glenarden.example"
ORGANISATION_LOGINS = [
    ("Money management administrator", "money-admin@demo.glenarden.example"),
    ("Money management staff", "money-staff@demo.glenarden.example"),
]
INDEPENDENT = "Ayrshire Independent Support"
# Sort codes and numbers that pass modulus checking (Pay.UK's published test cases).
POOLED = {
    "brokerage": ("GSB CLIENT ACCOUNT", "089999", "66374958"),
    "money_management": ("LMM CLIENT ACCOUNT", "309634", "00733445"),
}


def _staff(email: str, name: str, org_id: int, admin: bool, password_hash: str) -> User:
    user = db.session.execute(select(User).where(User.email == email)).scalar()
    if user is None:
        user = User(
            email=email,
            full_name=name,
            role=str(Role.BROKERAGE_STAFF),
            organisation_id=org_id,
            password_hash=password_hash,
            password_changed_at=utcnow(),
        )
        db.session.add(user)
    user.is_organisation_admin = admin
    db.session.flush()
    return user


def _pooled_account(org: Organisation, admin: User, officer_id: int) -> None:
    if org.pooled_sort_code is not None:
        return
    name, sort_code, number = POOLED[org.kind]
    now = utcnow()
    db.session.add(
        PooledAccountChange(
            organisation_id=org.id,
            payee_name=name,
            sort_code=sort_code,
            account_number=number,
            bank_check="not_checked",
            status="approved",
            reason="Our client account for the people we manage money for",
            requested_by_id=admin.id,
            requested_at=now,
            decided_by_id=officer_id,
            decided_at=now,
            decision_note="Bank letter seen; called the office on the number we hold",
        )
    )
    org.pooled_payee_name, org.pooled_sort_code, org.pooled_account_number = name, sort_code, number
    org.pooled_bank_check, org.pooled_changed_at = "not_checked", now
    org.address_line_1 = org.address_line_1 or "12 Kirk Wynd"
    org.postcode = org.postcode or "KA7 1AA"


def _independent(today: date) -> Organisation:
    org = db.session.execute(select(Organisation).where(Organisation.name == INDEPENDENT)).scalar()
    if org is None:
        org = Organisation(
            name=INDEPENDENT,
            kind="independent_support",
            email="hello@independent.demo.example",
            address_line_1="3 Harbour Road",
            town="Ayr",
            postcode="KA7 1BB",
        )
        db.session.add(org)
        db.session.flush()
    return org


def _awaiting_consent(org: Organisation, today: date) -> None:
    """The demo recipient's own account: a mandate waiting for them to confirm on screen."""
    account_id = db.session.execute(
        select(AccountAccess.account_id).where(
            AccountAccess.user_id == user_id("recipient@demo.glenarden.example"),
            AccountAccess.capacity == "person",
        )
    ).scalar()
    if account_id is None:
        return
    db.session.add(
        Mandate(
            organisation_id=org.id,
            account_id=account_id,
            scope="prepare_returns",
            status="awaiting_consent",
            starts_on=today,
            consent_method="on_screen",
            consent_given_by="person",
            recorded_by_id=user_id(OFFICER),
        )
    )


def organisations_demo(org_ids: dict[str, int], today: date) -> None:
    """Add the demo's organisation staff, pooled accounts and mandates (once)."""
    if user_id(ORGANISATION_LOGINS[0][1]) is not None:
        return
    password_hash = hash_password(DEMO_PASSWORD)
    officer = user_id(OFFICER)
    broker = db.session.execute(select(User).where(User.email == BROKER)).scalar()
    if broker is not None:
        broker.is_organisation_admin = True
        _pooled_account(db.session.get(Organisation, org_ids["brokerage"]), broker, officer)
    money = db.session.get(Organisation, org_ids["money_management"])
    (admin_email, staff_email) = (email for _label, email in ORGANISATION_LOGINS)
    admin = _staff(admin_email, "Morven Money-Admin", money.id, True, password_hash)
    _staff(staff_email, "Callum Caseworker", money.id, False, password_hash)
    _pooled_account(money, admin, officer)
    _awaiting_consent(_independent(today), today)
    audit.record(
        None,
        "demo.organisations_loaded",
        object_type="demo",
        summary="Demo organisations: administrators, staff and pooled client accounts",
    )
