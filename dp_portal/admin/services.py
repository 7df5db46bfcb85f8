"""What an administrator looks after: the council's calendar overrides, the bank-checking
tables and who may use the portal. Never commits: the request does."""

from __future__ import annotations

from datetime import date, datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, func, select

from ..auth import services as auth_services
from ..auth.models import Role, User
from ..core import audit
from ..core.calendar import Region, bank_holidays
from ..core.calendar_models import CalendarOverride
from ..core.errors import NotFound, RuleError
from ..core.modulus import ModulusTables, TableError
from ..core.modulus_models import ModulusTableVersion
from ..core.permissions import Viewer
from ..core.tasks import Group, Task
from ..core.types import utcnow
from ..extensions import db
from ..third_party import services as third_party

MAX_TABLE_BYTES = 2 * 1024 * 1024
OVERRIDE_FIELDS = ["day", "region", "kind", "reason"]
USERS_PER_PAGE = 50

# --- The working-day calendar ---------------------------------------------------------------


def overrides() -> list[CalendarOverride]:
    return list(
        db.session.execute(select(CalendarOverride).order_by(CalendarOverride.day.desc())).scalars()
    )


def published_holidays(year: int) -> dict[Region, list[tuple[date, str]]]:
    """The bank holidays each calendar already knows, for the page beside the overrides."""
    return {
        region: sorted(bank_holidays(region, year).items())
        for region in (Region.SCOTLAND, Region.BACS)
    }


def add_override(day: date, region: str, kind: str, reason: str, *, actor: User):
    taken = db.session.execute(
        select(CalendarOverride.id).where(
            CalendarOverride.day == day, CalendarOverride.region == region
        )
    ).first()
    if taken:
        raise RuleError("That date already has an entry for this calendar: remove it first")
    row = CalendarOverride(day=day, region=region, kind=kind, reason=reason, created_by_id=actor.id)
    db.session.add(row)
    audit.record(
        actor,
        "calendar.override_added",
        row,
        summary=f"{row.day.isoformat()} {row.kind} ({row.region})",
        after=audit.snapshot(row, OVERRIDE_FIELDS),
    )
    return row


def remove_override(override_id: int, *, actor: User) -> None:
    row = db.session.get(CalendarOverride, override_id)
    if row is None:
        raise NotFound(f"calendar override {override_id}")
    audit.record(
        actor,
        "calendar.override_removed",
        row,
        summary=f"{row.day.isoformat()} {row.kind} ({row.region}) removed",
        before=audit.snapshot(row, OVERRIDE_FIELDS),
    )
    db.session.delete(row)


# --- Bank checking (Pay.UK modulus tables) --------------------------------------------------


def read_table_file(storage, name: str) -> str:
    """An uploaded table's text; TableError names what is wrong with the file."""
    data = storage.read(MAX_TABLE_BYTES + 1)
    if len(data) > MAX_TABLE_BYTES:
        raise TableError(f"The {name} file must be smaller than 2 MB")
    try:
        return data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise TableError(f"The {name} file must be a plain text file from Pay.UK") from exc


def install_table(label: str, valacdos: str, scsubtab: str, *, actor: User):
    """Check and store a new table (it is used from now on); TableError if it does not parse."""
    tables = ModulusTables.parse(valacdos, scsubtab)
    row = ModulusTableVersion(
        label=label,
        valacdos=valacdos,
        scsubtab=scsubtab,
        row_count=len(tables.rows),
        uploaded_by_id=actor.id,
    )
    db.session.add(row)
    audit.record(
        actor,
        "bank_checking.table_uploaded",
        row,
        summary=f"Modulus table {row.label} ({row.row_count} rows)",
        after={"label": row.label, "rows": row.row_count},
    )
    return row


def table_versions() -> list:
    return list(
        db.session.execute(
            select(
                ModulusTableVersion.id,
                ModulusTableVersion.label,
                ModulusTableVersion.row_count,
                ModulusTableVersion.uploaded_at,
            ).order_by(ModulusTableVersion.id.desc())
        ).all()
    )


# --- Users ----------------------------------------------------------------------------------


def locked_out(now: datetime) -> ColumnElement[bool]:
    """Users locked after too many wrong passwords, until the lock runs out."""
    return User.locked_until > now


def users_page(role: str, page: int, *, locked: bool = False) -> Pagination:
    query = select(User).order_by(User.full_name, User.id)
    if role in set(Role):
        query = query.where(User.role == role)
    if locked:
        query = query.where(locked_out(utcnow()))
    return db.paginate(query, page=page, per_page=USERS_PER_PAGE, error_out=False)


def home_tasks(viewer: Viewer) -> list[Task]:
    """The administrators' part of the home page: users locked out now."""
    if viewer.role != Role.ADMIN:
        return []
    locked = select(func.count()).where(locked_out(utcnow()))
    return [
        Task(
            "Users locked out after wrong passwords",
            db.session.execute(locked).scalar_one(),
            "admin.users",
            {"status": "locked"},
            group=Group.SETTINGS,
        )
    ]


def load_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id}")
    return user


def organisation_choices() -> list[tuple[int, str]]:
    return third_party.organisation_names()


def invite_user(email: str, full_name: str, role: Role, organisation_id, *, actor: User) -> User:
    if auth_services.find_user_by_email(email) is not None:
        raise RuleError("A user with this email address already exists")
    return auth_services.invite_user(
        email=email, full_name=full_name, role=role, organisation_id=organisation_id, actor=actor
    )


def update_user(
    user: User, *, role: Role, organisation_id: int | None, is_enabled: bool, actor: User
) -> None:
    # An administrator cannot lock themselves out: someone must always be able to administer.
    if user.id == actor.id and (role != Role.ADMIN or not is_enabled):
        raise RuleError("You cannot remove your own administrator access.")
    auth_services.update_user(
        user, role=role, organisation_id=organisation_id, is_enabled=is_enabled, actor=actor
    )
