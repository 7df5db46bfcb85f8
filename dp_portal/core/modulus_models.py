"""The installed Pay.UK modulus tables: uploaded by an admin, newest wins, never edited."""

from __future__ import annotations

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


_cache: dict[tuple[str, int], ModulusTables] = {}


def installed_tables() -> ModulusTables | None:
    """The newest uploaded table, else one installed on disk (MODULUS_TABLE_DIR), else None."""
    newest = db.session.execute(
        select(ModulusTableVersion.id).order_by(ModulusTableVersion.id.desc()).limit(1)
    ).scalar()
    if newest is not None:
        key = ("db", newest)
        if key not in _cache:
            row = db.session.get(ModulusTableVersion, newest)
            _cache.clear()
            _cache[key] = ModulusTables.parse(row.valacdos, row.scsubtab)
        return _cache[key]
    folder = current_app.config.get("MODULUS_TABLE_DIR")
    if folder and (Path(folder) / "valacdos.txt").is_file():
        key = (folder, 0)
        if key not in _cache:
            sub = Path(folder) / "scsubtab.txt"
            _cache[key] = ModulusTables.parse(
                (Path(folder) / "valacdos.txt").read_text(),
                sub.read_text() if sub.is_file() else "",
            )
        return _cache[key]
    return None
