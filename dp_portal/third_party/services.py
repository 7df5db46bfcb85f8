"""Organisations and their mandates to act on an account. Never commits."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from ..core import audit
from ..extensions import db
from .models import Mandate, MandateStatus, Organisation
from .organisations import move_mandate

ORGANISATION_FIELDS = ["name", "kind", "email", "phone", "address_line_1", "town", "postcode"]
MANDATE_FIELDS = ["organisation_id", "scope", "starts_on", "ends_on", "consent_recorded_on"]


def organisations() -> list[Organisation]:
    return list(db.session.execute(select(Organisation).order_by(Organisation.name)).scalars())


def organisation_names(kinds: tuple[str, ...] | None = None) -> list[tuple[int, str]]:
    """(id, name) of every organisation, or of those of `kinds`, by name (for choices)."""
    query = select(Organisation.id, Organisation.name).order_by(Organisation.name)
    if kinds is not None:
        query = query.where(Organisation.kind.in_(kinds))
    return [(row.id, row.name) for row in db.session.execute(query)]


# Organisations that may hold a mandate to manage someone's money (providers are paid, not
# trusted with the budget).
MANAGING_KINDS = ("brokerage", "money_management")


def organisation_name_taken(name: str) -> bool:
    query = select(Organisation.id).where(func.lower(Organisation.name) == name.strip().lower())
    return db.session.execute(query.limit(1)).first() is not None


def create_organisation(data: dict[str, Any], *, actor) -> Organisation:
    org = Organisation(**{k: data.get(k) for k in ORGANISATION_FIELDS})
    db.session.add(org)
    audit.record(
        actor,
        "organisation.created",
        org,
        summary=f"Added {org.name}",
        after=audit.snapshot(org, ORGANISATION_FIELDS),
    )
    return org


def mandates_for_account(account_id: int) -> list[Mandate]:
    return list(
        db.session.execute(
            select(Mandate).where(Mandate.account_id == account_id).order_by(Mandate.starts_on)
        ).scalars()
    )


def current_organisations_for_account(account_id: int, today: date) -> list[Organisation]:
    return list(
        db.session.execute(
            select(Organisation)
            .join(Mandate, Mandate.organisation_id == Organisation.id)
            .where(Mandate.account_id == account_id, Mandate.current_on(today))
            .order_by(Organisation.name)
            .distinct()
        ).scalars()
    )


def add_mandate(account_id: int, data: dict[str, Any], *, actor) -> Mandate:
    mandate = Mandate(account_id=account_id, **{k: data.get(k) for k in MANDATE_FIELDS})
    db.session.add(mandate)
    audit.record(
        actor,
        "mandate.added",
        mandate,
        account_id=account_id,
        summary="Organisation given a mandate for the account",
        after=audit.snapshot(mandate, MANDATE_FIELDS),
    )
    return mandate


def withdraw_mandate(mandate: Mandate, *, actor) -> None:
    """End a mandate now: the organisation loses access at once. The row stays as history."""
    if mandate.status == MandateStatus.WITHDRAWN:
        return
    move_mandate(mandate, MandateStatus.WITHDRAWN)
    audit.record(
        actor,
        "mandate.withdrawn",
        mandate,
        account_id=mandate.account_id,
        summary=f"Mandate for {mandate.organisation.name} withdrawn",
        before={"withdrawn_at": None},
        after={"withdrawn_at": mandate.withdrawn_at.isoformat()},
    )
