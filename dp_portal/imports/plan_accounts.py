"""Accounts in a dry run: matched on the case-management system's reference for the support
arrangement (remembered when an import first creates or links the account), or on the
portal's own reference (DP000123); checked with the account form; compared with what we hold.
Reads only."""

from __future__ import annotations

import re

from sqlalchemy import select

from ..accounts.models import Account
from ..accounts.services import ACCOUNT_FIELDS
from ..extensions import db
from .fields import Kind
from .models import ImportReference
from .plan import Context, Ref, Rows, chunks, differences, keyed_rows, reference
from .plan_people import as_text, held, people_for
from .plan_people import no_person as _no_person
from .report import Action
from .rows import RowReader

_REFERENCE = re.compile(r"[A-Z0-9][A-Z0-9/_.-]{0,39}")
_PORTAL = re.compile(r"DP\d{6,}")


def accounts_for(ctx: Context, refs: set[str]) -> dict[str, Ref]:
    """The accounts these references name: those this import reads first, then those linked
    to a case-management reference, then those with the portal reference itself."""
    missing = sorted(refs - ctx.accounts.keys())
    for batch in chunks(missing):
        query = select(ImportReference.reference, Account).join(
            Account, Account.id == ImportReference.account_id
        )
        for ref, account in db.session.execute(query.where(ImportReference.reference.in_(batch))):
            ctx.accounts[ref] = Ref(obj=account)
    for batch in chunks(sorted(refs - ctx.accounts.keys())):
        for account in db.session.execute(
            select(Account).where(Account.reference.in_(batch))
        ).scalars():
            ctx.accounts[account.reference] = Ref(obj=account)
    return ctx.accounts


def _by_portal(refs: set[str]) -> dict[str, Account]:
    found = {}
    for batch in chunks(sorted(refs)):
        query = select(Account).where(Account.reference.in_(batch))
        found.update({a.reference: a for a in db.session.execute(query).scalars()})
    return found


def _matched(ctx: Context, number: int, key: str, cells: dict, portals: dict):
    """(the account we hold or None, whether the key must be linked to it), or None after
    reporting why the row cannot be matched."""
    kind = Kind.ACCOUNTS
    if not _REFERENCE.fullmatch(key):
        ctx.problem(kind, number, "account_reference", _bad_reference(key))
        return None
    known = ctx.accounts.get(key)
    account = known.obj if known else None
    portal = reference(cells.get("portal_reference"))
    if not portal:
        if account is None and _PORTAL.fullmatch(key):
            ctx.problem(kind, number, "account_reference", _no_such_portal(key))
            return None
        return account, False
    found = portals.get(portal)
    if found is None:
        ctx.problem(kind, number, "portal_reference", _no_such_portal(portal))
        return None
    if account is not None and account.id != found.id:
        ctx.problem(
            kind,
            number,
            "portal_reference",
            f"account reference {key} is {account.reference} already, not {portal}",
        )
        return None
    return found, account is None and key != found.reference


def _person(ctx: Context, number: int, cells: dict, account: Account | None) -> Ref | None:
    """The person a new account is for; for an account we hold, a check that the row names
    the same person (an import never moves an account to someone else)."""
    kind = Kind.ACCOUNTS
    client = reference(cells.get("client_reference"))
    if account is not None:
        if client and client != reference(account.person.client_reference):
            ctx.problem(
                kind,
                number,
                "client_reference",
                f"account {account.reference} is {account.person.client_reference}'s, not "
                f"{client}'s: an import cannot move an account to another person",
            )
            return None
        return Ref(obj=account.person)
    if not client:
        ctx.problem(
            kind,
            number,
            "client_reference",
            "Enter the client reference of the person a new account is for",
        )
        return None
    person = ctx.people.get(client)
    if person is None:
        ctx.problem(kind, number, "client_reference", _no_person(cells["client_reference"]))
    return person


def plan_accounts(ctx: Context, rows: Rows) -> None:
    kind = Kind.ACCOUNTS
    rows = keyed_rows(ctx, kind, rows, lambda cells: reference(cells["account_reference"]))
    accounts_for(ctx, {reference(c["account_reference"]) for _, c in rows})
    portals = _by_portal({reference(c.get("portal_reference")) for _, c in rows} - {""})
    people_for(ctx, {reference(c.get("client_reference")) for _, c in rows} - {""})
    reader = RowReader(kind)
    for number, cells in rows:
        key = reference(cells["account_reference"])
        ctx.accounts.setdefault(key, Ref(row=number))  # later rows name it without more noise
        matched = _matched(ctx, number, key, cells, portals)
        person = _person(ctx, number, cells, matched[0]) if matched else None
        account, link = matched if matched else (None, False)
        before = held(account, ACCOUNT_FIELDS) if account else None
        read = reader.read(cells, before)
        for name, message in read.problems:
            ctx.problem(kind, number, name, message)
        if read.problems or matched is None or person is None:
            continue
        data = {name: read.data[name] for name in ACCOUNT_FIELDS}
        facts = {"start_date": data["start_date"], "sds_option": data["sds_option"]}
        if account is None:
            ctx.accounts[key] = Ref(row=number, facts=facts)
            ctx.outcome(kind, number, key, Action.CREATE)
            ctx.step(kind, Action.CREATE, number, person, data, key)
            continue
        # Later rows (a budget) are judged by the account as this row leaves it.
        target = Ref(obj=account, facts=facts)
        ctx.accounts[key] = ctx.accounts[account.reference] = target
        changes = differences(kind, before, as_text(data, ACCOUNT_FIELDS))
        if link:
            changes.append(("case-management reference", "", key))
        if not changes:
            ctx.outcome(kind, number, key, Action.UNCHANGED)
            continue
        ctx.outcome(kind, number, key, Action.UPDATE, changes)
        ctx.step(kind, Action.UPDATE, number, target, data, key if link else "")


def _bad_reference(key: str) -> str:
    return (
        f"account reference {key} is not a reference we can use: up to 40 letters, numbers "
        "and / _ . -"
    )


def _no_such_portal(key: str) -> str:
    return (
        f"no account has the portal reference {key}: give the case-management system's "
        "reference for a new account"
    )
