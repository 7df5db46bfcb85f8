"""Living wage uplifts: preview every affected account, then apply once.

Budgets are priced from the rate rows in force each day, so adding the new living wage row is
what re-rates every budget from its date; Option 2 provider rates rise by the same percentage.
Back-dated uplifts are paid as arrears by the next payment run (see arrears.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..accounts.correspondents import correspondents
from ..accounts.models import Account, Person
from ..core import audit
from ..core.errors import RuleError
from ..core.letters import letter_row, record_letters
from ..core.money import round_money, to_pence
from ..extensions import db
from ..third_party.models import Organisation
from .plans import load_plans, rate_book
from .pricing import weekly_on
from .rate_models import ProviderRate, Uplift
from .rates import RateBook, RateKind, ServiceType, uplift_percentage, uplifted
from .services import add_rate_row


@dataclass(frozen=True)
class AccountChange:
    account_id: int
    reference: str
    name: str
    sds_option: int
    old_weekly: Decimal
    new_weekly: Decimal

    @property
    def difference(self) -> Decimal:
        return self.new_weekly - self.old_weekly

    @property
    def new_four_weekly(self) -> Decimal:
        return round_money(self.new_weekly * 4)

    @property
    def new_annual(self) -> Decimal:
        return round_money(self.new_weekly * 52)


@dataclass(frozen=True)
class UpliftPreview:
    effective_from: date
    old_wage: Decimal
    new_wage: Decimal
    old_rate: Decimal
    new_rate: Decimal
    changes: list[AccountChange]
    # ((org id, service type), name and service, old, new): each agreed rate rises alike.
    provider_rates: list[tuple[tuple[int, str], str, Decimal, Decimal]]

    @property
    def percentage(self) -> Decimal:
        return uplift_percentage(self.old_wage, self.new_wage)

    @property
    def weekly_increase(self) -> Decimal:
        return sum((c.difference for c in self.changes), Decimal(0))


def _with_new_wage(book: RateBook, effective_from: date, new_wage: Decimal, providers) -> RateBook:
    rows = (*book.rows, (RateKind.LIVING_WAGE, effective_from, 10**12, new_wage))
    provider_rows = (
        *book.provider_rows,
        *((org, effective_from, 10**12, new, service) for (org, service), _, _, new in providers),
    )
    return RateBook(rows, provider_rows)


def preview_uplift(new_wage: Decimal, effective_from: date) -> UpliftPreview:
    book = rate_book()
    before = book.inputs_on(effective_from - timedelta(days=1)) or book.inputs_on(effective_from)
    if before is None:
        raise RuleError("There is no living wage rate before this date to uplift from")
    old_wage = before.wage
    if new_wage <= old_wage:
        raise RuleError(f"The new rate must be more than the current {old_wage:.2f} pounds an hour")
    providers = []
    kinds = db.session.execute(
        select(ProviderRate.organisation_id, ProviderRate.service_type)
        .distinct()
        .order_by(ProviderRate.organisation_id, ProviderRate.service_type)
    ).all()
    for org_id, service in kinds:
        current = book.provider_rate_on(org_id, effective_from, service)
        if current is not None:
            name = f"{db.session.get(Organisation, org_id).name} ({ServiceType(service).label})"
            new = uplifted(current, old_wage, new_wage)
            providers.append(((org_id, service), name, current, new))
    after = _with_new_wage(book, effective_from, new_wage, providers)

    plans = load_plans()
    # Every open account with a plan, with its person's name, in one query: no list of ids
    # (PostgreSQL takes at most 65,535 bound parameters, and a council has 100,000 accounts).
    accounts = db.session.execute(
        select(
            Account.id,
            Account.reference,
            Account.sds_option,
            Account.start_date,
            Account.end_date,
            Person.first_name + " " + Person.last_name,
        )
        .join(Person, Person.id == Account.person_id)
        .where(Account.status != "closed")
        .order_by(Account.reference)
    ).all()
    changes = []
    for account_id, reference, option, start, end, name in accounts:
        if account_id not in plans:
            continue
        day = max(effective_from, start)
        old = weekly_on(plans[account_id], book, start, end, day).budget
        new = weekly_on(plans[account_id], after, start, end, day).budget
        if new != old:
            changes.append(AccountChange(account_id, reference, name, option, old, new))
    old_rate = book.pa_rate_on(effective_from) or book.pa_rate_on(
        effective_from - timedelta(days=1)
    )
    return UpliftPreview(
        effective_from,
        old_wage,
        new_wage,
        old_rate.total,
        after.pa_rate_on(effective_from).total,
        changes,
        providers,
    )


def apply_uplift(
    new_wage: Decimal, effective_from: date, source_note: str, *, actor
) -> tuple[Uplift, bool]:
    """Apply once. Returns (the uplift, whether this call applied it)."""
    existing = db.session.execute(
        select(Uplift).where(Uplift.effective_from == effective_from)
    ).scalar_one_or_none()
    if existing is not None:
        return existing, False
    preview = preview_uplift(new_wage, effective_from)
    row = add_rate_row(RateKind.LIVING_WAGE, effective_from, new_wage, source_note, actor=actor)
    db.session.flush()
    uplift = Uplift(
        effective_from=effective_from,
        old_wage_pence=to_pence(preview.old_wage),
        new_wage_pence=to_pence(new_wage),
        percentage=str(preview.percentage),
        rate_row_id=row.id,
        accounts_affected=len(preview.changes),
        applied_by_id=actor.id,
    )
    db.session.add(uplift)
    db.session.flush()
    for (org_id, service), _name, _old, new in preview.provider_rates:
        db.session.add(
            ProviderRate(
                organisation_id=org_id,
                service_type=service,
                effective_from=effective_from,
                hourly_pence=to_pence(new),
                source_note=f"Uplift of {preview.percentage}% from {effective_from:%d %B %Y}",
                uplift_id=uplift.id,
                created_by_id=actor.id,
            )
        )
    _record_uplift_letters(preview)
    audit.record(
        actor,
        "uplift.applied",
        uplift,
        summary=f"Living wage {preview.old_wage} to {new_wage} from {effective_from:%d %B %Y}: "
        f"{len(preview.changes)} accounts re-rated",
        after={
            "old_wage": str(preview.old_wage),
            "new_wage": str(new_wage),
            "percentage": str(preview.percentage),
            "accounts": len(preview.changes),
            "provider_rates": len(preview.provider_rates),
        },
    )
    return uplift, True


def _record_uplift_letters(preview: UpliftPreview) -> None:
    """A letter to each affected account's correspondent, in their preferred format."""
    recipients = correspondents([c.account_id for c in preview.changes])
    rows = []
    for change in preview.changes:
        recipient = recipients[change.account_id]
        rows.append(
            letter_row(
                account_id=change.account_id,
                kind="uplift",
                subject="Your direct payment is going up",
                to=recipient,
                context={
                    "reference": change.reference,
                    "person_name": change.name,
                    "effective_from": preview.effective_from.isoformat(),
                    "old_wage": str(preview.old_wage),
                    "new_wage": str(preview.new_wage),
                    "percentage": str(preview.percentage.normalize()),
                    "old_rate": str(preview.old_rate),
                    "new_rate": str(preview.new_rate),
                    "old_weekly": str(round_money(change.old_weekly)),
                    "new_weekly": str(round_money(change.new_weekly)),
                    "new_four_weekly": str(change.new_four_weekly),
                    "new_annual": str(change.new_annual),
                },
            )
        )
    record_letters(rows)
