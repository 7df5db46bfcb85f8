"""What payments offers each role's home page (read only, counts in SQL), and the lists its
figures link to: runs waiting for a second officer, budgets to decide with the budget they
replace, budgets above the team leaders' limit, recoveries still owed, and a person's next
payment and new letters. Never writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from ..accounts import scope as account_scope
from ..accounts.models import Account
from ..auth.models import Role
from ..core.calendar import financial_year_end
from ..core.letters import Letter
from ..core.money import from_pence, to_pence
from ..core.pagination import BoundedPage, bounded_page, count_rows
from ..core.permissions import Viewer
from ..core.tasks import Group, Task
from ..extensions import db
from .ledger_models import Payment, Recovery
from .lifecycles import BudgetStatus, RecoveryStatus, RunStatus
from .models import Budget
from .rate_models import RateRow
from .rates import RateKind
from .run_models import PaymentRun

RUN_FILTERS = {"others": "Built by another officer", "mine": "Built by you"}
RECOVERY_METHODS = {"offset": "Taken from payments", "invoice": "Invoiced"}


def ceiling() -> Decimal:
    """Team leaders approve budgets up to this many pounds a week (SDS Standard 8)."""
    return Decimal(current_app.config["TEAM_LEADER_WEEKLY_CEILING"])


# --- Payment runs --------------------------------------------------------------------------


def runs_waiting(viewer: Viewer, built_by: str = "") -> Select[tuple[PaymentRun]]:
    """Runs built and not yet approved: by another officer (`others`: this viewer may
    approve them), by this viewer (`mine`: waiting for someone else), or all."""
    query = select(PaymentRun).where(PaymentRun.status == RunStatus.BUILT)
    if built_by == "others":
        query = query.where(PaymentRun.built_by_id != viewer.user.id)
    elif built_by == "mine":
        query = query.where(PaymentRun.built_by_id == viewer.user.id)
    return query.order_by(PaymentRun.period_start, PaymentRun.id)


def _run_tasks(viewer: Viewer) -> list[Task]:
    approved = select(PaymentRun.id).where(PaymentRun.status == RunStatus.APPROVED)
    return [
        Task(
            "Payment runs waiting for your approval",
            count_rows(runs_waiting(viewer, "others")),
            "payments.payment_runs",
            {"waiting": "others"},
            urgent=True,
        ),
        Task(
            "Payment runs you built, waiting for another officer",
            count_rows(runs_waiting(viewer, "mine")),
            "payments.payment_runs",
            {"waiting": "mine"},
        ),
        Task(
            "Approved payment runs to commit",
            count_rows(approved),
            "payments.payment_runs",
            {"status": RunStatus.APPROVED.value},
            urgent=True,
        ),
    ]


def runs_list(viewer: Viewer, waiting: str = "", status: str = "", limit: int = 30):
    """The runs page's list: recent runs, or only those waiting (see runs_waiting), or only
    those in one status."""
    if waiting in RUN_FILTERS:
        query = runs_waiting(viewer, waiting)
    else:
        query = select(PaymentRun).order_by(PaymentRun.period_start.desc(), PaymentRun.id.desc())
        if status in RunStatus.__members__.values():
            query = query.where(PaymentRun.status == status)
    return list(db.session.execute(query.limit(limit)).scalars())


# --- Budgets -------------------------------------------------------------------------------


def _approvable_by(viewer: Viewer) -> ColumnElement[bool]:
    """Proposed budgets this viewer may decide: not their own; a team leader's only up to
    the ceiling."""
    rule = and_(Budget.status == BudgetStatus.PROPOSED, Budget.proposed_by_id != viewer.user.id)
    if viewer.role == Role.TEAM_LEADER:
        rule = and_(rule, Budget.weekly_at_proposal_pence <= to_pence(ceiling()))
    return rule


@dataclass(frozen=True)
class BudgetChange:
    """A proposed budget beside the approved one it would replace (weekly amounts)."""

    budget: Budget
    old_weekly: Decimal | None  # None: the account has no approved budget yet
    new_weekly: Decimal

    def old(self, weeks: int) -> Decimal | None:
        return None if self.old_weekly is None else self.old_weekly * weeks

    def new(self, weeks: int) -> Decimal:
        return self.new_weekly * weeks


def budgets_to_decide(viewer: Viewer, limit: int = 50) -> list[BudgetChange]:
    """The budgets this viewer may approve, oldest first, each with the weekly amount of the
    approved budget in force on the day it would start (one query)."""
    current = aliased(Budget)
    old = (
        select(current.weekly_at_proposal_pence)
        .where(
            current.account_id == Budget.account_id,
            current.status == BudgetStatus.APPROVED,
            current.effective_from <= Budget.effective_from,
        )
        .order_by(current.effective_from.desc(), current.version.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Budget, old)
        .options(joinedload(Budget.account).joinedload(Account.person))
        .where(_approvable_by(viewer))
        .order_by(Budget.proposed_at, Budget.id)
        .limit(limit)
    ).all()
    return [
        BudgetChange(
            b, None if o is None else from_pence(o), from_pence(b.weekly_at_proposal_pence)
        )
        for b, o in rows
    ]


def _in_force(today: date) -> ColumnElement[bool]:
    """Budget is the approved version in force on `today` (no later start, or later version
    of the same start, has been approved)."""
    newer = aliased(Budget)
    return and_(
        Budget.status == BudgetStatus.APPROVED,
        Budget.effective_from <= today,
        ~exists().where(
            newer.account_id == Budget.account_id,
            newer.status == BudgetStatus.APPROVED,
            newer.effective_from <= today,
            or_(
                newer.effective_from > Budget.effective_from,
                and_(newer.effective_from == Budget.effective_from, newer.version > Budget.version),
            ),
        ),
    )


def over_ceiling(viewer: Viewer) -> Select[tuple[Budget]]:
    """Budgets in force today, on accounts still open, above the team leaders' limit (as
    approved: the weekly amount on the day it was proposed), largest first."""
    return (
        select(Budget)
        .join(Account, Account.id == Budget.account_id)
        .options(joinedload(Budget.account).joinedload(Account.person))
        .where(
            Budget.weekly_at_proposal_pence > to_pence(ceiling()),
            Account.status != "closed",
            account_scope.account_filter(viewer),
            _in_force(viewer.today),
        )
        .order_by(Budget.weekly_at_proposal_pence.desc(), Budget.id)
    )


def over_ceiling_page(viewer: Viewer, page: int) -> BoundedPage:
    return bounded_page(over_ceiling(viewer), page)


# --- Recoveries ----------------------------------------------------------------------------


def recoveries_owed(method: str = "") -> Select[tuple[Recovery]]:
    """Recoveries still open (part or none recovered), oldest first; by one method if given."""
    query = select(Recovery).where(Recovery.status == RecoveryStatus.OPEN)
    if method in RECOVERY_METHODS:
        query = query.where(Recovery.method == method)
    return query.order_by(Recovery.created_at, Recovery.id)


@dataclass(frozen=True)
class RecoveriesPage:
    page: BoundedPage
    accounts: dict[int, Account]
    method: str


def recoveries_page(viewer: Viewer, method: str, page: int) -> RecoveriesPage:
    listed = bounded_page(recoveries_owed(method), page)
    accounts = account_scope.load_accounts_by_id(viewer, {r.account_id for r in listed.items})
    return RecoveriesPage(listed, accounts, method if method in RECOVERY_METHODS else "")


# --- Home tasks ----------------------------------------------------------------------------


def _staff_tasks(viewer: Viewer) -> list[Task]:
    tasks = [
        Task(
            "Budgets waiting for your approval",
            count_rows(select(Budget.id).where(_approvable_by(viewer))),
            "payments.pending_budgets",
            {"yours": "1"},
            urgent=True,
        )
    ]
    if viewer.role == Role.TEAM_LEADER:
        tasks.append(
            Task(
                "Accounts with a budget over the team leader limit",
                count_rows(over_ceiling(viewer)),
                "payments.over_ceiling",
            )
        )
    if viewer.role == Role.FINANCE_OFFICER:
        tasks[:0] = _run_tasks(viewer)
        tasks += [
            Task(
                "Recoveries being taken from payments",
                count_rows(recoveries_owed("offset")),
                "payments.recoveries",
                {"method": "offset"},
            ),
            Task(
                "Recovery invoices not yet paid",
                count_rows(recoveries_owed("invoice")),
                "payments.recoveries",
                {"method": "invoice"},
            ),
        ]
    return tasks


# Next year's living wage is asked for this long before 1 April (the Scottish Government
# confirms the adult social care rate for April in the winter before).
RATE_NOTICE = timedelta(days=90)


def _rate_task(today: date) -> Task:
    """Administrators: next financial year's living wage, once it is near and not yet added."""
    starts = financial_year_end(today) + timedelta(days=1)
    added = select(RateRow.id).where(
        RateRow.kind == RateKind.LIVING_WAGE, RateRow.effective_from >= starts
    )
    due = starts - today <= RATE_NOTICE and count_rows(added) == 0
    return Task(
        f"Living wage rate from {starts.day} April {starts.year}",
        int(due),
        "payments.rates",
        urgent=True,
        group=Group.SETTINGS,
        day=starts,
        note="not added yet",
    )


