"""Organisations and their mandates to act on an account. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select

from ..core import audit
from ..core.errors import NotFound, RuleError
from ..core.permissions import Viewer
from ..core.storage import key_in
from ..core.tasks import Group, Task
from ..core.types import utcnow
from ..core.uploads import MAX_EVIDENCE_BYTES, Accept, UploadError, check_upload, store
from ..extensions import db
from .models import (
    ConsentMethod,
    Mandate,
    MandateScope,
    MandateStatus,
    Organisation,
    PooledAccountChange,
)
from .money_models import PooledReconciliation
from .organisations import (
    ACTING_KINDS,
    PooledChangeStatus,
    check_mandate_organisation,
    move_mandate,
)

ORGANISATION_FIELDS = ["name", "kind", "email", "phone", "address_line_1", "town", "postcode"]
MANDATE_FIELDS = [
    "organisation_id",
    "scope",
    "starts_on",
    "ends_on",
    "consent_method",
    "consent_given_by",
    "consent_representative_id",
    "consent_recorded_on",
    "letters_to_organisation",
]


def organisations() -> list[Organisation]:
    return list(db.session.execute(select(Organisation).order_by(Organisation.name)).scalars())


def organisation_names(kinds: tuple[str, ...] | None = None) -> list[tuple[int, str]]:
    """(id, name) of every organisation, or of those of `kinds`, by name (for choices)."""
    query = select(Organisation.id, Organisation.name).order_by(Organisation.name)
    if kinds is not None:
        query = query.where(Organisation.kind.in_(kinds))
    return [(row.id, row.name) for row in db.session.execute(query)]


# Organisations that may hold a mandate (providers are paid, not trusted with the budget).
MANAGING_KINDS = ACTING_KINDS


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


@dataclass(frozen=True)
class ConsentFile:
    """A signed consent form, as uploaded (checked by core/uploads before it is stored)."""

    filename: str | None
    data: bytes


CONSENT_FORM = Accept(
    ("pdf", "png", "jpeg"), "a PDF or a photo (JPEG or PNG)", MAX_EVIDENCE_BYTES, "consent form"
)


def _overlapping_money_mandate(account_id: int, starts_on: date, ends_on: date | None) -> bool:
    """Another live "manage the money" mandate whose dates meet these: the council pays one
    organisation's pooled account at a time."""
    query = select(Mandate.id).where(
        Mandate.account_id == account_id,
        Mandate.scope == MandateScope.MANAGE_MONEY,
        Mandate.status != MandateStatus.WITHDRAWN,
        or_(Mandate.ends_on.is_(None), Mandate.ends_on >= starts_on),
    )
    if ends_on is not None:
        query = query.where(Mandate.starts_on <= ends_on)
    return db.session.execute(query.limit(1)).first() is not None


def add_mandate(
    account_id: int,
    data: dict[str, Any],
    *,
    consent_file: ConsentFile | None,
    actor,
) -> Mandate:
    """Record a mandate. With a signed form it has consent at once; on screen, it waits for
    the person to confirm with their own login (and gives no access until then)."""
    org = db.session.get(Organisation, data["organisation_id"])
    if org is None:
        raise RuleError("Choose the organisation")
    check_mandate_organisation(org, data["scope"])
    if data["scope"] == MandateScope.MANAGE_MONEY and _overlapping_money_mandate(
        account_id, data["starts_on"], data.get("ends_on")
    ):
        raise RuleError(
            "Another organisation already manages the money for some of these dates. "
            "Withdraw that mandate first, or start this one after it ends"
        )
    mandate = Mandate(
        account_id=account_id, recorded_by_id=actor.id, **{k: data.get(k) for k in MANDATE_FIELDS}
    )
    if data["consent_method"] == ConsentMethod.ON_SCREEN:
        mandate.status, mandate.consent_given_by = MandateStatus.AWAITING_CONSENT, "person"
        mandate.consent_recorded_on = mandate.consent_representative_id = None
    else:
        mandate.status = MandateStatus.CONSENTED
        _store_consent_form(mandate, consent_file)
    db.session.add(mandate)
    audit.record(
        actor,
        "mandate.added",
        mandate,
        account_id=account_id,
        summary=f"{org.name} given a mandate for the account ({mandate.scope_label.lower()})",
        after=audit.snapshot(mandate, [*MANDATE_FIELDS, "status", "consent_file_name"]),
    )
    return mandate


