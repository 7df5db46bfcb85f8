"""Client money use cases: a person's sub-ledger page, entering and correcting lines, and
posting the council's committed payments automatically. Rules are ledger.py's; access is
scope.py's. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..accounts.models import Account
from ..accounts.scope import Need, allows
from ..core.errors import RuleError
from ..core.permissions import Viewer
from ..extensions import db
from ..payments.hooks import on_run_committed
from ..third_party.models import Organisation
from ..third_party.money_models import ClientBalance, ClientPosting, PostingKind
from . import ledger, run_postings, scope

LINES_SHOWN = 200  # the newest lines on the page; the spreadsheet has them all


@dataclass(frozen=True)
class SubLedger:
    balance: ClientBalance
    organisation: Organisation
    lines: list[ClientPosting]
    corrected: set[int]  # ids of lines a correction names


@dataclass(frozen=True)
class LedgerPage:
    account: Account
    ledgers: list[SubLedger]
    can_post: bool
    organisation_name: str | None  # the reader's organisation (staff of one)


def ledger_page(viewer: Viewer, account_id: int) -> LedgerPage:
    account = scope.load_account(viewer, account_id)
    ledgers = []
    for balance in scope.visible_balances(viewer, account_id):
        lines = lines_of(balance.id, limit=LINES_SHOWN)
        corrected = {line.corrects_posting_id for line in lines if line.corrects_posting_id}
        ledgers.append(SubLedger(balance, balance.organisation, lines, corrected))
    org_id = scope.organisation_of(viewer)
    return LedgerPage(
        account=account,
        ledgers=ledgers,
        can_post=org_id is not None and allows(viewer, account_id, Need.CLIENT_MONEY),
        organisation_name=viewer.user.organisation.name if org_id is not None else None,
    )


def lines_of(balance_id: int, *, limit: int | None = None) -> list[ClientPosting]:
    query = (
        select(ClientPosting)
        .where(ClientPosting.balance_id == balance_id)
        .order_by(ClientPosting.entry_date.desc(), ClientPosting.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.execute(query).scalars())


def writable_account(viewer: Viewer, account_id: int) -> Account:
    """The account, if the viewer's organisation holds the person's money today."""
    return scope.load_account(viewer, account_id, Need.CLIENT_MONEY)


def enter(viewer: Viewer, account_id: int, data: dict[str, Any]) -> ClientPosting:
    """A line staff enter on the form: money in or out of the person's sub-ledger."""
    account = writable_account(viewer, account_id)
    kind = PostingKind(data["kind"])
    if kind == PostingKind.FEE:
        raise RuleError("The fee is taken by itself, from the fee the council set")
    if kind in (PostingKind.COUNCIL_PAYMENT, PostingKind.ADJUSTMENT):
        raise RuleError("Choose what the money was for")
    org_id = scope.own_organisation(viewer)
    balance = ledger.balance_for(org_id, account.id)
    entry = ledger.Entry(kind, data["amount"], data["entry_date"], data["description"])
    return ledger.post(balance, entry, actor=viewer.user)


def correct(
    viewer: Viewer, account_id: int, posting_id: int, data: dict[str, Any]
) -> ClientPosting:
    """An adjusting entry, dated in an open month, that names the line it corrects."""
    writable_account(viewer, account_id)
    original = scope.load_posting(viewer, account_id, posting_id, Need.CLIENT_MONEY)
    balance = db.session.get(ClientBalance, original.balance_id)
    entry = ledger.correct(
        balance, original, data["amount"], data["entry_date"], data["description"]
    )
    return ledger.post(balance, entry, actor=viewer.user, corrects=original)


def posting_for_correction(viewer: Viewer, account_id: int, posting_id: int) -> ClientPosting:
    writable_account(viewer, account_id)
    return scope.load_posting(viewer, account_id, posting_id, Need.CLIENT_MONEY)


# --- Council payments, posted when a run commits ---------------------------------------------


@on_run_committed
def post_committed_run(run_id: int) -> int:
    """Post each of the run's payments to the sub-ledger of the organisation that manages the
    person's money on the pay date, in the run's transaction (run_postings.py). Returns how
    many were posted."""
    return run_postings.post_run(run_id)


def kinds_for_form() -> list[tuple[str, str]]:
    """What staff may enter by hand (council payments and the fee post themselves;
    corrections are made from the line they correct)."""
    return [
        (kind.value, kind.label)
        for kind in PostingKind
        if kind not in (PostingKind.COUNCIL_PAYMENT, PostingKind.FEE, PostingKind.ADJUSTMENT)
    ]