def home_tasks(viewer: Viewer) -> list[Task]:
    """Payments' part of a council officer's home page."""
    tasks = [_rate_task(viewer.today)] if viewer.role == Role.ADMIN else []
    if viewer.role in (Role.FINANCE_OFFICER, Role.TEAM_LEADER):
        tasks += _staff_tasks(viewer)
    if viewer.role in (Role.FINANCE_OFFICER, Role.ADMIN):
        failed = select(Letter.id).where(Letter.email_status == "failed")
        tasks.append(
            Task(
                "Letters whose email did not arrive",
                count_rows(failed),
                "payments.undelivered_letters",
                group=Group.LETTERS,
                urgent=True,
            )
        )
    return tasks


# --- A person's own accounts ---------------------------------------------------------------


def _payments_on_one_day(account_id: int, after: date | None):
    """(pay date, pence): the first pay date after `after` with its payments added up, or
    with `after` None the last pay date there is. One query along (account_id, pay_date)."""
    query = select(Payment.pay_date, func.sum(Payment.amount_pence)).where(
        Payment.account_id == account_id
    )
    if after is not None:
        query = query.where(Payment.pay_date > after).order_by(Payment.pay_date)
    else:
        query = query.order_by(Payment.pay_date.desc())
    return db.session.execute(query.group_by(Payment.pay_date).limit(1)).first()


def next_payment(account_id: int, today: date) -> Task | None:
    """The account's next payment: the money due on the first pay date after today (the
    payments of that date added up), or else the last one paid."""
    row = _payments_on_one_day(account_id, today)
    paid = row is None
    if paid:
        row = _payments_on_one_day(account_id, None)
    if row is None:
        return None
    day, pence = row
    return Task(
        "Last payment" if paid else "Next payment",
        1,
        "payments.account_payments",
        {"account_id": account_id},
        amount=from_pence(int(pence)),
        day=day,
        note="paid" if paid else "due to be paid",
    )


def letters_since(account_id: int, since: datetime | None) -> Task:
    """Letters written to or about the account since `since` (all of them on a first visit)."""
    query = select(Letter.id).where(Letter.account_id == account_id)
    if since is not None:
        query = query.where(Letter.created_at > since)
    return Task(
        "New letters since your last visit" if since else "Letters",
        count_rows(query),
        "payments.letters",
        {"account_id": account_id},
        group=Group.LETTERS,
    )
