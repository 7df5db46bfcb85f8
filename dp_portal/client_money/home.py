"""The organisation's home (its clients and what needs doing), the finance officers' overview
of every organisation's reconciliations, and the spreadsheets. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, select

from ..accounts.models import Account, Person
from ..core import audit
from ..core.letters import Letter
from ..core.money import from_pence
from ..core.permissions import Viewer
from ..core.spreadsheets import workbook_bytes
from ..extensions import db
from ..monitoring.models import ExpectedReturn, MonitoringReturn
from ..third_party.models import Mandate, Organisation
from ..third_party.money_models import ClientBalance, PooledReconciliation, ReconciliationDifference
from . import reconciliation, scope, services
from .reconciliation import RecStatus, month_end

# The first clients by name; staff find any other on the accounts page (search, pages) or in
# the spreadsheet. Each one shown walks about twenty of the council's people by name in a large
# council (an organisation with 5,000 of 100,000), so 50, not 200: 4 times less work.
CLIENTS_SHOWN = 50
ENDING_WITHIN = timedelta(days=60)  # mandates ending soon (issue 13)


@dataclass(frozen=True)
class Client:
    account: Account
    scope: str
    ends_on: date | None
    balance: Decimal


def clients(org_id: int, today: date, limit: int | None = None) -> list[Client]:
    """The accounts the organisation's mandates cover today, by name, with each balance."""
    query = (
        select(Account, Mandate.scope, Mandate.ends_on, ClientBalance.balance_pence)
        .join(Mandate, Mandate.account_id == Account.id)
        .join(Person, Person.id == Account.person_id)
        .outerjoin(
            ClientBalance,
            and_(ClientBalance.account_id == Account.id, ClientBalance.organisation_id == org_id),
        )
        .where(Mandate.organisation_id == org_id, Mandate.current_on(today))
        .order_by(Person.last_name, Person.first_name, Account.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        Client(account, scope, ends_on, from_pence(pence or 0))
        for account, scope, ends_on, pence in db.session.execute(query)
    ]


@dataclass(frozen=True)
class Home:
    organisation: Organisation
    clients: list[Client]
    client_count: int
    total_held: Decimal
    returns_due: list[tuple[Account, ExpectedReturn]]
    queried: list[MonitoringReturn]
    letters: list[Letter]
    mandates_ending: list[Mandate]
    months_not_signed_off: list[PooledReconciliation]
    last_month_not_started: date | None


def home(viewer: Viewer) -> Home:
    org_id = scope.own_organisation(viewer)
    today = viewer.today
    # Returns are the business of an organisation that manages the money.
    covered = select(Mandate.account_id).where(
        Mandate.organisation_id == org_id,
        Mandate.current_on(today),
        Mandate.scope == "manage_money",
    )
    count = db.session.execute(
        select(func.count(func.distinct(Mandate.account_id))).where(
            Mandate.organisation_id == org_id, Mandate.current_on(today)
        )
    ).scalar_one()
    held = db.session.execute(
        select(func.coalesce(func.sum(ClientBalance.balance_pence), 0)).where(
            ClientBalance.organisation_id == org_id
        )
    ).scalar_one()
    return Home(
        organisation=db.session.get(Organisation, org_id),
        clients=clients(org_id, today, CLIENTS_SHOWN),
        client_count=int(count),
        total_held=from_pence(int(held)),
        returns_due=returns_due(covered),
        queried=_queried(covered),
        letters=list(
            db.session.execute(
                select(Letter)
                .where(Letter.account_id.in_(covered))
                .order_by(Letter.id.desc())
                .limit(10)
            ).scalars()
        ),
        mandates_ending=list(
            db.session.execute(
                select(Mandate)
                .where(
                    Mandate.organisation_id == org_id,
                    Mandate.current_on(today),
                    Mandate.ends_on <= today + ENDING_WITHIN,
                )
                .order_by(Mandate.ends_on)
            ).scalars()
        ),
        months_not_signed_off=[
            rec for rec in _months(org_id) if rec.status != RecStatus.SIGNED_OFF
        ],
        last_month_not_started=_last_month_if_not_started(org_id, today),
    )


RETURNS_DUE_SHOWN = 50
_NO_CUTOFF = date(9999, 12, 31)


def returns_due(covered, limit: int = RETURNS_DUE_SHOWN) -> list[tuple[Account, ExpectedReturn]]:
    """The `limit` returns owed by the clients in `covered` (a query of account ids) due
    soonest, by due date then account reference. Only those due no later than the `limit`th
    soonest can be among them (its due date is found from the returns owed and their due
    dates alone), so only they are joined to their accounts for the references: with 5,000
    clients among 100,000 accounts, a few hundred rather than every account."""
    cutoff = (
        select(ExpectedReturn.due_date)
        .where(ExpectedReturn.account_id.in_(covered))
        .order_by(ExpectedReturn.due_date)
        .offset(limit - 1)
        .limit(1)
        .scalar_subquery()
    )
    return list(
        db.session.execute(
            select(Account, ExpectedReturn)
            .join(ExpectedReturn, ExpectedReturn.account_id == Account.id)
            .where(
                Account.id.in_(covered),
                ExpectedReturn.due_date <= func.coalesce(cutoff, _NO_CUTOFF),
            )
            .order_by(ExpectedReturn.due_date, Account.reference)
            .limit(limit)
        ).all()
    )


def _queried(covered) -> list[MonitoringReturn]:
    return list(
        db.session.execute(
            select(MonitoringReturn)
            .where(MonitoringReturn.account_id.in_(covered), MonitoringReturn.status == "queried")
            .order_by(MonitoringReturn.decided_at)
            .limit(50)
        ).scalars()
    )


def _months(org_id: int) -> list[PooledReconciliation]:
    return list(
        db.session.execute(
            select(PooledReconciliation)
            .where(PooledReconciliation.organisation_id == org_id)
            .order_by(PooledReconciliation.month.desc())
        ).scalars()
    )


def _last_month_if_not_started(org_id: int, today: date) -> date | None:
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    started = db.session.execute(
        select(PooledReconciliation.id).where(
            PooledReconciliation.organisation_id == org_id, PooledReconciliation.month == last
        )
    ).first()
    return None if started else last


@dataclass(frozen=True)
class OrganisationStatus:
    organisation: Organisation
    total_held: Decimal
    last_signed_off: date | None
    waiting: int  # months waiting for sign-off
    open_months: list[tuple[PooledReconciliation, Decimal | None]]  # and what is unexplained
    unexplained_items: int
    oldest_unexplained_days: int | None


def overview(today: date) -> list[OrganisationStatus]:
    """Every organisation holding client money (or reconciling): where its reconciliations
    stand, and how old the oldest thing nobody has explained is."""
    held = dict(
        db.session.execute(
            select(ClientBalance.organisation_id, func.sum(ClientBalance.balance_pence)).group_by(
                ClientBalance.organisation_id
            )
        ).all()
    )
    recs: dict[int, list[PooledReconciliation]] = {}
    for rec in db.session.execute(
        select(PooledReconciliation).order_by(PooledReconciliation.month)
    ).scalars():
        recs.setdefault(rec.organisation_id, []).append(rec)
    orgs = db.session.execute(
        select(Organisation)
        .where(Organisation.id.in_(set(held) | set(recs)))
        .order_by(Organisation.name)
    ).scalars()
    return [_status(org, held.get(org.id, 0), recs.get(org.id, []), today) for org in orgs]


def _status(org, held_pence: int, recs: list, today: date) -> OrganisationStatus:
    signed = [r.month for r in recs if r.status == RecStatus.SIGNED_OFF]
    open_months = [
        (r, reconciliation.figures(r).unexplained) for r in recs if r.status == RecStatus.OPEN
    ]
    unexplained = db.session.execute(
        select(func.count(), func.min(ReconciliationDifference.created_at)).where(
            ReconciliationDifference.reconciliation_id.in_([r.id for r, _ in open_months]),
            ReconciliationDifference.explanation.is_(None),
        )
    ).one()
    ages = [(today - month_end(r.month)).days for r, gap in open_months if gap != 0]
    if unexplained[1] is not None:
        ages.append((today - unexplained[1].date()).days)
    return OrganisationStatus(
        organisation=org,
        total_held=from_pence(int(held_pence)),
        last_signed_off=max(signed) if signed else None,
        waiting=sum(1 for r in recs if r.status == RecStatus.AWAITING_SIGN_OFF),
        open_months=open_months,
        unexplained_items=int(unexplained[0]),
        oldest_unexplained_days=max(ages) if ages else None,
    )


# --- Spreadsheets ----------------------------------------------------------------------------


def clients_workbook(viewer: Viewer) -> tuple[bytes, str]:
    org_id = scope.own_organisation(viewer)
    rows = [
        [c.account.reference, c.account.person.full_name, c.scope, c.ends_on, c.balance]
        for c in clients(org_id, viewer.today)
    ]
    name = f"clients-{viewer.today.isoformat()}.xlsx"
    audit.record_download(viewer.user, "client_list", name, detail=f"{len(rows)} clients")
    header = ["Account", "Name", "Mandate", "Mandate ends", "Balance held"]
    return workbook_bytes({"Clients": (header, rows)}), name


def ledger_workbook(viewer: Viewer, account_id: int) -> tuple[bytes, str]:
    account = scope.load_account(viewer, account_id)
    sheets = {}
    for balance in scope.visible_balances(viewer, account_id):
        lines = reversed(services.lines_of(balance.id))
        rows = [
            [
                *(p.id, p.entry_date, p.kind_label, p.description),
                *(p.amount, p.balance_after, p.corrects_posting_id or ""),
            ]
            for p in lines
        ]
        header = ["Line", "Date", "Kind", "Description", "Amount", "Balance after", "Corrects"]
        sheets[balance.organisation.name[:31]] = (header, rows)
    if not sheets:
        sheets["Sub-ledger"] = (["No client money is held for this account"], [])
    name = f"sub-ledger-{account.reference}.xlsx"
    audit.record_download(viewer.user, "sub_ledger", name, account_id=account.id)
    return workbook_bytes(sheets), name
