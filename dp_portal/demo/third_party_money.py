"""Demo client money: the money management service's staff, a sub-ledger for each person whose
money it manages, the month before last reconciled and signed off, and last month open: its
pooled account statement imported and posted to the sub-ledgers (through the statement import
staff use), with one line no client's ledger holds (bank interest) listed and explained; and
the service's fee policy.

Needs: the demo organisations and accounts (build_demo), some of them managed by the money
management service. Makes: two staff logins (ORGANISATION_LOGINS in third_party_orgs.py, the
demo password), sub-ledger lines, two reconciliations. Running it again changes nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ..accounts.models import Account
from ..auth.models import Role, User
from ..auth.services import hash_password
from ..client_money import ledger, pooled_import, pooled_posting, reconcile
from ..client_money.reconciliation import month_end
from ..core.money import from_pence
from ..core.permissions import Viewer
from ..core.types import utcnow
from ..extensions import db
from ..third_party.models import Mandate, Organisation
from ..third_party.money_models import ClientPosting, PostingKind
from ..third_party.money_statement_models import FeePolicy
from .third_party_orgs import ORGANISATION_LOGINS
from .users import DEMO_PASSWORD

# The money management service's own logins (made by the organisations demo; made here
# only when that has not run): the administrator prepares, the staff member checks.
STAFF = [
    (ORGANISATION_LOGINS[0][1], "Morven Money-Manager"),
    (ORGANISATION_LOGINS[1][1], "Niall Second-Checker"),
]
CLIENTS = 40  # sub-ledgers made (the rest of the service's clients start empty)


def demo_client_money(today: date, seed: int = 1) -> None:
    """Add the demo client money to the current transaction (the caller commits)."""
    org = db.session.execute(
        select(Organisation).where(Organisation.kind == "money_management").limit(1)
    ).scalar()
    if org is None or _already_there(org.id):
        return
    preparer, checker = _staff(org.id)
    rng = random.Random(seed)  # noqa: S311 - deterministic demo data, not security
    signed = _month_before(_month_before(today.replace(day=1)))
    open_month = _month_before(today.replace(day=1))
    clients = _clients(org.id, today)
    statement_rows = []
    for account_id in clients:
        statement_rows += _lines(rng, org.id, account_id, signed, open_month, preparer)
    viewer = Viewer(preparer, today)
    first = reconcile.start_month(viewer, signed.isoformat())
    reconcile.enter_closing(viewer, first, _ledger_total(org.id, month_end(signed)))
    reconcile.send_for_sign_off(viewer, first)
    reconcile.sign_off(Viewer(checker, today), first)
    # Last month's statement, imported and posted as staff do; the bank paid a little
    # interest on the pooled account that no client's ledger holds.
    statement_rows.append((month_end(open_month), "GROSS INTEREST", Decimal("3.17")))
    _import_statement(viewer, statement_rows)
    second = reconcile.start_month(viewer, open_month.isoformat())
    reconcile.enter_closing(
        viewer, second, _ledger_total(org.id, month_end(open_month)) + Decimal("3.17")
    )
    for item in reconcile.differences(second):
        reconcile.explain(
            viewer,
            second,
            item.id,
            "Bank interest on the pooled account: shared out to clients next month",
        )
    _fee_policy(org.id, signed)


def _already_there(org_id: int) -> bool:
    query = select(ClientPosting.id).where(ClientPosting.organisation_id == org_id).limit(1)
    return db.session.execute(query).first() is not None


def _staff(org_id: int) -> list[User]:
    users = []
    for email, name in STAFF:
        user = db.session.execute(select(User).where(User.email == email)).scalar()
        if user is None:
            user = User(
                email=email,
                full_name=name,
                role=str(Role.BROKERAGE_STAFF),
                organisation_id=org_id,
                password_hash=hash_password(DEMO_PASSWORD),
                password_changed_at=utcnow(),
            )
            db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


def _clients(org_id: int, today: date) -> list[int]:
    return list(
        db.session.execute(
            select(Mandate.account_id)
            .where(
                Mandate.organisation_id == org_id,
                Mandate.scope == "manage_money",
                Mandate.current_on(today),
            )
            .order_by(Mandate.account_id)
            .limit(CLIENTS)
        ).scalars()
    )


def _lines(rng, org_id: int, account_id: int, first: date, second: date, actor) -> list:
    """The first month's lines posted by hand; the second month's as bank statement rows
    (day, description showing the client's reference, signed amount)."""
    balance = ledger.balance_for(org_id, account_id)
    reference = db.session.get(Account, account_id).reference
    rows = []
    for month in (first, second):
        income = Decimal(rng.randrange(80_000, 160_000)).scaleb(-2)
        wages = (income * Decimal("0.7")).quantize(Decimal("0.01"))
        hmrc = (income * Decimal("0.08")).quantize(Decimal("0.01"))
        if month == second:
            rows += [
                (month.replace(day=1), f"{reference} CONTRIBUTION", income),
                (month.replace(day=22), f"HMRC PAYE {reference}", -hmrc),
                (month.replace(day=25), f"{reference} PA WAGES", -wages),
            ]
            continue
        for kind, amount, day, words in (
            (PostingKind.CONTRIBUTION, income, 1, "Paid in by the person"),
            (PostingKind.PA_WAGES, wages, 25, "PA wages, monthly payroll"),
            (PostingKind.HMRC, hmrc, 22, "HMRC PAYE and NI"),
            (PostingKind.FEE, Decimal("11.50"), 28, "Money management fee"),
        ):
            entry = ledger.Entry(kind, amount, month.replace(day=day), words)
            ledger.post(balance, entry, actor=actor)
    return rows


def _import_statement(viewer: Viewer, rows: list) -> None:
    lines = ["Date,Description,Amount"] + [
        f"{day:%d/%m/%Y},{text},{amount:.2f}" for day, text, amount in sorted(rows)
    ]
    done = pooled_import.import_statement(
        viewer,
        data=("\r\n".join(lines) + "\r\n").encode(),
        filename="pooled-account.csv",
    )
    if len(rows) > 1:  # a small demo may have no client yet: only the interest line
        pooled_posting.post_statement(viewer, done.row.id)


def _fee_policy(org_id: int, start: date) -> None:
    """The service's fee, as a council finance officer set it: £11.50 a client a month."""
    officer = db.session.execute(
        select(User).where(User.role == str(Role.FINANCE_OFFICER)).order_by(User.id).limit(1)
    ).scalar()
    if officer is not None:
        db.session.add(
            FeePolicy(
                organisation_id=org_id,
                effective_from=start,
                amount_pence=1150,
                per="month",
                set_by_id=officer.id,
            )
        )


def _ledger_total(org_id: int, day: date) -> Decimal:
    pence = db.session.execute(
        select(func.coalesce(func.sum(ClientPosting.amount_pence), 0)).where(
            ClientPosting.organisation_id == org_id, ClientPosting.entry_date <= day
        )
    ).scalar_one()
    return from_pence(int(pence))


def _month_before(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)