def _store_consent_form(mandate: Mandate, upload: ConsentFile | None) -> None:
    if upload is None:
        raise RuleError("Choose the signed consent form to upload")
    try:
        checked = check_upload(upload.data, upload.filename, CONSENT_FORM)
    except UploadError as exc:
        raise RuleError(f"The consent form was not added: {exc}") from exc
    stored = store(upload.data, Mandate.CONSENT_AREA, checked.kind)
    mandate.consent_file_name, mandate.consent_stored_name = checked.name, stored.stored_name
    mandate.consent_content_type, mandate.consent_sha256 = checked.kind.content_type, stored.sha256


def consent_form_key(mandate: Mandate) -> str:
    """Where the signed form is stored; NotFound when the mandate has none."""
    if not mandate.consent_stored_name:
        raise NotFound(f"consent form of mandate {mandate.id}")
    return key_in(Mandate.CONSENT_AREA, mandate.consent_stored_name)


def confirm_consent(mandate: Mandate, *, actor, today: date) -> None:
    """The person's own confirmation on screen: the mandate has consent from now, and is in
    force between its dates."""
    move_mandate(mandate, MandateStatus.CONSENTED)
    mandate.consent_recorded_on, mandate.consent_confirmed_at = today, utcnow()
    mandate.consent_confirmed_by_id = actor.id
    audit.record(
        actor,
        "mandate.consented",
        mandate,
        account_id=mandate.account_id,
        summary=f"The person confirmed on screen that {mandate.organisation.name} may act for them",
        after={"consent_confirmed_at": mandate.consent_confirmed_at.isoformat()},
    )


def awaiting_consent(account_ids: list[int]) -> list[Mandate]:
    """Mandates on these accounts waiting for the person's own confirmation."""
    if not account_ids:
        return []
    return list(
        db.session.execute(
            select(Mandate)
            .where(
                Mandate.account_id.in_(account_ids),
                Mandate.status == MandateStatus.AWAITING_CONSENT,
            )
            .order_by(Mandate.id)
        ).scalars()
    )


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


def mandate_counts(org_id: int, today: date) -> dict[str, int]:
    """How many accounts the organisation acts for today, by scope."""
    rows = db.session.execute(
        select(Mandate.scope, func.count(Mandate.account_id.distinct()))
        .where(Mandate.organisation_id == org_id, Mandate.current_on(today))
        .group_by(Mandate.scope)
    ).all()
    return {Mandate.SCOPE_LABELS[scope]: count for scope, count in rows}


def home_tasks(viewer: Viewer) -> list[Task]:
    """Organisations' part of a finance officer's home page: pooled client account changes
    waiting for a second officer, and pooled account months not signed off (their tables are
    this package's; client_money, which works them and which nothing imports, lists them on
    its overview)."""
    if viewer.role != "finance_officer":
        return []
    waiting = select(func.count()).where(PooledAccountChange.status == PooledChangeStatus.PENDING)
    months = select(func.count()).where(PooledReconciliation.status != "signed_off")
    return [
        Task(
            "Pooled client account changes waiting for a second officer",
            db.session.execute(waiting).scalar_one(),
            "third_party.pooled_changes_waiting",
            urgent=True,
            group=Group.PEOPLE,
        ),
        Task(
            "Client money reconciliations not signed off",
            db.session.execute(months).scalar_one(),
            "client_money.money_overview",
            group=Group.PEOPLE,
        ),
    ]
