"""ISF agreements: proposed by a finance officer, confirmed on screen by each of the three
parties, active once all three have, changed only by a new version that is confirmed again.
Loading is scope.py's; the rules are agreements.py's. Never commits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..accounts.models import Account, AccountAccess
from ..auth.models import Role, User
from ..core import audit
from ..core.errors import NotAllowed, RuleError
from ..core.money import round_money, to_pence
from ..extensions import db
from ..payments.budgets import LineKind
from ..payments.lifecycles import BudgetStatus
from ..payments.models import Budget, BudgetLine
from ..payments.plans import rate_book
from ..third_party.models import Organisation
from .agreements import (
    Party,
    PaymentBasis,
    Terms,
    VersionStatus,
    all_confirmed,
    check_can_confirm,
    check_terms,
    move_version,
)
from .models import IsfAgreement, IsfAgreementVersion, IsfConfirmation, IsfFundedLine

WEEKS_A_YEAR = Decimal(52)


def funding_budget(account: Account, org: Organisation, day: date) -> tuple[Budget, list]:
    """The account's approved budget in force on `day` (or its latest) and its provider
    lines for `org`: what the agreement funds. RuleError when there are none."""
    budgets = db.session.execute(
        select(Budget)
        .where(Budget.account_id == account.id, Budget.status == BudgetStatus.APPROVED)
        .order_by(Budget.effective_from, Budget.version)
    ).scalars()
    chosen = None
    for budget in budgets:
        if chosen is None or budget.effective_from <= day:
            chosen = budget
    lines = [
        line
        for line in (chosen.lines if chosen else [])
        if line.kind == LineKind.PROVIDER_HOURS and line.provider_id == org.id
    ]
    if chosen is None or not lines:
        raise RuleError(
            f"The account has no approved budget with provider hours from {org.name}. "
            "Propose and approve one first"
        )
    return chosen, lines


def suggested_annual_budget(lines: list[BudgetLine], org_id: int, day: date) -> Decimal:
    """The funded hours a week at the provider's agreed rates on `day`, for 52 weeks."""
    book = rate_book()
    weekly = Decimal(0)
    for line in lines:
        rate = book.provider_rate_on(org_id, day, line.service_type or "day")
        if rate is None:
            raise RuleError(
                f"{line.description}: the provider has no agreed rate for this kind of "
                "support on the start date. Add it on the provider's rates page first"
            )
        weekly += line.hours * rate
    return round_money(weekly * WEEKS_A_YEAR)


def _check_for_account(account: Account, terms: Terms) -> None:
    if terms.payment_basis == PaymentBasis.SCHEDULED and account.sds_option != 2:
        raise RuleError(
            "Scheduled payment to the provider is for Option 2 accounts: on this Option "
            f"{account.sds_option} account, choose payment on the provider's invoices"
        )


def checked_funding(account: Account, org: Organisation, terms: Terms) -> tuple[Budget, list]:
    """Every check on new terms, before anything is written (bad input changes nothing)."""
    check_terms(terms)
    _check_for_account(account, terms)
    _check_other_providers(account, org, terms)
    return funding_budget(account, org, terms.starts_on)


def _check_other_providers(account: Account, org: Organisation, terms: Terms) -> None:
    """A person may have agreements with several providers, for different budget lines, if
    each provider is paid on its invoices: a payment run pays one payee for a person each
    period, so a scheduled payment (in advance, every period) leaves no room for another
    provider's (invoice_payments.due pays each invoicing provider in turn)."""
    others = db.session.execute(
        select(Organisation.name, IsfAgreementVersion.payment_basis)
        .join(IsfAgreement, IsfAgreement.organisation_id == Organisation.id)
        .join(IsfAgreementVersion, IsfAgreementVersion.agreement_id == IsfAgreement.id)
        .where(
            IsfAgreement.account_id == account.id,
            IsfAgreement.organisation_id != org.id,
            IsfAgreementVersion.status.in_([VersionStatus.AWAITING, VersionStatus.ACTIVE])
            | (
                (IsfAgreementVersion.status == VersionStatus.ENDED)
                & (IsfAgreementVersion.ends_on >= terms.starts_on)
            ),
        )
    ).all()
    scheduled = [name for name, basis in others if basis == PaymentBasis.SCHEDULED]
    if scheduled:
        raise RuleError(
            f"{scheduled[0]} is paid on the schedule for this person. A payment run pays one "
            "provider for a person each period: change that agreement to payment on the "
            "provider's invoices first"
        )
    if others and terms.payment_basis != PaymentBasis.INVOICE:
        raise RuleError(
            f"{others[0].name} also has an agreement for this person. A payment run pays one "
            "provider for a person each period, so a person with more than one provider has "
            "each paid on its invoices: choose payment on the provider's invoices"
        )


