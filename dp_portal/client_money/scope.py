"""The scoped loaders for client money: sub-ledgers, their lines and pooled reconciliations.

An organisation's staff see only their own organisation's sub-ledgers and months, and only
for accounts its mandates let them see that day (accounts.scope.account_filter); council
staff see every organisation's, read only; a supported person sees their own balance.
Anything else is NotFound, so a guessed id (another organisation's client, line or month)
reveals nothing. Writing needs Need.CLIENT_MONEY, which only a "manage the money" mandate
gives.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true

from ..accounts import scope as account_scope
from ..accounts.models import Account
from ..accounts.scope import Need
from ..auth.models import Role
from ..core.errors import NotAllowed, NotFound
from ..core.permissions import Viewer
from ..extensions import db
from ..third_party.money_models import ClientBalance, ClientPosting, PooledReconciliation
from ..third_party.money_statement_models import PooledStatement

COUNCIL_STAFF = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)


def organisation_of(viewer: Viewer) -> int | None:
    """The organisation a staff member works for (None for everyone else)."""
    if viewer.role == Role.BROKERAGE_STAFF:
        return viewer.user.organisation_id
    return None


def own_organisation(viewer: Viewer) -> int:
    org_id = organisation_of(viewer)
    if org_id is None:
        raise NotFound("no organisation")
    return org_id


def balance_filter(viewer: Viewer, need: Need = Need.VIEW) -> ColumnElement[bool]:
    """A SQL condition on ClientBalance (joined to Account): the sub-ledgers `viewer` may
    `need`. Organisation staff: their organisation's only."""
    condition = account_scope.account_filter(viewer, need)
    org_id = organisation_of(viewer)
    if org_id is not None:
        return condition & (ClientBalance.organisation_id == org_id)
    return condition


def load_account(viewer: Viewer, account_id: int, need: Need = Need.VIEW) -> Account:
    return account_scope.load_account(viewer, account_id, need)


def visible_balances(viewer: Viewer, account_id: int) -> list[ClientBalance]:
    return list(
        db.session.execute(
            select(ClientBalance)
            .join(Account, Account.id == ClientBalance.account_id)
            .where(ClientBalance.account_id == account_id, balance_filter(viewer))
            .order_by(ClientBalance.organisation_id)
        ).scalars()
    )


def load_posting(
    viewer: Viewer, account_id: int, posting_id: int, need: Need = Need.VIEW
) -> ClientPosting:
    """A sub-ledger line on `account_id` the viewer may see; NotAllowed if they may see it but
    not `need` it."""
    posting = db.session.execute(
        select(ClientPosting)
        .join(ClientBalance, ClientBalance.id == ClientPosting.balance_id)
        .join(Account, Account.id == ClientBalance.account_id)
        .where(
            ClientPosting.id == posting_id,
            ClientPosting.account_id == account_id,
            balance_filter(viewer),
        )
    ).scalar_one_or_none()
    if posting is None:
        raise NotFound(f"client posting {posting_id}")
    if need != Need.VIEW and not account_scope.allows(viewer, account_id, need):
        raise NotAllowed(f"{need} on client posting {posting_id}")
    return posting


def reconciliation_filter(viewer: Viewer) -> ColumnElement[bool]:
    if viewer.role in COUNCIL_STAFF:
        return true()
    return PooledReconciliation.organisation_id == own_organisation(viewer)


def load_reconciliation(viewer: Viewer, rec_id: int, *, write: bool = False):
    """A month of a pooled account: the organisation's staff (who may change it) and council
    staff (who may read it)."""
    rec = db.session.execute(
        select(PooledReconciliation).where(
            PooledReconciliation.id == rec_id, reconciliation_filter(viewer)
        )
    ).scalar_one_or_none()
    if rec is None:
        raise NotFound(f"reconciliation {rec_id}")
    if write and organisation_of(viewer) != rec.organisation_id:
        raise NotAllowed(f"change reconciliation {rec_id}")
    return rec


def load_pooled_statement(viewer: Viewer, statement_id: int, *, waiting: bool = False):
    """A statement of the viewer's organisation's pooled account: imported (or, `waiting`,
    still waiting for its columns). Anyone else's, or any other state, is NotFound."""
    status = "awaiting_columns" if waiting else "imported"
    row = db.session.execute(
        select(PooledStatement).where(
            PooledStatement.id == statement_id,
            PooledStatement.organisation_id == own_organisation(viewer),
            PooledStatement.status == status,
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"pooled statement {statement_id}")
    return row
