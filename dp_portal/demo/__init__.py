"""A realistic, deterministic demo council, fast enough for 100,000 accounts.

Rows go in with bulk inserts (not the ORM unit of work) because benchmarks build very large
councils; the ids are assigned here so that related rows can be written in the same pass.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select, text

from ..accounts.models import Account, AccountAccess, Person, Representative
from ..auth.models import ROLE_LABELS, Role, User
from ..auth.services import hash_password
from ..core import audit
from ..core.bulk import insert_rows
from ..core.money import round_money, to_pence
from ..core.types import utcnow
from ..extensions import db
from ..payments.budgets import LineKind, LineSpec, price_lines, weekly_total
from ..payments.models import Budget, BudgetLine, ProviderRate, RateRow
from ..third_party.models import Mandate, Organisation

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - demo data only, refused in production
CHUNK = 5000

FIRST_NAMES = [
    "Agnes",
    "Alan",
    "Alison",
    "Andrew",
    "Angus",
    "Ann",
    "Catherine",
    "Colin",
    "Craig",
    "David",
    "Derek",
    "Donald",
    "Eilidh",
    "Elaine",
    "Fiona",
    "Fraser",
    "Gordon",
    "Graham",
    "Hamish",
    "Heather",
    "Iain",
    "Isla",
    "Jean",
    "Jessie",
    "Kenneth",
    "Kirsty",
    "Lorna",
    "Malcolm",
    "Margaret",
    "Morag",
    "Murdo",
    "Neil",
    "Niamh",
    "Rhona",
    "Robert",
    "Ruaridh",
    "Sandra",
    "Shona",
    "Stuart",
    "Thomas",
    "Wilma",
    "Yusuf",
    "Amira",
    "Bilal",
    "Kasia",
    "Tomasz",
    "Priya",
    "Ravi",
]
LAST_NAMES = [
    "Anderson",
    "Bell",
    "Brown",
    "Campbell",
    "Clark",
    "Craig",
    "Cunningham",
    "Docherty",
    "Duncan",
    "Ferguson",
    "Fraser",
    "Gallacher",
    "Gibson",
    "Graham",
    "Grant",
    "Hamilton",
    "Henderson",
    "Hughes",
    "Hunter",
    "Johnston",
    "Kerr",
    "MacDonald",
    "MacKay",
    "MacKenzie",
    "MacLeod",
    "Martin",
    "McDonald",
    "McGregor",
    "McIntosh",
    "Millar",
    "Mitchell",
    "Morrison",
    "Murray",
    "Paterson",
    "Reid",
    "Robertson",
    "Ross",
    "Scott",
    "Simpson",
    "Smith",
    "Stewart",
    "Taylor",
    "Thomson",
    "Watson",
    "Wilson",
    "Young",
    "Khan",
    "Nowak",
]
STREETS = [
    "High Street",
    "Main Street",
    "Church Road",
    "Station Road",
    "Burnside Avenue",
    "Glebe Crescent",
    "Kirk Wynd",
    "Castle Terrace",
    "Mill Lane",
    "Park View",
    "Loch Road",
    "Hillfoot Drive",
    "Shore Street",
]
TOWNS = [
    ("Glenarden", "GA"),
    ("Kilbrannan", "KB"),
    ("Strathmore", "PH"),
    ("Invercarron", "IV"),
    ("Dunmore", "FK"),
    ("Portlethen", "AB"),
]
LOCALITIES = ["North", "South", "East", "West", "Central"]
ORGANISATIONS = [
    ("Glenarden Support Brokerage", "brokerage"),
    ("Lowland Money Management CIC", "money_management"),
    ("Carrick Care Partnership", "provider"),
]


def database_has_users() -> bool:
    return db.session.execute(select(User.id).limit(1)).first() is not None


def demo_logins() -> list[tuple[str, str]]:
    return [(ROLE_LABELS[role], email) for role, email in _DEMO_USERS]


_DEMO_USERS = [
    (Role.ADMIN, "admin@demo.glenarden.example"),
    (Role.FINANCE_OFFICER, "finance@demo.glenarden.example"),
    (Role.FINANCE_OFFICER, "finance2@demo.glenarden.example"),
    (Role.TEAM_LEADER, "teamleader@demo.glenarden.example"),
    (Role.BROKERAGE_STAFF, "broker@demo.glenarden.example"),
    (Role.RECIPIENT, "recipient@demo.glenarden.example"),
]


def _next_id(model) -> int:
    return (db.session.execute(select(func.max(model.id))).scalar() or 0) + 1


def _postcode(rng: random.Random, area: str) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return (
        f"{area}{rng.randint(1, 20)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
    )


def build_demo(n_accounts: int, seed: int, progress: Callable[[int], None] = lambda n: None):
    """Add a demo council to the current transaction (the caller commits)."""
    rng = random.Random(seed)  # noqa: S311 - deterministic demo data, not security
    today = date.today()  # noqa: DTZ011 - demo dates only need to be near today
    now = utcnow()

    org_ids = {}
    for name, kind in ORGANISATIONS:
        existing = db.session.execute(
            select(Organisation).where(Organisation.name == name)
        ).scalar()
        org = existing or Organisation(
            name=name, kind=kind, email=f"office@{kind}.demo.example", town="Glenarden"
        )
        db.session.add(org)
        db.session.flush()
        org_ids[kind] = org.id

    new_users = not database_has_users()
    if new_users:
        _demo_users(org_ids)
    proposer_id, leader_id, officer_id = (
        db.session.execute(select(User.id).where(User.email == email)).scalar()
        for email in (
            "finance2@demo.glenarden.example",
            "teamleader@demo.glenarden.example",
            "finance@demo.glenarden.example",
        )
    )
    book = _demo_rates(org_ids["provider"], officer_id)

    person_id, account_id = _next_id(Person), _next_id(Account)
    rep_id, mandate_id = _next_id(Representative), _next_id(Mandate)
    budget_id, line_id = _next_id(Budget), _next_id(BudgetLine)
    first_account_id = account_id
    people, accounts, reps, mandates, budgets, lines = [], [], [], [], [], []

    def flush_chunk():
        for model, rows in (
            (Person, people),
            (Representative, reps),
            (Account, accounts),
            (Mandate, mandates),
            (Budget, budgets),
            (BudgetLine, lines),
        ):
            # Not the ORM's bulk path: it sent a statement per row to PostgreSQL.
            insert_rows(db.session, model.__table__, rows)
            rows.clear()

    for _ in range(n_accounts):
        town, area = rng.choice(TOWNS)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        letter_format = rng.choices(["standard", "large_print", "easy_read"], [85, 10, 5])[0]
        people.append(
            {
                "id": person_id,
                "client_reference": f"SW{seed:02d}{person_id:07d}",
                "first_name": first,
                "last_name": last,
                "date_of_birth": date(1935, 1, 1) + timedelta(days=rng.randint(0, 365 * 70)),
                "address_line_1": f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
                "town": town,
                "postcode": _postcode(rng, area),
                "email": f"{first}.{last}.{person_id}@mail.demo.example".lower()
                if rng.random() < 0.4
                else None,
                "letter_format": letter_format,
                "created_at": now,
            }
        )
        correspondent, corr_rep, corr_org = "person", None, None
        if rng.random() < 0.12:
            relationship = rng.choices(["guardian", "power_of_attorney", "family"], [3, 4, 5])[0]
            reps.append(
                {
                    "id": rep_id,
                    "person_id": person_id,
                    "full_name": f"{rng.choice(FIRST_NAMES)} {last}",
                    "relationship_to_person": relationship,
                    "address_line_1": f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
                    "town": town,
                    "postcode": _postcode(rng, area),
                    "letter_format": "standard",
                    "created_at": now,
                }
            )
            if rng.random() < 0.7:
                correspondent, corr_rep = "representative", rep_id
            rep_id += 1
        option = rng.choices([1, 2, 4], [60, 30, 10])[0]
        status = rng.choices(["active", "suspended", "closed"], [92, 5, 3])[0]
        start = today - timedelta(days=rng.randint(30, 5 * 365))
        managed = rng.random() < 0.1
        if managed:
            org_kind = rng.choice(["brokerage", "money_management"])
            mandates.append(
                {
                    "id": mandate_id,
                    "organisation_id": org_ids[org_kind],
                    "account_id": account_id,
                    "scope": "manage_money",
                    "starts_on": start,
                    "consent_recorded_on": start,
                    "created_at": now,
                }
            )
            mandate_id += 1
            if correspondent == "person" and rng.random() < 0.5:
                correspondent, corr_org = "organisation", org_ids[org_kind]
        has_bank = status != "closed" or rng.random() < 0.5
        accounts.append(
            {
                "id": account_id,
                "reference": f"DP{account_id:06d}",
                "person_id": person_id,
                "sds_option": option,
                "status": status,
                "start_date": start,
                "end_date": start + timedelta(days=rng.randint(30, 400))
                if status == "closed"
                else None,
                "locality": rng.choice(LOCALITIES),
                "payee_name": f"{first[0]} {last}".upper()[:18] if has_bank else None,
                "sort_code": f"{rng.randint(10, 99)}{rng.randint(0, 9999):04d}"
                if has_bank
                else None,
                "account_number": f"{rng.randint(0, 99999999):08d}" if has_bank else None,
                "bank_check": "not_checked" if has_bank else None,
                "correspondent": correspondent,
                "correspondent_representative_id": corr_rep,
                "correspondent_organisation_id": corr_org,
                "created_at": now,
            }
        )
        plan_lines = _demo_plan(rng, option, org_ids["provider"])
        effective = max(start, RATES_FROM)
        weekly = weekly_total(
            price_lines(
                plan_lines,
                book.pa_rate_on(effective).total,
                lambda org, day=effective: book.provider_rate_on(org, day),
            )
        )
        weekly_pence = to_pence(round_money(weekly))
        contribution = rng.choice([0, 0, 0, 0, 0, 500, 1250, 2500, 4000, 6000])
        budgets.append(
            {
                "id": budget_id,
                "account_id": account_id,
                "version": 1,
                "effective_from": effective,
                "status": "approved",
                "weekly_contribution_pence": contribution,
                "contribution_basis": "gross" if contribution and rng.random() < 0.1 else "net",
                "weekly_at_proposal_pence": weekly_pence,
                "reason": "Support plan agreed at assessment",
                "proposed_by_id": proposer_id,
                "proposed_at": now,
                "decided_by_id": leader_id if weekly_pence <= 150000 else officer_id,
                "decided_at": now,
            }
        )
        for spec in plan_lines:
            lines.append(
                {
                    "id": line_id,
                    "budget_id": budget_id,
                    "kind": str(spec.kind),
                    "description": spec.description,
                    "hours_hundredths": int(spec.hours * 100) if spec.hours is not None else None,
                    "amount_pence": to_pence(spec.amount) if spec.amount is not None else None,
                    "provider_id": spec.provider_id,
                }
            )
            line_id += 1
        budget_id += 1
        person_id += 1
        account_id += 1
        if len(accounts) >= CHUNK:
            flush_chunk()
            progress(CHUNK)
    flush_chunk()
    progress(n_accounts % CHUNK)
    _fix_sequences()

    if new_users:
        _demo_access(first_account_id, account_id - 1)
    audit.record(
        None,
        "demo.loaded",
        object_type="demo",
        summary=f"Demo data: {n_accounts} accounts, seed {seed}",
        after={"accounts": n_accounts, "seed": seed},
    )


def _demo_users(org_ids: dict[str, int]) -> None:
    password_hash = hash_password(DEMO_PASSWORD)
    names = {
        "admin@": "Alex Admin",
        "finance@": "Fran Finance",
        "finance2@": "Sam Second-Officer",
        "teamleader@": "Terry Team-Leader",
        "broker@": "Bea Broker",
        "recipient@": "Rowan Recipient",
    }
    for role, email in _DEMO_USERS:
        db.session.add(
            User(
                email=email,
                full_name=next(v for k, v in names.items() if email.startswith(k)),
                role=str(role),
                password_hash=password_hash,
                organisation_id=org_ids["brokerage"] if role == Role.BROKERAGE_STAFF else None,
                password_changed_at=utcnow(),
            )
        )
    db.session.flush()


def _demo_access(first_account: int, last_account: int) -> None:
    # The demo recipient is a supported person on one account and a representative on
    # another, as family carers often are.
    user_id = db.session.execute(
        select(User.id).where(User.email == "recipient@demo.glenarden.example")
    ).scalar()
    for offset, capacity in ((0, "person"), (1, "representative")):
        if first_account + offset <= last_account:
            db.session.add(
                AccountAccess(user_id=user_id, account_id=first_account + offset, capacity=capacity)
            )


RATES_FROM = date(2025, 4, 1)
DEMO_RATES = [
    # (kind, from, value, source) — shared/facts/rates.md
    (
        "living_wage",
        date(2025, 4, 1),
        1260,
        "Scottish Government adult social care minimum 2025/26",
    ),
    (
        "living_wage",
        date(2026, 4, 1),
        1345,
        "Scottish Government adult social care minimum 2026/27 (expected)",
    ),
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


def _demo_rates(provider_id: int, officer_id: int):
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


def _demo_plan(rng: random.Random, option: int, provider_id: int) -> list[LineSpec]:
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


def _fix_sequences() -> None:
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("people", "accounts", "representatives", "mandates", "budgets", "budget_lines"):
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
        )


def demo_returns(as_of: date, late_percent: int) -> int:
    """Returns history for the demo council: every return due before `as_of` sent and accepted,
    except `late_percent` of those due in the last 60 days and 1 in 200 older ones, which are
    still missing (so reminders, escalations and the reminder report have something to show).
    Deterministic. Returns how many returns it added."""
    import zlib

    from ..monitoring.jobs import outstanding_periods
    from ..monitoring.models import MonitoringReturn

    recent = as_of - timedelta(days=60)

    def late(account_id: int, start: date, due: date) -> bool:
        key = zlib.crc32(f"{account_id}:{start.isoformat()}".encode())
        return key % 100 < late_percent if due >= recent else key % 200 == 0

    now = utcnow()
    table = MonitoringReturn.__table__
    defaults = {c.name: c.default.arg for c in table.columns if c.default and c.default.is_scalar}
    rows = [
        defaults
        | {
            "account_id": account_id,
            "period_start": period.start,
            "period_end": period.end,
            "due_date": period.due,
            "status": "accepted",
            "submitted_at": now,
            "created_at": now,
        }
        for account_id, period in outstanding_periods(as_of)
        if not late(account_id, period.start, period.due)
    ]
    for chunk in range(0, len(rows), 50_000):
        insert_rows(db.session, table, rows[chunk : chunk + 50_000])
    return len(rows)