def _version(agreement, number: int, terms: Terms, note: str, funding, actor: User):
    budget, lines = funding
    version = IsfAgreementVersion(
        agreement=agreement,
        version=number,
        status=VersionStatus.AWAITING,
        starts_on=terms.starts_on,
        ends_on=terms.ends_on,
        annual_budget_pence=to_pence(terms.annual_budget),
        budget_id=budget.id,
        money_holder=terms.money_holder,
        payment_basis=terms.payment_basis,
        management_fee_bp=int(terms.management_fee_pct * 100),
        contribution_to=terms.contribution_to,
        bankable_hours_hundredths=int(terms.bankable_hours * 100),
        reporting_frequency=terms.reporting_frequency,
        underspend=terms.underspend,
        change_note=note,
        created_by_id=actor.id,
    )
    db.session.add(version)
    db.session.flush()
    for line in lines:
        db.session.add(IsfFundedLine(version_id=version.id, budget_line_id=line.id))
    db.session.flush()
    return version


def _check_no_overlap(account: Account, org: Organisation, starts_on: date) -> None:
    """One agreement with a provider for an account at a time: an open one is changed, not
    doubled, and an ended one counts up to its last day."""
    open_one = db.session.execute(
        select(IsfAgreementVersion.status, IsfAgreementVersion.ends_on)
        .join(IsfAgreement, IsfAgreementVersion.agreement_id == IsfAgreement.id)
        .where(
            IsfAgreement.account_id == account.id,
            IsfAgreement.organisation_id == org.id,
            IsfAgreementVersion.status.in_([VersionStatus.AWAITING, VersionStatus.ACTIVE])
            | (
                (IsfAgreementVersion.status == VersionStatus.ENDED)
                & (IsfAgreementVersion.ends_on >= starts_on)
            ),
        )
        .limit(1)
    ).first()
    if open_one is None:
        return
    if open_one.status == VersionStatus.ENDED:
        raise RuleError(
            f"The agreement with {org.name} for this account is in force until "
            f"{open_one.ends_on:%d %B %Y}: start the new one after that day"
        )
    raise RuleError(
        f"There is already an agreement with {org.name} for this account: change it instead"
    )


def propose_agreement(
    account: Account, org: Organisation, terms: Terms, *, actor: User
) -> IsfAgreement:
    """A new agreement between the person, the council and the provider, waiting for all
    three to confirm it."""
    if org.kind != "provider":
        raise RuleError(f"{org.name} is not a care provider")
    funding = checked_funding(account, org, terms)
    _check_no_overlap(account, org, terms.starts_on)
    agreement = IsfAgreement(account_id=account.id, organisation_id=org.id, created_by_id=actor.id)
    db.session.add(agreement)
    db.session.flush()
    version = _version(agreement, 1, terms, "", funding, actor)
    audit.record(
        actor,
        "isf.agreement_proposed",
        agreement,
        account_id=account.id,
        summary=f"ISF agreement with {org.name} proposed: "
        f"{version.annual_budget} pounds a year, from {terms.starts_on:%d %B %Y}",
        after=_terms_audit(version),
    )
    return agreement


