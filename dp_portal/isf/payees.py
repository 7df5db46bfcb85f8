"""Where a payment run pays an account under an ISF agreement (issue 14), registered with
payments.hooks so that the run code stays one (payments never imports isf).

As a "manage the money" mandate sends the run's payment to the organisation's pooled client
account, an agreement in force on the period's first day sends it to the provider's approved
bank account (the four-eyes one, third_party's PooledAccountChange), 4-weekly in advance,
when the provider is paid on the schedule (planned hours x agreed rate: the funded budget
lines priced at the provider's rates) or holds the budget. When the provider is paid on its
invoices instead, the run withholds the scheduled payment and says why (part B pays those).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select

from ..accounts.models import Account
from ..extensions import db
from ..payments.hooks import Redirect, redirects_payees
from ..third_party.models import Mandate, Organisation
from . import invoice_payments
from .agreements import PaymentBasis
from .models import IsfAgreement, IsfAgreementVersion

ON_INVOICE = "Paid to {name} on its invoices of delivered hours (individual service fund)"
NO_ACCOUNT = "{name} has no approved bank account: the provider cannot be paid yet"
BOTH = (
    "An individual service fund agreement and a money management mandate are both in force: "
    "end one of them before the money is paid"
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
    # Approved invoices and agreed corrections not yet paid (part B): paid instead.
    found.update(invoice_payments.due(period_start))
    return found
