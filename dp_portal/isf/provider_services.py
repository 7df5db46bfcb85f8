"""Care providers as the council sets them up (issue 14): an organisation of the provider
kind (third_party) with contacts, the services it offers, its bank account through the
pooled-account four-eyes flow (third_party.org_services: a second finance officer
approves), its agreed rates per service type (payments.services.add_provider_rate), and its
staff, invited as organisation staff are. Loading is scope.py's. Never commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..auth import services as auth_services
from ..auth.models import Role, User
from ..core import audit
from ..core.bank_numbers import NeedsConfirmation
from ..core.errors import RuleError
from ..core.modulus import ModulusTables
from ..extensions import db
from ..payments.rate_models import ProviderRate
from ..payments.rates import ServiceType
from ..third_party import org_services
from ..third_party.models import Organisation, PooledAccountChange
from .models import IsfAgreement, ProviderContact, ProviderService


@dataclass(frozen=True)
class ProviderRow:
    org: Organisation
    services: list[str]
    agreements: int
    has_bank_account: bool


def providers() -> list[ProviderRow]:
    """Every care provider, with what it offers and how many agreements it has."""
    orgs = db.session.execute(
        select(Organisation).where(Organisation.kind == "provider").order_by(Organisation.name)
    ).scalars()
    counts = dict(
        db.session.execute(
            select(IsfAgreement.organisation_id, func.count()).group_by(
                IsfAgreement.organisation_id
            )
        ).all()
    )
    offered: dict[int, list[str]] = {}
    for org_id, service in db.session.execute(
        select(ProviderService.organisation_id, ProviderService.service_type).order_by(
            ProviderService.service_type
        )
    ):
        offered.setdefault(org_id, []).append(ServiceType(service).label)
    return [
        ProviderRow(org, offered.get(org.id, []), counts.get(org.id, 0), bool(org.pooled_sort_code))
        for org in orgs
    ]


@dataclass(frozen=True)
class ProviderPage:
    contacts: list[ProviderContact]
    services: list[ProviderService]
    rates: list[ProviderRate]
    staff: list[User]
    pending_bank_change: PooledAccountChange | None


def provider_page(org: Organisation) -> ProviderPage:
    contacts = db.session.execute(
        select(ProviderContact)
        .where(ProviderContact.organisation_id == org.id)
        .order_by(ProviderContact.name)
    ).scalars()
    services = db.session.execute(
        select(ProviderService)
        .where(ProviderService.organisation_id == org.id)
        .order_by(ProviderService.service_type)
    ).scalars()
    rates = db.session.execute(
        select(ProviderRate)
        .where(ProviderRate.organisation_id == org.id)
        .order_by(ProviderRate.service_type, ProviderRate.effective_from.desc(), ProviderRate.id)
    ).scalars()
    staff = db.session.execute(
        select(User)
        .where(User.organisation_id == org.id, User.role == Role.PROVIDER_STAFF)
        .order_by(User.full_name)
    ).scalars()
    return ProviderPage(
        list(contacts),
        list(services),
        list(rates),
        list(staff),
        org_services.pending_change(org.id),
    )


def add_contact(org: Organisation, data: dict, *, actor: User) -> ProviderContact:
    contact = ProviderContact(
        organisation_id=org.id,
        name=data["name"],
        job_title=data.get("job_title") or "",
        email=data.get("email") or None,
        phone=data.get("phone") or None,
    )
    db.session.add(contact)
    audit.record(
        actor,
        "provider.contact_added",
        org,
        summary=f"Contact {contact.name} added to {org.name}",
        after={"name": contact.name, "job_title": contact.job_title},
    )
    return contact


def set_services(org: Organisation, chosen: list[str], description: str, *, actor: User) -> None:
    """The kinds of support the provider offers: those chosen, no others."""
    if not chosen:
        raise RuleError("Choose at least one kind of support the provider offers")
    wanted = {str(ServiceType(s)) for s in chosen}
    current = {
        s.service_type: s
        for s in db.session.execute(
            select(ProviderService).where(ProviderService.organisation_id == org.id)
        ).scalars()
    }
    for service, row in current.items():
        if service not in wanted:
            db.session.delete(row)
    for service in wanted - set(current):
        db.session.add(
            ProviderService(
                organisation_id=org.id,
                service_type=service,
                description=description,
                added_by_id=actor.id,
            )
        )
    if set(current) != wanted:
        audit.record(
            actor,
            "provider.services_changed",
            org,
            summary=f"{org.name} offers: " + ", ".join(sorted(wanted)),
            before={"services": sorted(current)},
            after={"services": sorted(wanted)},
        )


def invite_staff(org: Organisation, email: str, full_name: str, *, actor: User) -> User:
    """A member of the provider's staff, invited by email (auth's invitation flow): they see
    the provider's people while an agreement is in force, and confirm agreements for it."""
    if auth_services.find_user_by_email(email) is not None:
        raise RuleError("Someone with this email address already uses the portal")
    user = auth_services.invite_user(
        email=email,
        full_name=full_name,
        role=Role.PROVIDER_STAFF,
        organisation_id=org.id,
        actor=actor,
    )
    audit.record(
        actor,
        "provider.staff_invited",
        org,
        summary=f"{full_name} invited to {org.name}",
        after={"email": user.email},
    )
    return user


def request_bank_account(
    org: Organisation,
    proposed: org_services.ProposedAccount,
    *,
    confirmed: str,
    tables: ModulusTables | None,
    actor: User,
) -> PooledAccountChange | NeedsConfirmation | None:
    """The provider's bank account, asked for by a finance officer and approved by another
    (the organisation's four-eyes flow, reused: the run pays it only once approved)."""
    if org.kind != "provider":
        raise RuleError(f"{org.name} is not a care provider")
    return org_services.request_pooled_change(
        org, proposed, confirmed=confirmed, tables=tables, actor=actor
    )
