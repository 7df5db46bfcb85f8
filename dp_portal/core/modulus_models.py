"""The installed Pay.UK modulus tables: uploaded by an admin, newest wins, never edited."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .modulus import ModulusTables
from .types import UTCDateTime, utcnow


class ModulusTableVersion(db.Model):
    __tablename__ = "modulus_table_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(120), nullable=False)
    valacdos: Mapped[str] = mapped_column(Text, nullable=False)
    scsubtab: Mapped[str] = mapped_column(Text, nullable=False, default="")
    row_count: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(Integer)  # foreign key: auth/models.py


# Parsed tables by where they came from: one entry, replaced when a newer table is uploaded.
# Threads of one web process share it; the lock makes filling it one thread's work, so a
# thread never reads the entry another has just cleared (gthread workers, deploy/).
_cache: dict[tuple[str, int], ModulusTables] = {}
_cache_lock = threading.Lock()


def _cached(key: tuple[str, int], parse: Callable[[], ModulusTables]) -> ModulusTables:
    with _cache_lock:
        tables = _cache.get(key)
        if tables is None:
            tables = parse()
            _cache.clear()
            _cache[key] = tables
        return tables


def _parse_uploaded(version_id: int) -> ModulusTables:
    row = db.session.get(ModulusTableVersion, version_id)
    return ModulusTables.parse(row.valacdos, row.scsubtab)


def installed_tables() -> ModulusTables | None:
    """The newest uploaded table, else one installed on disk (MODULUS_TABLE_DIR), else None."""
    newest = db.session.execute(
        select(ModulusTableVersion.id).order_by(ModulusTableVersion.id.desc()).limit(1)
    ).scalar()
    if newest is not None:
        return _cached(("db", newest), lambda: _parse_uploaded(newest))
    folder = current_app.config.get("MODULUS_TABLE_DIR")
    if folder and (Path(folder) / "valacdos.txt").is_file():
        sub = Path(folder) / "scsubtab.txt"
        return _cached(
            (folder, 0),
            lambda: ModulusTables.parse(
                (Path(folder) / "valacdos.txt").read_text(),
                sub.read_text() if sub.is_file() else "",
            ),
        )
    return None
