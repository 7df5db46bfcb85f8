"""Charter Mark reports for finance officers, team leaders and administrators: applications
and awards by financial-year quarter, the criteria most often not met or needing more, every
award with its state today (an expired mark shows as expired), and employers whose budgets
pay their PAs below the Scottish minimum in force today. Pages and XLSX."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..accounts import scope as account_scope
from ..core.audit import AuditEvent, record_download
from ..core.calendar import financial_quarter, financial_year_label
from ..core.money import round_money
from ..core.permissions import Viewer
from ..core.spreadsheets import workbook_bytes
from ..core.types import local_date
from ..extensions import db
from ..payments import services as payments
from ..payments.budgets import LineKind
from .charter_awards import AwardView, award_view
from .charter_rules import Finding
from .models import Application, Award, CharterTier, CriteriaVersion, Criterion


def quarter_label(day: date) -> str:
    number, period = financial_quarter(day)
    months = f"{period.start:%B} to {period.end:%B %Y}"
    return f"{financial_year_label(day)} Q{number} ({months})"


@dataclass
class QuarterRow:
    start: date
    label: str
    counts: Counter

    def __getitem__(self, key: str) -> int:
        return self.counts[key]


QUARTER_COLUMNS = [
    ("supporter_started", "Supporter applications"),
    ("holder_started", "Holder applications"),
    ("supporter_awarded", "Supporter awards"),
    ("holder_awarded", "Holder awards"),
    ("declined", "Declined"),
]


def by_quarter() -> list[QuarterRow]:
    """Applications started, awards made and applications declined, per quarter, newest
    first (financial-year quarters: April to June is Q1)."""
    events: list[tuple[date, str]] = []
    for tier, status, created, decided in db.session.execute(
        select(Application.tier, Application.status, Application.created_at, Application.decided_at)
    ):
        events.append((local_date(created), f"{tier}_started"))
        if status == "declined" and decided is not None:
            events.append((local_date(decided), "declined"))
    for tier, starts_on in db.session.execute(select(Award.tier, Award.starts_on)):
        events.append((starts_on, f"{tier}_awarded"))
    rows: dict[date, QuarterRow] = {}
    for day, key in events:
        start = financial_quarter(day)[1].start
        row = rows.setdefault(start, QuarterRow(start, quarter_label(day), Counter()))
        row.counts[key] += 1
    return sorted(rows.values(), key=lambda row: row.start, reverse=True)


@dataclass(frozen=True)
class CriterionRow:
    key: str
    title: str
    unmet: int
    more_info: int
    reviewed: int


def criteria_findings() -> list[CriterionRow]:
    """How often each criterion was found not met or needing more, over every review (each
    review's findings are in its audit row, so a criterion later met still counts as once
    needing more). Most troublesome first."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for (after_json,) in db.session.execute(
        select(AuditEvent.after_json).where(AuditEvent.action == "charter.reviewed")
    ):
        for key, finding in (json.loads(after_json or "{}").get("findings") or {}).items():
            counts[key][finding] += 1
            counts[key]["reviewed"] += 1
    titles = {}
    for key, title in db.session.execute(
        select(Criterion.key, Criterion.title)
        .join(CriteriaVersion, CriteriaVersion.id == Criterion.criteria_version_id)
        .order_by(CriteriaVersion.version)
    ):
        titles[key] = title  # the newest wording wins
    rows = [
        CriterionRow(
            key,
            titles.get(key, key),
            c[Finding.UNMET.value],
            c[Finding.MORE_INFO.value],
            c["reviewed"],
        )
        for key, c in counts.items()
    ]
    return sorted(rows, key=lambda r: (-(r.unmet + r.more_info), -r.unmet, r.title))


def awards(today: date) -> list[AwardView]:
    rows = db.session.execute(select(Award).order_by(Award.starts_on.desc(), Award.id.desc()))
    return [award_view(award, today) for award in rows.scalars()]


@dataclass(frozen=True)
class BelowMinimum:
    """The council's funded PA wage today, the minimum it is checked against, and the
    employers (accounts with PA hours in their approved budget) it leaves below."""

    minimum: Decimal | None
    wage: Decimal | None
    rows: list[dict]

    @property
    def below(self) -> bool:
        return self.minimum is not None and self.wage is not None and self.wage < self.minimum


def scottish_minimum_on(day: date) -> Decimal | None:
    """The Scottish minimum for adult social care in force on `day`: the payments rate
    book's living wage row, as the PA cost calculator reads it (employers/cost_rates)."""
    inputs = payments.rate_book().inputs_on(day)
    return inputs.wage if inputs else None


def _pa_hours(account_id: int, today: date) -> Decimal:
    budget = payments.approved_budget_on(account_id, today)
    if budget is None:
        return Decimal(0)
    return sum(
        (s.hours for s in payments.line_specs(budget) if s.kind == LineKind.PA_HOURS),
        Decimal(0),
    )


def below_minimum(viewer: Viewer, today: date, minimum: Decimal | None = None) -> BelowMinimum:
    """Employers whose approved budget in force today pays PA hours at a wage below
    `minimum` (by default the Scottish minimum in force today). Budgets pay PA hours at the
    council's PA rate, built on the living wage row in force; when that wage is at or above
    the minimum, no budget is below it and no account needs to be read."""
    minimum = minimum if minimum is not None else scottish_minimum_on(today)
    pa_rate = payments.rate_book().pa_rate_on(today)
    wage = pa_rate.lines[0].amount if pa_rate else None
    result = BelowMinimum(minimum, wage, [])
    if not result.below:
        return result
    charter = {a.account_id: a for a in awards(today) if not a.expired}
    for account in db.session.execute(account_scope.visible_accounts(viewer)).scalars():
        hours = _pa_hours(account.id, today)
        if hours:
            award = charter.get(account.id)
            result.rows.append(
                {
                    "account": account,
                    "hours": hours,
                    "short_weekly": round_money(hours * (minimum - wage)),
                    "award": award,
                }
            )
    return result


# --- The workbook -------------------------------------------------------------------------------


def _sheets(viewer: Viewer, today: date) -> dict[str, tuple[list[str], Iterable[list]]]:
    low = below_minimum(viewer, today)
    return {
        "By quarter": (
            ["Quarter"] + [label for _, label in QUARTER_COLUMNS],
            [[q.label] + [q[key] for key, _ in QUARTER_COLUMNS] for q in by_quarter()],
        ),
        "Criteria": (
            ["Criterion", "Not met", "More information needed", "Times reviewed"],
            [[c.title, c.unmet, c.more_info, c.reviewed] for c in criteria_findings()],
        ),
        "Awards": (
            ["Number", "Tier", "Name shown", "Starts", "Expires", "State today"],
            [
                [a.number, a.tier_label, a.display_name, a.starts_on, a.expires_on, a.state.label]
                for a in awards(today)
            ],
        ),
        "Below the minimum": (
            ["Account", "PA hours a week", "Funded wage", "Minimum", "Short each week"],
            [
                [
                    r["account"].reference,
                    float(r["hours"]),
                    low.wage,
                    low.minimum,
                    r["short_weekly"],
                ]
                for r in low.rows
            ],
        ),
    }


def report_workbook(viewer: Viewer, today: date) -> tuple[bytes, str]:
    """The reports as an XLSX, and its name; the download is in the audit log."""
    name = f"charter-mark-report-{today.isoformat()}.xlsx"
    data = workbook_bytes(_sheets(viewer, today))
    record_download(viewer.user, "charter_report", name, detail=f"as of {today.isoformat()}")
    return data, name


TIERS = {tier.value: tier.label for tier in CharterTier}
