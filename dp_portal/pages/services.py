"""What the home pages show, and the health check's question to the database."""

from __future__ import annotations

from sqlalchemy import text

from ..accounts import scope
from ..accounts.models import Account
from ..core.permissions import Viewer
from ..extensions import db

# A person or organisation sees their accounts on the home page; past this many, the list
# page (with search) takes over.
HOME_ACCOUNTS = 200


def home_accounts(viewer: Viewer) -> list[Account]:
    """The accounts a person or organisation sees on their home page."""
    query = scope.visible_accounts(viewer).limit(HOME_ACCOUNTS)
    return list(db.session.execute(query).scalars())


def account_counts(viewer: Viewer) -> dict[str, int]:
    """How many accounts the viewer sees, by status (the staff dashboard)."""
    return scope.status_counts(viewer)


def database_answers() -> bool:
    db.session.execute(text("SELECT 1"))
    return True
