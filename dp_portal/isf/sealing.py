"""Sealed periods and banked hours (issue 14, part B). A period reconciled against the
provider's approved invoice is sealed: its delivered hours are compared with the plan, unused
hours banked up to the agreement's limit (the rest recorded as over the limit), extra hours
drawn from the bank. A sealed period is never edited again: a correction is a change request
(change_requests.py). Planned against delivered, and the year-end report of hours over the
limit or left in the bank, are read here too. Never commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, literal, select

from ..accounts.models import Account
from ..core.calendar import financial_year_end, financial_year_start
from ..core.types import utcnow
from ..extensions import db
from ..third_party.models import Organisation
from . import invoices
from .delivery_models import IsfBankedHours, IsfInvoice, IsfInvoiceLine, IsfPeriod
from .lifecycles import InvoiceStatus, LineState, PeriodStatus, move_period
from .models import IsfAgreement, IsfAgreementVersion

DELIVERED = (LineState.ACCEPTED, LineState.RELEASED)


def delivered_by_period(periods: Collection[tuple[int, int]]) -> dict[int, int]:
    """Hours delivered (hundredths) in each period of (agreement id, period id) `periods`, by
    period id, on invoices not rejected, lines not refused. The agreements are asked for as
    well as the periods, so that the lines are found by ix_isf_invoice_lines_agreement_period:
    by the periods alone, PostgreSQL read every line of every invoice (9 ms at 42,000 lines,
    more with every invoice)."""
    return dict(
        db.session.execute(
            select(IsfInvoiceLine.period_id, func.sum(IsfInvoiceLine.hours_hundredths))
            .join(IsfInvoice, IsfInvoice.id == IsfInvoiceLine.invoice_id)
            .where(
                IsfInvoiceLine.agreement_id.in_(sorted({a for a, _ in periods})),
                IsfInvoiceLine.period_id.in_(sorted({p for _, p in periods})),
                IsfInvoiceLine.state.in_(DELIVERED),
                IsfInvoice.status != InvoiceStatus.REJECTED,
            )
            .group_by(IsfInvoiceLine.period_id)
        ).all()
    )


def bank_balance(agreement_id: int, year_start: date) -> int:
    """Hours banked less hours used in the year (hundredths)."""
    sums = dict(
        db.session.execute(
            select(IsfBankedHours.kind, func.sum(IsfBankedHours.hours_hundredths))
            .where(
                IsfBankedHours.agreement_id == agreement_id,
                IsfBankedHours.year_start == year_start,
            )
            .group_by(IsfBankedHours.kind)
        ).all()
    )
    return int(sums.get("banked", 0)) - int(sums.get("used", 0))


def _limit(agreement_id: int, day: date) -> int:
    limit = db.session.execute(
        select(IsfAgreementVersion.bankable_hours_hundredths).where(
            IsfAgreementVersion.agreement_id == agreement_id,
            IsfAgreementVersion.in_force_on(day),
        )
    ).scalar_one_or_none()
    return limit or 0


def seal_invoice_periods(invoice: IsfInvoice, *, actor) -> int:
    """Seal each period the approved invoice reconciles, banking its hours. Returns how many
    periods were sealed."""
    keys = {(line.agreement_id, line.period_id) for line in invoice.lines}
    period_ids = sorted(period for _, period in keys)
    delivered = delivered_by_period(keys)
    now, count = utcnow(), 0
    for period in db.session.execute(
        select(IsfPeriod).where(IsfPeriod.id.in_(period_ids)).order_by(IsfPeriod.id)
    ).scalars():
        if period.status == PeriodStatus.SEALED:
            continue
        move_period(period, PeriodStatus.SEALED)
        period.sealed_at, period.sealed_by_id, period.sealed_invoice_id = now, actor.id, invoice.id
        year = financial_year_start(period.period_start)
        rows = invoices.banking(
            period.planned_hours_hundredths,
            int(delivered.get(period.id, 0)),
            bank_balance(period.agreement_id, year),
            _limit(period.agreement_id, period.period_start),
        )
        for kind, hours in rows:
            db.session.add(
                IsfBankedHours(
                    agreement_id=period.agreement_id,
                    period_id=period.id,
                    year_start=year,
                    kind=kind,
                    hours_hundredths=hours,
                    note=f"Period {period.period_start:%d %B %Y} sealed",
                    created_by_id=actor.id,
                )
            )
        count += 1
    db.session.flush()
    return count


@dataclass(frozen=True)
class PeriodRow:
    period: IsfPeriod
    delivered: int
    banked: int  # hundredths: banked (+), used (-) when the period was sealed
    over_limit: int

    @property
    def difference(self) -> int:
        return self.delivered - self.period.planned_hours_hundredths


def planned_against_delivered(agreement_ids: list[int]) -> dict[int, list[PeriodRow]]:
    """Each agreement's periods (newest first): planned, delivered, difference, banked."""
    periods = list(
        db.session.execute(
            select(IsfPeriod)
            .where(IsfPeriod.agreement_id.in_(agreement_ids))
            .order_by(IsfPeriod.period_start.desc())
        ).scalars()
    )
    delivered = delivered_by_period([(p.agreement_id, p.id) for p in periods])
    moves: dict[int, dict[str, int]] = defaultdict(dict)
    for period_id, kind, hours in db.session.execute(
        select(
            IsfBankedHours.period_id, IsfBankedHours.kind, IsfBankedHours.hours_hundredths
        ).where(
            # By agreement too, for ix_isf_banked_hours_agreement_year: no index leads with
            # the period, and by it alone every banked hour of the council was read.
            IsfBankedHours.agreement_id.in_(agreement_ids),
            IsfBankedHours.period_id.in_([p.id for p in periods]),
        )
    ):
        moves[period_id][kind] = moves[period_id].get(kind, 0) + hours
    found: dict[int, list[PeriodRow]] = defaultdict(list)
    for p in periods:
        m = moves.get(p.id, {})
        found[p.agreement_id].append(
            PeriodRow(
                p,
                int(delivered.get(p.id, 0)),
                m.get("banked", 0) - m.get("used", 0),
                m.get("over_limit", 0),
            )
        )
    return found


