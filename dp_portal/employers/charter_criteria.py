"""The Charter Mark criteria: a list an administrator publishes in versions. A published
version is never edited; a change (a criterion added, reworded, moved or removed) is a new
version with a note, and applications keep the version they were made under. A criterion's
key stays the same across versions, so the handbook's links (#criterion-<key>) keep working."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from ..auth.models import User
from ..core import audit
from ..core.errors import NotFound, RuleError
from ..extensions import db
from .models import CriteriaVersion, Criterion

KEY = re.compile(r"[a-z][a-z0-9_]{1,39}")


@dataclass(frozen=True)
class CriterionText:
    """One criterion as an administrator writes it for a new version."""

    key: str
    title: str
    description: str = ""
    evidence_hint: str = ""


def current_version() -> CriteriaVersion:
    """The newest published version (migration 0011 publishes version 1)."""
    version = db.session.execute(
        select(CriteriaVersion).order_by(CriteriaVersion.version.desc()).limit(1)
    ).scalar_one_or_none()
    if version is None:
        raise NotFound("no Charter Mark criteria are published")
    return version


def versions() -> list[CriteriaVersion]:
    return list(
        db.session.execute(
            select(CriteriaVersion).order_by(CriteriaVersion.version.desc())
        ).scalars()
    )


def version_by_number(number: int) -> CriteriaVersion:
    version = db.session.execute(
        select(CriteriaVersion).where(CriteriaVersion.version == number)
    ).scalar_one_or_none()
    if version is None:
        raise NotFound(f"criteria version {number}")
    return version


def _texts(version: CriteriaVersion) -> list[CriterionText]:
    return [CriterionText(c.key, c.title, c.description, c.evidence_hint) for c in version.criteria]


def _check(rows: list[CriterionText], note: str, current: CriteriaVersion) -> None:
    if not rows:
        raise RuleError("Keep at least one criterion: the Charter Mark needs something to meet")
    seen: set[str] = set()
    for row in rows:
        if not KEY.fullmatch(row.key):
            raise RuleError(
                f"The short name '{row.key}' must be 2 to 40 lower-case letters, numbers or "
                "underscores, starting with a letter, like sleepovers"
            )
        if row.key in seen:
            raise RuleError(f"Two criteria have the short name '{row.key}': give each its own")
        seen.add(row.key)
        if not row.title.strip():
            raise RuleError(f"Give the criterion '{row.key}' a title")
    if not note.strip():
        raise RuleError("Say what changed in this version")
    if rows == _texts(current):
        raise RuleError("Nothing has changed from the current version: change a criterion first")


def publish_version(rows: list[CriterionText], note: str, *, actor: User) -> CriteriaVersion:
    """Publish `rows`, in this order, as the next version. Applications already made keep
    theirs; new ones use this one."""
    current = current_version()
    _check(rows, note, current)
    number = (db.session.execute(select(func.max(CriteriaVersion.version))).scalar() or 0) + 1
    version = CriteriaVersion(version=number, note=note.strip(), published_by_id=actor.id)
    db.session.add(version)
    db.session.flush()
    for position, row in enumerate(rows, start=1):
        db.session.add(
            Criterion(
                criteria_version_id=version.id,
                key=row.key,
                position=position,
                title=row.title.strip(),
                description=row.description.strip(),
                evidence_hint=row.evidence_hint.strip(),
            )
        )
    db.session.flush()
    before = {c.key: c.title for c in current.criteria}
    after = {row.key: row.title.strip() for row in rows}
    audit.record(
        actor,
        "charter.criteria_published",
        version,
        summary=f"Charter Mark criteria version {number} published: {note.strip()}"[:300],
        before={"version": current.version, "criteria": before},
        after={"version": number, "criteria": after, "note": note.strip()},
    )
    return version


def changes(version: CriteriaVersion) -> dict[str, list[str]]:
    """What a version changed from the one before it: titles added, reworded and removed."""
    previous = db.session.execute(
        select(CriteriaVersion).where(CriteriaVersion.version == version.version - 1)
    ).scalar_one_or_none()
    old = {c.key: c for c in previous.criteria} if previous else {}
    new = {c.key: c for c in version.criteria}
    return {
        "added": [c.title for key, c in new.items() if key not in old],
        "reworded": [
            c.title
            for key, c in new.items()
            if key in old
            and (c.title, c.description, c.evidence_hint)
            != (old[key].title, old[key].description, old[key].evidence_hint)
        ],
        "removed": [c.title for key, c in old.items() if key not in new],
    }
