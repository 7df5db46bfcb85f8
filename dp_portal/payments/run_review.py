"""What an approver must know about a payment run before money moves (shared/design.md 2.7):
whether anything it was worked out from has changed since it was built (then it is stale and
must be built again), who may not approve it (whoever built it, or changed anything it
depends on), and what changed since the last committed run (new payees, new bank details,
amounts more than 10% up or down).

Changes are read from the audit log, which every change to an account's money writes with
the account's id and the same transaction as the change (and which nobody can rewrite).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, insert, or_, select

from ..accounts.models import Account
from ..auth.models import User
from ..core.audit import AuditEvent
from ..extensions import db
from ..third_party.models import Mandate, Organisation
from . import hooks
from .lifecycles import RunStatus
from .run_models import PaymentRun, RunChanger, RunLine
from .run_summary import (
    previous_committed,
)

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
DOING = ACCOUNT_CHANGES | REQUESTS


def _account_events(
    run_id: int,
    after: datetime | None,
    actions,
    *,
    until: datetime | None = None,
):
    """(action, actor, distinct accounts in the run) of the audit log's events of `actions`
    after `after` (and up to `until`)."""
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
    if until is not None:
        query = query.where(AuditEvent.occurred_at <= until)
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
    moved = _payees_moved(run)
    if moved:
        plural = moved != 1
        reasons.append(
            f"{moved} payee{'s' if plural else ''} no longer {'have' if plural else 'has'} the "
            "bank details the run was built with"
        )
    return reasons


IN_FLIGHT = timedelta(hours=1)


def _payees_moved(run: PaymentRun) -> int:
    """Paid lines whose snapshot differs from where the money would go now (the account's
    bank details, or the managing organisation's pooled account): the belt to the audit
    log's braces (the commit pays the snapshot whatever happens).

    People paid directly are compared only if their bank details changed about the build:
    every change stamps bank_details_changed_at (a database trigger, migration 0018), and the
    margin covers a change whose transaction began before the build and ended after it. Lines
    paying an organisation (a managing organisation, or an ISF provider) are read through
    their own index, and the other packages are asked where they pay only about lines no
    mandate explains."""
    changed = select(Account.id).where(Account.bank_details_changed_at >= run.built_at - IN_FLIGHT)
    person = (
        select(func.count())
        .select_from(RunLine)
        .join(Account, Account.id == RunLine.account_id)
        .where(
            RunLine.run_id == run.id,
            RunLine.account_id.in_(changed),
            RunLine.outcome == "pay",
            RunLine.payee_type == "person",
            or_(
                Account.sort_code.is_distinct_from(RunLine.sort_code),
                Account.account_number.is_distinct_from(RunLine.account_number),
                Account.payee_name.is_distinct_from(RunLine.payee_name),
            ),
        )
    )
    # Usually no account's bank details changed about the build: asked first, through the
    # index, so the count is not planned at all then. PostgreSQL planned it as a hash join of
    # the whole run when it had no statistics yet (a council's database just loaded or
    # restored): 115 ms, at each approval and commit.
    anyone = db.session.execute(changed.limit(1)).first()
    moved = db.session.execute(person).scalar_one() if anyone else 0
    unexplained = db.session.execute(organisation_lines(run)).all()
    if not unexplained:
        return moved  # no need to ask the other packages where they pay
    # Not paid through a mandate: still paid where another package sends it (an ISF provider)?
    elsewhere = hooks.redirected_payees(run.period_start)
    return moved + sum(
        1 for account_id, *payee in unexplained if _payee(elsewhere.get(account_id)) != tuple(payee)
    )


def organisation_lines(run: PaymentRun):
    """The run's lines paying an organisation that no current mandate's pooled account
    explains (account, payee name, sort code, account number). They are read through the
    partial index of the lines paying an organisation (run_models.py), not the whole run."""
    still_paid = exists().where(
        Mandate.account_id == RunLine.account_id,
        Mandate.scope == "manage_money",
        Mandate.current_on(run.period_start),
        Organisation.id == Mandate.organisation_id,
        Organisation.pooled_sort_code == RunLine.sort_code,
        Organisation.pooled_account_number == RunLine.account_number,
        Organisation.pooled_payee_name == RunLine.payee_name,
    )
    return select(
        RunLine.account_id, RunLine.payee_name, RunLine.sort_code, RunLine.account_number
    ).where(
        RunLine.run_id == run.id,
        RunLine.outcome == "pay",
        RunLine.payee_type == "organisation",
        ~still_paid,
    )


def _payee(target: hooks.Redirect | None):
    """Where a redirect pays: its bank account, or that of what it pays instead."""
    return target.payee if isinstance(target, hooks.Replacement) else target


def blocked_approvers(run: PaymentRun) -> dict[int, str]:
    """User id -> why they may not approve: they built the run, or changed (or asked to
    change) something it pays on since the last committed run."""
    return blocked_since(run, previous_committed(run))


def blocked_since(run: PaymentRun, previous: PaymentRun | None) -> dict[int, str]:
    """`blocked_approvers`, given the last committed run before it (the run page has read
    it already)."""
    blocked = {run.built_by_id: "built this run"}
    since = previous.committed_at if previous else None
    for (action, actor_id), accounts in sorted(_changers(run, previous, since).items()):
        if actor_id not in blocked:
            what = DOING[action]
            blocked[actor_id] = f"{what} for {accounts} account{'s' if accounts != 1 else ''} in it"
    return blocked


def _changers(run: PaymentRun, previous, since) -> dict[tuple[str, int], int]:
    """(action, actor) -> accounts in the run they did it to since `since`: what the build
    kept up to shortly before it (keep_changers), plus the accounts the audit log has since
    that the kept count does not already hold (exact: an account counts once)."""
    kept_for = previous.id if previous else None
    if run.summarised_at is None or run.compared_with_run_id != kept_for:
        return _counted(_account_events(run.id, since, DOING))
    cut = run.built_at - IN_FLIGHT
    if since is not None:
        cut = max(cut, since)
    counts = {
        (row.action, row.actor_id): row.accounts
        for row in db.session.execute(
            select(RunChanger).where(RunChanger.run_id == run.id)
        ).scalars()
    }
    later: dict[tuple[str, int], set[int]] = defaultdict(set)
    for action, actor_id, account_id in db.session.execute(
        _events(DOING, after=cut).join(
            RunLine, and_(RunLine.account_id == AuditEvent.account_id, RunLine.run_id == run.id)
        )
    ):
        later[(action, actor_id)].add(account_id)
    both = later.keys() & counts.keys()
    if both:
        # Of the accounts changed since the cut, those the same person had already changed
        # the same way before it (read by account: a few rows, not the whole window).
        accounts = sorted(set().union(*(later[pair] for pair in both)))
        query = _events(DOING, after=since, until=cut)
        earlier = {
            (action, actor_id, account_id)
            for chunk in range(0, len(accounts), 500)
            for action, actor_id, account_id in db.session.execute(
                query.where(AuditEvent.account_id.in_(accounts[chunk : chunk + 500]))
            )
        }
        for action, actor_id in both:
            later[(action, actor_id)] -= {
                account for account in accounts if (action, actor_id, account) in earlier
            }
    for pair, accounts_since in later.items():
        counts[pair] = counts.get(pair, 0) + len(accounts_since)
    return counts


def _events(actions, *, after: datetime | None, until: datetime | None = None):
    """Distinct (action, actor, account) of the audit log's events of `actions` by a person,
    in the window."""
    query = (
        select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.account_id)
        .where(AuditEvent.action.in_(list(actions)), AuditEvent.actor_id.is_not(None))
        .distinct()
    )
    if after is not None:
        query = query.where(AuditEvent.occurred_at > after)
    if until is not None:
        query = query.where(AuditEvent.occurred_at <= until)
    return query


def _counted(rows) -> dict[tuple[str, int], int]:
    return {(action, actor): n for action, actor, n in rows if actor is not None}


def keep_changers(run: PaymentRun, previous: PaymentRun | None) -> None:
    """At the build: who changed what in the run since the last committed run, up to an hour
    before the build (a change in flight at the build is read from the audit log later), so
    the run's page does not go through every change since the last run each time."""
    since = previous.committed_at if previous else None
    rows = _counted(_account_events(run.id, since, DOING, until=run.built_at - IN_FLIGHT))
    if rows:
        db.session.execute(
            insert(RunChanger),
            [
                {"run_id": run.id, "action": action, "actor_id": actor, "accounts": n}
                for (action, actor), n in rows.items()
            ],
        )


def blocked_names(blocked: dict[int, str]) -> list[tuple[str, str]]:
    if not blocked:
        return []
    users = db.session.execute(select(User.id, User.full_name).where(User.id.in_(blocked))).all()
    return sorted((name, blocked[user_id]) for user_id, name in users)
