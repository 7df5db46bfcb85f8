"""The organisation's fee policy: council finance officers and administrators set it (a new
policy from a date, never an edit), and the organisation's staff see it with the fees that
could not be taken (fees.py charges them). Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..core import audit
from ..core.errors import NotFound, RuleError
from ..core.money import format_money, to_pence
from ..core.permissions import Viewer
from ..extensions import db
from ..third_party.models import Organisation
from ..third_party.money_statement_models import FEE_PERIODS, FeeCharge, FeePolicy
from . import scope

MONEY_KINDS = ("money_management", "brokerage", "independent_support")


@dataclass(frozen=True)
class FeePage:
    organisation: Organisation
    policies: list[FeePolicy]  # newest first
    in_force: FeePolicy | None
    refused: list[FeeCharge]  # fees not taken: the balance was too low


def _organisation(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None or org.kind not in MONEY_KINDS:
        raise NotFound(f"organisation {org_id}")
    return org


def fee_page(viewer: Viewer, org_id: int | None = None) -> FeePage:
    """An organisation's fee policy: council staff name it; its own staff see their own."""
    org = _organisation(org_id if org_id is not None else scope.own_organisation(viewer))
    policies = list(
        db.session.execute(
            select(FeePolicy)
            .where(FeePolicy.organisation_id == org.id)
            .order_by(FeePolicy.effective_from.desc())
        ).scalars()
    )
    refused = list(
        db.session.execute(
            select(FeeCharge)
            .where(FeeCharge.organisation_id == org.id, FeeCharge.posting_id.is_(None))
            .order_by(FeeCharge.period_start.desc(), FeeCharge.account_id)
        ).scalars()
    )
    in_force = next((p for p in policies if p.effective_from <= viewer.today), None)
    return FeePage(org, policies, in_force, refused)


def set_policy(
    viewer: Viewer, org_id: int, *, effective_from: date, amount: Decimal, per: str
) -> FeePolicy:
    """A new fee policy from `effective_from` (today or later: a fee already charged is
    never rewritten)."""
    org = _organisation(org_id)
    if per not in FEE_PERIODS:
        raise RuleError("Choose whether the fee is every 4 weeks or every month")
    if effective_from < viewer.today:
        raise RuleError("Enter a start date of today or later: fees already charged stay")
    if to_pence(amount) < 0:
        raise RuleError("Enter a fee of £0.00 or more")
    taken = db.session.execute(
        select(FeePolicy.id).where(
            FeePolicy.organisation_id == org.id, FeePolicy.effective_from == effective_from
        )
    ).scalar()
    if taken is not None:
        raise RuleError("A fee policy already starts on that date: choose another date")
    policy = FeePolicy(
        organisation_id=org.id,
        effective_from=effective_from,
        amount_pence=to_pence(amount),
        per=per,
        set_by_id=viewer.user.id,
    )
    db.session.add(policy)
    db.session.flush()
    audit.record(
        viewer.user,
        "fee_policy.set",
        policy,
        summary=f"{org.name}: fee of {format_money(amount)} {FEE_PERIODS[per]} per client "
        f"from {effective_from:%-d %B %Y}",
        after={"amount_pence": policy.amount_pence, "per": per, "from": str(effective_from)},
    )
    return policy