def change_agreement(agreement: IsfAgreement, terms: Terms, note: str, *, actor: User):
    """A new version of the terms, confirmed again by all three; the version in force stays
    in force until then, and one still waiting for confirmations is withdrawn."""
    if not note.strip():
        raise RuleError("Say what is changing and why")
    waiting = [v for v in agreement.versions if v.status == VersionStatus.AWAITING]
    if not any(
        v.status in (VersionStatus.AWAITING, VersionStatus.ACTIVE) for v in agreement.versions
    ):
        raise RuleError("This agreement has ended: propose a new one instead")
    funding = checked_funding(agreement.account, agreement.provider, terms)
    for version in waiting:
        move_version(version, VersionStatus.WITHDRAWN)
    db.session.flush()
    number = max(v.version for v in agreement.versions) + 1
    version = _version(agreement, number, terms, note.strip(), funding, actor)
    audit.record(
        actor,
        "isf.agreement_changed",
        agreement,
        account_id=agreement.account_id,
        summary=f"ISF agreement version {number} proposed: {note.strip()}",
        after=_terms_audit(version),
    )
    return version


def _terms_audit(version: IsfAgreementVersion) -> dict:
    return {
        "version": version.version,
        "annual_budget_pence": version.annual_budget_pence,
        "money_holder": version.money_holder,
        "payment_basis": version.payment_basis,
        "starts_on": version.starts_on.isoformat(),
    }


def party_of(user: User, agreement: IsfAgreement) -> Party:
    """Which party the signed-in user confirms for, or NotAllowed."""
    if user.role == Role.FINANCE_OFFICER:
        return Party.COUNCIL
    if user.role == Role.PROVIDER_STAFF and user.organisation_id == agreement.organisation_id:
        return Party.PROVIDER
    if (
        user.role == Role.RECIPIENT
        and db.session.execute(
            select(AccountAccess.id).where(
                AccountAccess.user_id == user.id,
                AccountAccess.account_id == agreement.account_id,
                AccountAccess.is_current.is_(True),
            )
        ).first()
    ):
        return Party.PERSON
    raise NotAllowed("only the person, a finance officer or the provider confirms")


def party_or_none(user: User, agreement: IsfAgreement) -> Party | None:
    try:
        return party_of(user, agreement)
    except NotAllowed:
        return None


def waiting_version(agreement: IsfAgreement) -> IsfAgreementVersion | None:
    return next((v for v in agreement.versions if v.status == VersionStatus.AWAITING), None)


def confirm(agreement: IsfAgreement, *, actor: User) -> IsfAgreementVersion:
    """The signed-in user confirms the waiting version for their party (name, time and
    account recorded); the last of the three makes it active."""
    party = party_of(actor, agreement)
    version = waiting_version(agreement)
    if version is None:
        raise RuleError("There is no version of this agreement waiting for confirmation")
    confirmed = {c.party for c in version.confirmations}
    check_can_confirm(version, party, confirmed)
    version.confirmations.append(
        IsfConfirmation(version_id=version.id, party=party, user_id=actor.id, name=actor.full_name)
    )
    db.session.flush()
    audit.record(
        actor,
        "isf.agreement_confirmed",
        version,
        account_id=agreement.account_id,
        summary=f"{actor.full_name} confirmed version {version.version} for {party.label.lower()}",
        after={"party": str(party), "version": version.version},
    )
    if all_confirmed(confirmed | {str(party)}):
        _activate(agreement, version, actor)
    return version


def _activate(agreement: IsfAgreement, version: IsfAgreementVersion, actor: User) -> None:
    for older in agreement.versions:
        if older.status == VersionStatus.ACTIVE:
            move_version(older, VersionStatus.SUPERSEDED)
    db.session.flush()  # one version in force at a time (a unique index)
    move_version(version, VersionStatus.ACTIVE)
    # The action payment runs read to know they are out of date (payments/run_review.py).
    audit.record(
        actor,
        "isf.agreement_activated",
        version,
        account_id=agreement.account_id,
        summary=f"ISF agreement version {version.version} with {agreement.provider.name} "
        "confirmed by all three parties: in force",
        after={"version": version.version, "payment_basis": version.payment_basis},
    )


def withdraw_waiting(agreement: IsfAgreement, *, actor: User) -> None:
    """A finance officer withdraws a version that has not been confirmed by all three."""
    version = waiting_version(agreement)
    if version is None:
        raise RuleError("There is no version of this agreement waiting for confirmation")
    move_version(version, VersionStatus.WITHDRAWN)
    audit.record(
        actor,
        "isf.agreement_withdrawn",
        version,
        account_id=agreement.account_id,
        summary=f"ISF agreement version {version.version} withdrawn before it started",
    )
