"""The scoped loader for providers and ISF agreements. Every query for them starts here:

- council staff (finance officers, team leaders, administrators) see every provider and
  agreement; only finance officers change them;
- a provider's staff see their own provider only, and of its agreements only those waiting
  for confirmations or in force today: the people it supports are theirs to see only while an
  agreement is in force (issue 14), and not before one is proposed or after it ends. Another
  provider's agreement is NotFound (404), so a guessed id reveals nothing;
- a supported person or their representative sees the agreements of the accounts linked to
  them, and an organisation acting for them under a mandate those of the accounts it may see
  (accounts.scope decides which; only the statement shows them the agreement's figures);
- anyone else sees none.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from ..accounts import scope as account_scope
from ..accounts.models import Account
from ..auth.models import Role
from ..core.errors import NotAllowed, NotFound
from ..core.permissions import Viewer
from ..extensions import db
from ..third_party.models import Organisation
from .agreements import VersionStatus
from .models import IsfAgreement, IsfAgreementVersion

COUNCIL = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)


def open_for_provider(today: date) -> ColumnElement[bool]:
    """SQL condition on IsfAgreement: a version waits for confirmations or is in force."""
    return exists().where(
        IsfAgreementVersion.agreement_id == IsfAgreement.id,
        or_(
            IsfAgreementVersion.status == VersionStatus.AWAITING,
            IsfAgreementVersion.in_force_on(today),
        ),
    )


def in_force(today: date) -> ColumnElement[bool]:
    """SQL condition on IsfAgreement: a version is in force today."""
    return exists().where(
        IsfAgreementVersion.agreement_id == IsfAgreement.id,
        IsfAgreementVersion.in_force_on(today),
    )


def agreement_filter(viewer: Viewer) -> ColumnElement[bool]:
    """A SQL condition on IsfAgreement: the agreements `viewer` may see today."""
    user = viewer.user
    if user.role in COUNCIL:
        return true()
    if user.role == Role.PROVIDER_STAFF and user.organisation_id is not None:
        return (IsfAgreement.organisation_id == user.organisation_id) & open_for_provider(
            viewer.today
        )
    if user.role in (Role.RECIPIENT, Role.BROKERAGE_STAFF):
        # The person, or an organisation acting for them under a mandate in force.
        return exists().where(
            Account.id == IsfAgreement.account_id, account_scope.account_filter(viewer)
        )
    return false()


def load_agreement(viewer: Viewer, agreement_id: int, *, change: bool = False) -> IsfAgreement:
    """An agreement the viewer may see; `change`: and may change (finance officers only)."""
    agreement = db.session.execute(
        select(IsfAgreement).where(IsfAgreement.id == agreement_id, agreement_filter(viewer))
    ).scalar_one_or_none()
    if agreement is None:
        raise NotFound(f"agreement {agreement_id}")
    if change and viewer.user.role != Role.FINANCE_OFFICER:
        raise NotAllowed("only a finance officer changes an agreement")
    return agreement


def load_version(viewer: Viewer, agreement_id: int, number: int) -> IsfAgreementVersion:
    agreement = load_agreement(viewer, agreement_id)
    for version in agreement.versions:
        if version.version == number:
            return version
    raise NotFound(f"agreement {agreement_id} version {number}")


def own_provider(viewer: Viewer) -> Organisation:
    """The provider the viewer works for (provider staff only)."""
    user = viewer.user
    if user.role != Role.PROVIDER_STAFF or user.organisation_id is None:
        raise NotFound("no provider")
    org = db.session.get(Organisation, user.organisation_id)
    if org is None or org.kind != "provider":
        raise NotFound(f"provider {user.organisation_id}")
    return org


def load_provider(viewer: Viewer, org_id: int) -> Organisation:
    """Any provider for council staff; the viewer's own for provider staff."""
    user = viewer.user
    if user.role not in COUNCIL and not (
        user.role == Role.PROVIDER_STAFF and user.organisation_id == org_id
    ):
        raise NotFound(f"provider {org_id}")
    org = db.session.execute(
        select(Organisation).where(Organisation.id == org_id, Organisation.kind == "provider")
    ).scalar_one_or_none()
    if org is None:
        raise NotFound(f"provider {org_id}")
    return org


def load_statement_account(viewer: Viewer, account_id: int) -> Account:
    """The account whose ISF statement is read: as accounts.scope allows."""
    return account_scope.load_account(viewer, account_id)
