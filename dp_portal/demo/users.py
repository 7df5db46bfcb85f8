"""A demo user for every role, all with one password, and the demo recipient's accounts."""

from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import AccountAccess
from ..auth.models import ROLE_LABELS, Role, User
from ..auth.services import hash_password
from ..core.types import utcnow
from ..extensions import db

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - demo data only, refused in production

DEMO_USERS = [
    (Role.ADMIN, "admin@demo.glenarden.example", "Alex Admin"),
    (Role.FINANCE_OFFICER, "finance@demo.glenarden.example", "Fran Finance"),
    (Role.FINANCE_OFFICER, "finance2@demo.glenarden.example", "Sam Second-Officer"),
    (Role.TEAM_LEADER, "teamleader@demo.glenarden.example", "Terry Team-Leader"),
    (Role.BROKERAGE_STAFF, "broker@demo.glenarden.example", "Bea Broker"),
    (Role.PROVIDER_STAFF, "provider@demo.glenarden.example", "Pat Provider"),
    (Role.RECIPIENT, "recipient@demo.glenarden.example", "Rowan Recipient"),
]
# Who proposes budgets, approves the smaller ones, and approves the larger ones.
PROPOSER = "finance2@demo.glenarden.example"
TEAM_LEADER = "teamleader@demo.glenarden.example"
OFFICER = "finance@demo.glenarden.example"


def database_has_users() -> bool:
    return db.session.execute(select(User.id).limit(1)).first() is not None


def demo_logins() -> list[tuple[str, str]]:
    return [(ROLE_LABELS[role], email) for role, email, _name in DEMO_USERS]


def add_users(brokerage_id: int, provider_id: int) -> None:
    password_hash = hash_password(DEMO_PASSWORD)
    for role, email, full_name in DEMO_USERS:
        db.session.add(
            User(
                email=email,
                full_name=full_name,
                role=str(role),
                password_hash=password_hash,
                organisation_id={
                    Role.BROKERAGE_STAFF: brokerage_id,
                    Role.PROVIDER_STAFF: provider_id,
                }.get(role),
                password_changed_at=utcnow(),
            )
        )
    db.session.flush()


def user_id(email: str) -> int | None:
    return db.session.execute(select(User.id).where(User.email == email)).scalar()


def add_access(first_account: int, last_account: int) -> None:
    """The demo recipient is a supported person on one account and a representative on
    another, as family carers often are."""
    recipient = user_id("recipient@demo.glenarden.example")
    for offset, capacity in ((0, "person"), (1, "representative")):
        if first_account + offset <= last_account:
            db.session.add(
                AccountAccess(
                    user_id=recipient, account_id=first_account + offset, capacity=capacity
                )
            )
