"""The demo recipient's bank statement for their current return period, imported as a person
would import it (a Windows-1252 CSV with account details above the columns): the council's
payments in the period matched, wages, HMRC and pension classified, so that the return form
opens filled. Needs build_demo (the demo recipient and their account, with payments from the
committed runs if any); makes one statement import and its lines."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..accounts.models import Account, AccountAccess
from ..auth.models import User
from ..core.money import from_pence
from ..extensions import db
from ..monitoring import statement_services
from ..monitoring.tiers import periods_for
from ..payments.ledger_models import Payment

RECIPIENT = "recipient@demo.glenarden.example"


def _statement(account: Account, start: date, today: date) -> bytes:
    paid = db.session.execute(
        select(Payment.pay_date, Payment.amount_pence).where(
            Payment.account_id == account.id,
            Payment.pay_date >= start,
            Payment.pay_date <= today,
        )
    ).all()
    rows = [(day, f"GLENARDEN COUNCIL DP {account.reference}", from_pence(p)) for day, p in paid]
    for week in range(0, max(1, (today - start).days // 7)):
        rows.append((start + timedelta(days=7 * week + 4), "A CARER WAGES", Decimal("-240.00")))
    rows.append((start + timedelta(days=19), "HMRC CUMBERNAULD PAYE", Decimal("-61.20")))
    rows.append((start + timedelta(days=25), "NEST PENSION", Decimal("-14.40")))
    lines = ["Account Name:,Direct payment account", "", "Date,Description,Paid out,Paid in"]
    for day, text, amount in sorted(row for row in rows if row[0] <= today):
        out, paid_in = (f"£{-amount:,.2f}", "") if amount < 0 else ("", f"£{amount:,.2f}")
        lines.append(f'{day:%d %b %Y},{text},"{out}","{paid_in}"')
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def demo_statements(today: date) -> int:
    """Import the demo recipient's statement; the number of lines (0 if there is no demo
    recipient). Adds to the current transaction (the caller commits)."""
    recipient = db.session.execute(select(User).where(User.email == RECIPIENT)).scalar()
    if recipient is None:
        return 0
    account = db.session.execute(
        select(Account)
        .join(AccountAccess, AccountAccess.account_id == Account.id)
        .where(AccountAccess.user_id == recipient.id, AccountAccess.capacity == "person")
        .limit(1)
    ).scalar()
    periods = periods_for(account, today) if account is not None else []
    if not periods:
        return 0
    done = statement_services.import_statement(
        account,
        data=_statement(account, periods[-1].start, today),
        filename="statement.csv",
        actor=recipient,
    )
    return done.row.line_count