@dataclass(frozen=True)
class YearEndRow:
    agreement_id: int
    reference: str
    provider: str
    limit: int
    left_in_bank: int
    over_limit: int
    not_sealed: int = 0  # planned in periods no approved invoice has sealed


def year_end(year_start: date, organisation_id: int | None = None) -> list[YearEndRow]:
    """Hours that would not be delivered in the year: still in the bank, beyond the
    agreement's limit, or planned in periods that no approved invoice has sealed (nothing
    says they were delivered, and they were never banked). Reported, never silently lost
    (issue 14)."""
    year = (year_start, financial_year_end(year_start))
    banked = (
        select(IsfBankedHours.agreement_id, IsfBankedHours.kind, IsfBankedHours.hours_hundredths)
        .where(IsfBankedHours.year_start == year_start)
        .subquery()
    )
    # Open periods by ix_isf_periods_open: few once invoices seal them.
    unsealed = (
        select(
            IsfPeriod.agreement_id,
            literal("not_sealed").label("kind"),
            IsfPeriod.planned_hours_hundredths.label("hours_hundredths"),
        )
        .where(IsfPeriod.status == PeriodStatus.OPEN, IsfPeriod.period_start.between(*year))
        .subquery()
    )
    sums: dict[tuple, dict[str, int]] = defaultdict(dict)
    for hours in (banked, unsealed):
        for agreement_id, reference, provider, kind, total in db.session.execute(
            _by_agreement(hours, organisation_id)
        ):
            sums[(agreement_id, reference, provider)][kind] = int(total)
    reported = {}
    for key, kinds in sums.items():
        left = kinds.get("banked", 0) - kinds.get("used", 0)
        over, unplaced = kinds.get("over_limit", 0), kinds.get("not_sealed", 0)
        if left or over or unplaced:
            reported[key] = left, over, unplaced
    # Each reported agreement's limit in one query (one an agreement was thousands).
    limits = _limits([agreement_id for agreement_id, _, _ in reported], year_start)
    return [
        YearEndRow(agreement_id, reference, provider, limits.get(agreement_id, 0), *hours)
        for (agreement_id, reference, provider), hours in sorted(
            reported.items(), key=lambda item: item[0][1]
        )
    ]


def _by_agreement(hours, organisation_id: int | None):
    """(agreement, person's reference, provider, kind, total) of the `hours` subquery's rows
    (agreement_id, kind, hours_hundredths), the provider's only when one is asked for."""
    query = (
        select(
            hours.c.agreement_id,
            Account.reference,
            Organisation.name,
            hours.c.kind,
            func.sum(hours.c.hours_hundredths),
        )
        .join(IsfAgreement, IsfAgreement.id == hours.c.agreement_id)
        .join(Account, Account.id == IsfAgreement.account_id)
        .join(Organisation, Organisation.id == IsfAgreement.organisation_id)
        .group_by(hours.c.agreement_id, Account.reference, Organisation.name, hours.c.kind)
    )
    if organisation_id is not None:
        query = query.where(IsfAgreement.organisation_id == organisation_id)
    return query


def _limits(agreement_ids: list[int], year_start: date) -> dict[int, int]:
    """The bankable hours of each agreement in the financial year from `year_start`: its
    latest version in force at some time in the year (0 when none). Not the version in force
    on the year's first day: an agreement that began after 1 April (most begin with a payment
    period) had none then, and the report showed a limit of 0."""
    return {
        agreement_id: limit or 0
        for agreement_id, limit in db.session.execute(
            select(IsfAgreementVersion.agreement_id, IsfAgreementVersion.bankable_hours_hundredths)
            .where(
                IsfAgreementVersion.agreement_id.in_(agreement_ids),
                IsfAgreementVersion.in_force_during(year_start, financial_year_end(year_start)),
            )
            .order_by(IsfAgreementVersion.agreement_id, IsfAgreementVersion.version)
        )  # the latest version of each comes last, and is kept
    }
