"""Mandates as the account sees them: recording one with the person's consent, and the
person's own confirmation on screen. The mandate rules are third_party's; this module adds
what only the account knows (its representatives, and whether the person has a login of
their own). Never commits."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from ..auth.models import User
from ..core.errors import NotAllowed, RuleError
from ..extensions import db
from ..third_party import services as third_party
from ..third_party.models import Mandate, MandateStatus
from .models import Account, AccountAccess


def representatives(account: Account) -> list[tuple[int, str]]:
    return [(rep.id, rep.full_name) for rep in account.person.representatives]


def _own_login(account_id: int, user_id: int | None = None):
    query = select(AccountAccess.user_id).where(
        AccountAccess.account_id == account_id,
        AccountAccess.capacity == "person",
        AccountAccess.is_current.is_(True),
    )
    if user_id is not None:
        query = query.where(AccountAccess.user_id == user_id)
    return db.session.execute(query.limit(1)).first()


def add_mandate(
    account: Account,
    data: dict[str, Any],
    *,
    consent_file: third_party.ConsentFile | None,
    actor: User,
) -> Mandate:
    """`data["consent_given_by"]` is "person" or a representative's id (as text)."""
    given_by = data.pop("consent_given_by", "person") or "person"
    data["consent_given_by"], data["consent_representative_id"] = "person", None
    if data["consent_method"] == "on_screen":
        if _own_login(account.id) is None:
            raise RuleError(
                "The person has no login of their own, so they cannot confirm on screen. "
                "Give them online access first, or upload a signed consent form"
            )
    elif given_by != "person":
        if not given_by.isdigit() or int(given_by) not in dict(representatives(account)):
            raise RuleError("Choose who signed the consent form")
        data["consent_given_by"], data["consent_representative_id"] = (
            "representative",
            int(given_by),
        )
    return third_party.add_mandate(account.id, data, consent_file=consent_file, actor=actor)


def confirm_consent(mandate: Mandate, *, actor: User, today: date) -> None:
    """Only the person, signed in as themselves, confirms: a representative's consent is a
    signed form."""
    if _own_login(mandate.account_id, actor.id) is None:
        raise NotAllowed("only the person's own login confirms a mandate")
    if mandate.status != MandateStatus.AWAITING_CONSENT:
        raise RuleError("This mandate does not need your confirmation")
    third_party.confirm_consent(mandate, actor=actor, today=today)
