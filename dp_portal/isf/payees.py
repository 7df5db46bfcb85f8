"""Where a payment run pays an account under an ISF agreement (issue 14), registered with
payments.hooks so that the run code stays one (payments never imports isf).

As a "manage the money" mandate sends the run's payment to the organisation's pooled client
account, an agreement in force on the period's first day sends it to the provider's approved
bank account (the four-eyes one, third_party's PooledAccountChange), 4-weekly in advance,
when the provider is paid on the schedule (planned hours x agreed rate: the funded budget
lines priced at the provider's rates) or holds the budget. When the provider is paid on its
invoices instead, the run withholds the scheduled payment and says why (part B pays those).
After an agreement's last day, a period it would have paid is withheld with the reason while
the budget it funded is still the account's (ended_before): never paid to the person instead.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from ..accounts.models import Account
from ..extensions import db
from ..payments.hooks import Redirect, redirects_payees
from ..payments.lifecycles import BudgetStatus
from ..payments.models import Budget
from ..third_party.models import Mandate, Organisation
from . import invoice_payments
from .agreements import PaymentBasis, VersionStatus
from .models import IsfAgreement, IsfAgreementVersion

ON_INVOICE = "Paid to {name} on its invoices of delivered hours (individual service fund)"
NO_ACCOUNT = "{name} has no approved bank account: the provider cannot be paid yet"
BOTH = (
    "An individual service fund agreement and a money management mandate are both in force: "
    "end one of them before the money is paid"
)
ENDED = (
    "The individual service fund agreement with {name} ended on {day}: nothing is paid for "
    "its support after that. Approve a new budget, or a new agreement, to pay again"
)
NOT_OPTION_2 = (
    "Scheduled payment to {name} needs an Option 2 account: on an Option 4 account the "
    "person's own part would go to the provider too"
)


def redirect_for(row) -> Redirect:
    """Where one account's money goes, or why it is withheld."""
    basis, option, managed, name, payee, sort_code, number = row
    if managed:
        return BOTH
    if basis == PaymentBasis.INVOICE:
        return ON_INVOICE.format(name=name)
    if option != 2:
        return NOT_OPTION_2.format(name=name)
    if not sort_code:
        return NO_ACCOUNT.format(name=name)
    return (payee, sort_code, number)


@redirects_payees
def isf_payees(period_start: date) -> dict[int, Redirect]:
    managed = exists().where(
        Mandate.account_id == IsfAgreement.account_id,
        Mandate.scope == "manage_money",
        Mandate.current_on(period_start),
    )
    rows = db.session.execute(
        select(
            IsfAgreement.account_id,
            IsfAgreementVersion.payment_basis,
            Account.sds_option,
            managed,
            Organisation.name,
            Organisation.pooled_payee_name,
            Organisation.pooled_sort_code,
            Organisation.pooled_account_number,
        )
        .join(IsfAgreementVersion, IsfAgreementVersion.agreement_id == IsfAgreement.id)
        .join(Account, Account.id == IsfAgreement.account_id)
        .join(Organisation, Organisation.id == IsfAgreement.organisation_id)
        .where(IsfAgreementVersion.in_force_on(period_start))
    )
    found = {account_id: redirect_for(rest) for account_id, *rest in rows}
    for account_id, reason in ended_before(period_start).items():
        found.setdefault(account_id, reason)
    # Approved invoices and agreed corrections not yet paid (part B): paid instead.
    found.update(invoice_payments.due(period_start))
    return found


def ended_before(period_start: date) -> dict[int, str]:
    """Accounts whose agreement ended before the period starts and whose budget is still the
    one it funded: withheld, so that the provider's hours are neither paid to the provider
    after the agreement's last day nor paid to the person instead. A newer approved budget
    (the person's support arranged another way) lifts it."""
    funded, newer = aliased(Budget), aliased(Budget)
    replaced = exists().where(
        newer.account_id == funded.account_id,
        newer.status == BudgetStatus.APPROVED,
        newer.version > funded.version,
        newer.effective_from <= period_start,
    )
    rows = db.session.execute(
        select(IsfAgreement.account_id, Organisation.name, IsfAgreementVersion.ends_on)
        .join(IsfAgreementVersion, IsfAgreementVersion.agreement_id == IsfAgreement.id)
        .join(Organisation, Organisation.id == IsfAgreement.organisation_id)
        .join(funded, funded.id == IsfAgreementVersion.budget_id)
        .where(
            IsfAgreementVersion.status == VersionStatus.ENDED,
            IsfAgreementVersion.ends_on < period_start,
            ~replaced,
        )
    )
    return {
        account_id: ENDED.format(name=name, day=f"{last_day.day} {last_day:%B %Y}")
        for account_id, name, last_day in rows
    }
