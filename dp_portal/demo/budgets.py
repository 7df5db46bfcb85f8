"""Demo rates and budgets: the rates in force (with their sources), and for each account a
support plan priced with them and approved, as an assessment would have left it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select

from ..core.money import round_money, to_pence
from ..extensions import db
from ..payments.budgets import LineKind, LineSpec, price_lines, weekly_total
from ..payments.models import Budget, BudgetLine
from ..payments.rate_models import ProviderRate, RateRow
from .batch import Batch
from .people import DrawnAccount

if TYPE_CHECKING:
    from ..payments.rates import RateBook

RATES_FROM = date(2025, 4, 1)
DEMO_RATES = [
    # (kind, from, value, source) — shared/facts/rates.md
    (
        "living_wage",
        date(2025, 4, 1),
        1260,
        "Scottish Government adult social care minimum 2025/26",
    ),
    # 2026/27's rate comes as an uplift in the demo month (month.py), agreed after April.
    ("holiday_pct", date(2025, 4, 1), 1207, "5.6 weeks' holiday as 12.07% of hours worked"),
    ("pension_pct", date(2025, 4, 1), 300, "Auto-enrolment minimum employer contribution"),
    (
        "ni_pct",
        date(2025, 4, 1),
        0,
        "Employment Allowance covers employer NI for most PA employers",
    ),
    (
        "insurance_per_hour",
        date(2025, 4, 1),
        10,
        "Employer's liability insurance, council estimate",
    ),
    ("payroll_per_hour", date(2025, 4, 1), 15, "Payroll service, council estimate"),
]
# Budgets up to £1,500 a week are approved by a team leader, larger ones by a finance officer
# (TEAM_LEADER_WEEKLY_CEILING).
TEAM_LEADER_CEILING_PENCE = 150000


@dataclass(frozen=True)
class Approvers:
    """The demo users who proposed and approved the budgets."""

    proposer: int
    team_leader: int
    officer: int


def demo_rates(provider_id: int, officer_id: int) -> RateBook:
    """The rate rows (added once) and the book that prices plans with them."""
    from ..payments.services import rate_book

    if db.session.execute(select(RateRow.id).limit(1)).first() is None:
        for kind, start, value, note in DEMO_RATES:
            db.session.add(
                RateRow(
                    kind=kind,
                    effective_from=start,
                    value=value,
                    source_note=note,
                    created_by_id=officer_id,
                )
            )
        db.session.add(
            ProviderRate(
                organisation_id=provider_id,
                effective_from=RATES_FROM,
                hourly_pence=2250,
                source_note="Framework contract rate",
                created_by_id=officer_id,
            )
        )
        db.session.flush()
    return rate_book()


def _plan(rng: random.Random, option: int, provider_id: int) -> list[LineSpec]:
    """Option 1 employs personal assistants, option 2 buys from a provider, option 4 mixes
    them; one in five also has a yearly amount for short breaks."""
    lines = []
    if option in (1, 4):
        hours = Decimal(rng.randint(20, 160)) / 4
        lines.append(LineSpec(LineKind.PA_HOURS, "Personal assistant support", hours=hours))
    if option in (2, 4):
        hours = Decimal(rng.randint(12, 100)) / 4
        lines.append(
            LineSpec(
                LineKind.PROVIDER_HOURS,
                "Support from Carrick Care Partnership",
                hours=hours,
                provider_id=provider_id,
            )
        )
    if rng.random() < 0.2:
        lines.append(
            LineSpec(
                LineKind.FIXED_ANNUAL,
                "Short breaks (respite)",
                amount=Decimal(rng.choice([500, 750, 1000, 1500])),
            )
        )
    return lines


def _line_rows(budget_id: int, batch: Batch, plan: list[LineSpec]) -> None:
    for spec in plan:
        batch.add(
            BudgetLine,
            {
                "id": batch.reserve(BudgetLine),
                "budget_id": budget_id,
                "kind": str(spec.kind),
                "description": spec.description,
                "hours_hundredths": int(spec.hours * 100) if spec.hours is not None else None,
                "amount_pence": to_pence(spec.amount) if spec.amount is not None else None,
                "provider_id": spec.provider_id,
                "service_type": (
                    spec.service_type if spec.kind == LineKind.PROVIDER_HOURS else None
                ),
            },
        )


def draw_budget(
    rng: random.Random,
    batch: Batch,
    account: DrawnAccount,
    provider_id: int,
    book: RateBook,
    approvers: Approvers,
    now: datetime,
) -> None:
    """The account's approved budget: its plan priced at the rates of the day it starts."""
    plan = _plan(rng, account.sds_option, provider_id)
    effective = max(account.start, RATES_FROM)
    weekly = weekly_total(
        price_lines(
            plan,
            book.pa_rate_on(effective).total,
            lambda org, service, day=effective: book.provider_rate_on(org, day, service),
        )
    )
    weekly_pence = to_pence(round_money(weekly))
    contribution = rng.choice([0, 0, 0, 0, 0, 500, 1250, 2500, 4000, 6000])
    budget_id = batch.reserve(Budget)
    batch.add(
        Budget,
        {
            "id": budget_id,
            "account_id": account.id,
            "version": 1,
            "effective_from": effective,
            "status": "approved",
            "weekly_contribution_pence": contribution,
            "contribution_basis": "gross" if contribution and rng.random() < 0.1 else "net",
            "weekly_at_proposal_pence": weekly_pence,
            "reason": "Support plan agreed at assessment",
            "proposed_by_id": approvers.proposer,
            "proposed_at": now,
            "decided_by_id": approvers.team_leader
            if weekly_pence <= TEAM_LEADER_CEILING_PENCE
            else approvers.officer,
            "decided_at": now,
        },
    )
    _line_rows(budget_id, batch, plan)
