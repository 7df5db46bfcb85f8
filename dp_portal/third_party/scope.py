"""The scoped loader for organisations and what hangs off them (their staff, their pooled
account changes). Every query for an organisation's records starts here:

- council staff (finance officers, team leaders, administrators) see every organisation;
- an organisation's staff see their own organisation only (another's is NotFound: a guessed
  id reveals nothing), and only its administrators change anything (NotAllowed otherwise).

People's accounts are never loaded here: accounts.scope decides those, from the mandates.
"""

from __future__ import annotations

from sqlalchemy import select

from ..auth.models import Role, User
from ..core.errors import NotFound
from ..core.permissions import Viewer
from ..extensions import db
from .models import Organisation, PooledAccountChange
from .organisations import require_organisation_admin

COUNCIL = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)


def own_organisation(viewer: Viewer, *, admin: bool = False) -> Organisation:
    """The organisation the viewer works for; `admin`: and administers (NotAllowed if not)."""
    user = viewer.user
    if user.role != Role.BROKERAGE_STAFF or user.organisation_id is None:
        raise NotFound("no organisation")
    if admin:
        require_organisation_admin(user)
    org = db.session.get(Organisation, user.organisation_id)
    if org is None:
        raise NotFound(f"organisation {user.organisation_id}")
    return org


def load_organisation(viewer: Viewer, org_id: int) -> Organisation:
    """Any organisation for council staff; the viewer's own for its staff."""
    user = viewer.user
    if user.role not in COUNCIL and not (
        user.role == Role.BROKERAGE_STAFF and user.organisation_id == org_id
    ):
        raise NotFound(f"organisation {org_id}")
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"organisation {org_id}")
    return org


def load_staff_member(viewer: Viewer, org: Organisation | None, member_id: int) -> User:
    """A member of `org`'s staff (the organisation already loaded through this module), or
    of any organisation's (org None) for council staff."""
    query = select(User).where(User.id == member_id, User.role == Role.BROKERAGE_STAFF)
    if org is not None:
        query = query.where(User.organisation_id == org.id)
    elif viewer.user.role not in COUNCIL:
        raise NotFound(f"staff member {member_id}")
    member = db.session.execute(query).scalar_one_or_none()
    if member is None:
        raise NotFound(f"staff member {member_id}")
    return member


def load_pooled_change(viewer: Viewer, change_id: int) -> PooledAccountChange:
    """Finance officers see every organisation's changes; an organisation's administrators
    see their own organisation's."""
    user = viewer.user
    query = select(PooledAccountChange).where(PooledAccountChange.id == change_id)
    if user.role != Role.FINANCE_OFFICER:
        if user.role != Role.BROKERAGE_STAFF or user.organisation_id is None:
            raise NotFound(f"pooled account change {change_id}")
        require_organisation_admin(user)
        query = query.where(PooledAccountChange.organisation_id == user.organisation_id)
    change = db.session.execute(query).scalar_one_or_none()
    if change is None:
        raise NotFound(f"pooled account change {change_id}")
    return change
