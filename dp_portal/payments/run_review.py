"""What an approver must know about a payment run before money moves (shared/design.md 2.7):
whether anything it was worked out from has changed since it was built (then it is stale and
must be built again), who may not approve it (whoever built it, or changed anything it
depends on), and what changed since the last committed run (new payees, new bank details,
amounts more than 10% up or down).

Changes are read from the audit log, which every change to an account's money writes with
the account's id and the same transaction as the change (and which nobody can rewrite).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, literal, or_, select

from ..accounts.models import Account, Person
from ..auth.models import User
from ..core.audit import AuditEvent
from ..core.money import from_pence
from ..extensions import db
from ..third_party.models import Mandate, Organisation
from . import hooks, lifecycles
from .lifecycles import RunStatus
from .models import Payment, PaymentRun, RunLine

# Account changes that alter what a run pays or to whom, in plain words for the run page.
ACCOUNT_CHANGES = {
    "account.bank_details_changed": "bank details changed",
    "account.updated": "account details changed (dates or option)",
    "account.status_changed": "account status changed",
    "budget.approved": "a new budget was approved",
    "mandate.added": "an organisation was given a mandate",
    "mandate.withdrawn": "a mandate was withdrawn",
    "mandate.consented": "the person consented to a mandate",
    "recovery.raised": "a recovery was raised",
    "payment.adjusted": "a payment was corrected",
    "escalation.suspended": "payments were suspended",
    "escalation.reinstated": "payments were reinstated",
    "isf.agreement_activated": "an individual service fund agreement came into force",
    "isf.agreement_ended": "an individual service fund agreement ended",
}
# Changes that re-price every account.
COUNCIL_CHANGES = {
    "rate.added": "a rate was added",
    "uplift.applied": "a living wage uplift was applied",
    "provider_rate.added": "a provider rate was added",
    "organisation.pooled_account_changed": "an organisation's pooled client account changed",
}
# Asking for a change counts as changing it, for who may not approve (segregation of duties).
REQUESTS = {
    "bank_details.change_requested": "asked for new bank details",
    "budget.proposed": "proposed a budget",
}
MAJOR_CHANGE = 10  # percent up or down that an approver is shown


def _account_events(run_id: int, after: datetime | None, actions):
    query = (
        select(AuditEvent.action, AuditEvent.actor_id, func.count(AuditEvent.account_id.distinct()))
        .join(
            RunLine,
            and_(RunLine.account_id == AuditEvent.account_id, RunLine.run_id == run_id),
        )
        .where(AuditEvent.action.in_(list(actions)))
        .group_by(AuditEvent.action, AuditEvent.actor_id)
    )
    if after is not None:
        query = query.where(AuditEvent.occurred_at > after)
    return db.session.execute(query).all()


def stale_reasons(run: PaymentRun) -> list[str]:
    """Why the run no longer shows what would be paid (empty: it still does)."""
    if run.status not in (RunStatus.BUILT, RunStatus.APPROVED):
        return []
    counts: dict[str, int] = {}
    for action, _actor, accounts in _account_events(run.id, run.built_at, ACCOUNT_CHANGES):
        counts[action] = counts.get(action, 0) + accounts
    reasons = [
        f"{ACCOUNT_CHANGES[action]} on {n} account{'s' if n != 1 else ''}"
        for action, n in sorted(counts.items())
    ]
    for (action,) in db.session.execute(
        select(AuditEvent.action)
        .where(AuditEvent.action.in_(list(COUNCIL_CHANGES)), AuditEvent.occurred_at > run.built_at)
        .distinct()
    ):
        reasons.append(COUNCIL_CHANGES[action])
    if db.session.execute(
        select(PaymentRun.id)
        .where(
            PaymentRun.id != run.id,
            PaymentRun.status == RunStatus.COMMITTED,
            PaymentRun.committed_at > run.built_at,
        )
        .limit(1)
    ).first():
        reasons.append("another run was committed, so arrears may differ")
    moved = _payees_moved(run.id)
    if moved:
        plural = moved != 1
        reasons.append(
            f"{moved} payee{'s' if plural else ''} no longer {'have' if plural else 'has'} the "
            "bank details the run was built with"
        )
    return reasons


def _payees_moved(run_id: int) -> int:
    """Paid lines whose snapshot differs from where the money would go now (the account's
    bank details, or the managing organisation's pooled account): the belt to the audit
    log's braces (the commit pays the snapshot whatever happens)."""
    person = (
        select(func.count())
        .select_from(RunLine)
        .join(Account, Account.id == RunLine.account_id)
        .where(
            RunLine.run_id == run_id,
            RunLine.outcome == "pay",
            RunLine.payee_type == "person",
            or_(
                Account.sort_code.is_distinct_from(RunLine.sort_code),
                Account.account_number.is_distinct_from(RunLine.account_number),
                Account.payee_name.is_distinct_from(RunLine.payee_name),
            ),
        )
    )
    run = db.session.get(PaymentRun, run_id)
    still_paid = exists().where(
        Mandate.account_id == RunLine.account_id,
        Mandate.scope == "manage_money",
        Mandate.current_on(run.period_start),
        Organisation.id == Mandate.organisation_id,
        Organisation.pooled_sort_code == RunLine.sort_code,
        Organisation.pooled_account_number == RunLine.account_number,
        Organisation.pooled_payee_name == RunLine.payee_name,
    )
    organisation = select(
        RunLine.account_id, RunLine.payee_name, RunLine.sort_code, RunLine.account_number
    ).where(
        RunLine.run_id == run_id,
        RunLine.outcome == "pay",
        RunLine.payee_type == "organisation",
        ~still_paid,
    )
    # Not paid through a mandate: still paid where another package sends it (an ISF provider)?
    elsewhere = hooks.redirected_payees(run.period_start)
    moved = sum(
        1
        for account_id, *payee in db.session.execute(organisation)
        if _payee(elsewhere.get(account_id)) != tuple(payee)
    )
    return db.session.execute(person).scalar_one() + moved


def _payee(target: hooks.Redirect | None):
    """Where a redirect pays: its bank account, or that of what it pays instead."""
    return target.payee if isinstance(target, hooks.Replacement) else target


def previous_committed(run: PaymentRun) -> PaymentRun | None:
    return db.session.execute(
        select(PaymentRun)
        .where(
            PaymentRun.status == RunStatus.COMMITTED,
            PaymentRun.period_index < run.period_index,
        )
        .order_by(PaymentRun.period_index.desc())
        .limit(1)
    ).scalar_one_or_none()


def blocked_approvers(run: PaymentRun) -> dict[int, str]:
    """User id -> why they may not approve: they built the run, or changed (or asked to
    change) something it pays on since the last committed run."""
    blocked = {run.built_by_id: "built this run"}
    previous = previous_committed(run)
    since = previous.committed_at if previous else None
    doing = ACCOUNT_CHANGES | REQUESTS
    for action, actor_id, accounts in _account_events(run.id, since, doing):
        if actor_id is not None and actor_id not in blocked:
            what = doing[action]
            blocked[actor_id] = f"{what} for {accounts} account{'s' if accounts != 1 else ''} in it"
    return blocked


def blocked_names(blocked: dict[int, str]) -> list[tuple[str, str]]:
    if not blocked:
        return []
    users = db.session.execute(select(User.id, User.full_name).where(User.id.in_(blocked))).all()
    return sorted((name, blocked[user_id]) for user_id, name in users)


@dataclass(frozen=True)
class PayeeChange:
    account_id: int
    reference: str
    person: str
    payee_name: str | None
    sort_code: str | None
    last_four: str | None
    before_pence: int | None
    after_pence: int
    new_payee: bool
    new_bank_details: bool
    big_change: bool


def _paid_by(run_id: int):
    """What each account was paid by a run, and to whom (a subquery)."""
    return (
        select(
            Payment.account_id,
            func.sum(Payment.amount_pence).label("paid"),
            func.max(Payment.sort_code).label("sort_code"),
            func.max(Payment.account_number).label("account_number"),
            func.max(Payment.payee_name).label("payee_name"),
        )
        .where(Payment.run_id == run_id)
        .group_by(Payment.account_id)
        .subquery()
    )


def changes_since_last_run(run: PaymentRun, limit: int = 500) -> tuple[PaymentRun | None, list]:
    """The paid lines an approver should look at twice, against the last committed run."""
    previous = previous_committed(run)
    if previous is None:
        return None, []
    before = _paid_by(previous.id)
    now = RunLine.amount_pence + RunLine.arrears_pence
    new_payee = before.c.account_id.is_(None)
    new_bank = or_(
        before.c.sort_code.is_distinct_from(RunLine.sort_code),
        before.c.account_number.is_distinct_from(RunLine.account_number),
        before.c.payee_name.is_distinct_from(RunLine.payee_name),
    )
    # |now - before| > 10% of before, in whole pence (no division, no rounding).
    big = func.abs(now - before.c.paid) * 100 > before.c.paid * literal(MAJOR_CHANGE)
    rows = db.session.execute(
        select(
            RunLine.account_id,
            Account.reference,
            Person.first_name + " " + Person.last_name,
            RunLine.payee_name,
            RunLine.sort_code,
            RunLine.account_number,
            before.c.paid,
            now,
            new_payee,
            and_(~new_payee, new_bank),
            and_(~new_payee, big),
        )
        .join(Account, Account.id == RunLine.account_id)
        .join(Person, Person.id == Account.person_id)
        .outerjoin(before, before.c.account_id == RunLine.account_id)
        .where(RunLine.run_id == run.id, RunLine.outcome == "pay", or_(new_payee, new_bank, big))
        .order_by(Account.reference)
        .limit(limit)
    ).all()
    return previous, [_payee_change(*row) for row in rows]


def _payee_change(
    account_id, reference, person, name, sort_code, number, before, after, *flags
) -> PayeeChange:
    return PayeeChange(
        account_id,
        reference,
        person,
        name,
        sort_code,
        number[-4:] if number else None,
        None if before is None else int(before),
        int(after),
        *(bool(flag) for flag in flags),
    )


# --- What the run pages list -----------------------------------------------------------------


@dataclass(frozen=True)
class RunPage:
    """Everything the run page shows an officer before they approve, commit or cancel."""

    totals: dict
    withheld: list[RunLine]
    paid: object  # Flask-SQLAlchemy's Pagination of the paid lines, 50 a page
    stale: list[str]
    previous: PaymentRun | None
    changes: list[PayeeChange]
    blocked_me: str | None  # why the reader may not approve it, if they may not
    blocked: list[tuple[str, str]]  # (name, why) of everyone who may not approve it
    next_states: frozenset[RunStatus]


def run_page(run: PaymentRun, reader_id: int, page: int | None) -> RunPage:
    previous, changes = changes_since_last_run(run)
    approvable = RunStatus.APPROVED in lifecycles.next_states(RunStatus(run.status))
    blocked = blocked_approvers(run) if approvable else {}
    paid_lines = (
        select(RunLine)
        .where(RunLine.run_id == run.id, RunLine.outcome == "pay")
        .order_by(RunLine.account_id)
    )
    return RunPage(
        totals=run_totals(run.id),
        withheld=withheld_lines(run.id),
        paid=db.paginate(paid_lines, page=page, per_page=50, error_out=False),
        stale=stale_reasons(run),
        previous=previous,
        changes=changes,
        blocked_me=blocked.get(reader_id),
        blocked=blocked_names(blocked),
        next_states=lifecycles.next_states(RunStatus(run.status)),
    )


def run_totals(run_id: int) -> dict:
    """Totals by SDS option and payee type, and the reasons lines were withheld."""
    by_option = db.session.execute(
        select(
            RunLine.sds_option,
            RunLine.payee_type,
            func.count(),
            func.sum(RunLine.amount_pence + RunLine.arrears_pence),
        )
        .where(RunLine.run_id == run_id, RunLine.outcome == "pay")
        .group_by(RunLine.sds_option, RunLine.payee_type)
        .order_by(RunLine.sds_option, RunLine.payee_type)
    ).all()
    reasons = db.session.execute(
        select(RunLine.reason, func.count())
        .where(RunLine.run_id == run_id, RunLine.outcome == "withhold")
        .group_by(RunLine.reason)
        .order_by(func.count().desc())
    ).all()
    return {
        "by_option": [
            (opt, payee, count, from_pence(int(total or 0)))
            for opt, payee, count, total in by_option
        ],
        "withheld": [(reason, count) for reason, count in reasons],
    }


def recent_runs(limit: int = 30) -> list[PaymentRun]:
    return list(
        db.session.execute(
            select(PaymentRun)
            .order_by(PaymentRun.period_start.desc(), PaymentRun.id.desc())
            .limit(limit)
        ).scalars()
    )


def withheld_lines(run_id: int, limit: int = 200) -> list[RunLine]:
    return list(
        db.session.execute(
            select(RunLine)
            .where(RunLine.run_id == run_id, RunLine.outcome == "withhold")
            .order_by(RunLine.account_id)
            .limit(limit)
        ).scalars()
    )
