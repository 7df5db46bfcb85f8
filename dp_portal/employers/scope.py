"""The scoped loader for employers' records. A checklist, an employer's file and a Charter
Mark application are opened through the account of the person who employs the PAs, so
accounts.scope decides who sees them (VIEW) and who may act as the employer (EMPLOYER: the
person or their representative, staff of an organisation that manages the money, or a finance
officer on their behalf). An award is public by its number, showing only its display name
and dates."""

from __future__ import annotations

from sqlalchemy import select

from ..accounts import scope as account_scope
from ..accounts.models import Account
from ..accounts.scope import Need
from ..core.errors import NotFound
from ..core.permissions import Viewer
from ..extensions import db
from .models import Application, Award, EmployerFile


def load_employer(viewer: Viewer, account_id: int, need: Need = Need.VIEW) -> Account:
    return account_scope.load_account(viewer, account_id, need)


def load_application(viewer: Viewer, application_id: int, need: Need = Need.VIEW) -> Application:
    return account_scope.load_through_account(viewer, Application, application_id, need)


def load_file(viewer: Viewer, file_id: int) -> EmployerFile:
    return account_scope.load_through_account(viewer, EmployerFile, file_id)


def load_award(viewer: Viewer, award_id: int) -> Award:
    """An award with its certificate: for those who may see the employer's account."""
    return account_scope.load_through_account(viewer, Award, award_id)


def award_by_number(number: str) -> Award:
    """Public: anyone may check a number (no sign-in, nothing personal beyond the name the
    employer chose to show)."""
    award = db.session.execute(
        select(Award).where(Award.number == number.strip().upper())
    ).scalar_one_or_none()
    if award is None:
        raise NotFound(f"award {number!r}")
    return award
