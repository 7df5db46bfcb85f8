"""Bulk imports: each upload (or API call) with its sheets and the report of its dry run, the
column mappings remembered per source system, and the case-management references of the
accounts an import created or matched. Rows read from a file are kept as text until the
import is applied or cancelled, then dropped: the report stays as the record of what was done.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import UTCDateTime, utcnow
from ..extensions import db
from .lifecycle import ImportState

KINDS_SQL = "('people', 'representatives', 'accounts', 'bank_details', 'budgets')"
STATES_SQL = "(" + ", ".join(f"'{state.value}'" for state in ImportState) + ")"


class Import(db.Model):
    """One import: a file uploaded through the pages, or rows sent to the API."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(80), nullable=False)
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_type: Mapped[str] = mapped_column(String(8), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default=ImportState.UPLOADED)
    # The caller's key for one import (the API's idempotency key): applying the same key from
    # the same source again answers with the first result and changes nothing.
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    apply_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    row_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    problem_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unchanged_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Bank details and budgets imported wait for a second officer, as the forms' do.
    approval_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    report_json: Mapped[str | None] = mapped_column(Text)
    failure: Mapped[str | None] = mapped_column(String(500))

    sheets = relationship("ImportSheet", order_by="ImportSheet.position", lazy="selectin")
    created_by = relationship("User", foreign_keys=[created_by_id])
    applied_by = relationship("User", foreign_keys=[applied_by_id])

    __table_args__ = (
        CheckConstraint(f"state IN {STATES_SQL}", name="state"),
        CheckConstraint("file_type IN ('csv', 'xlsx', 'api')", name="file_type"),
        UniqueConstraint("source", "idempotency_key", name="uq_imports_source_key"),
        Index("ix_imports_state", "state"),
    )

    @property
    def state_label(self) -> str:
        return ImportState(self.state).label

    @property
    def report(self) -> dict[str, Any] | None:
        return json.loads(self.report_json) if self.report_json else None


class ImportSheet(db.Model):
    """One sheet of an uploaded workbook (or the one table of a CSV file): its headings, its
    rows as text until the import is applied or cancelled, and how its columns were mapped."""

    __tablename__ = "import_sheets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    kind: Mapped[str | None] = mapped_column(String(20))
    headings_json: Mapped[str] = mapped_column(Text, nullable=False)
    rows_json: Mapped[str | None] = mapped_column(Text)
    row_count: Mapped[int] = mapped_column(Integer, nullable=False)
    mapping_json: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("import_id", "position", name="uq_import_sheets_position"),
        CheckConstraint(f"kind IS NULL OR kind IN {KINDS_SQL}", name="kind"),
    )

    @property
    def headings(self) -> list[str]:
        return json.loads(self.headings_json)

    @property
    def mapping(self) -> dict[str, str]:
        """{column index as text: field name} for the columns mapped to a field."""
        return json.loads(self.mapping_json) if self.mapping_json else {}


class ColumnMapping(db.Model):
    """Which field each column is, remembered per source system and kind of record, and
    offered the next time a file from that source has the same headings."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_key: Mapped[str] = mapped_column(String(80), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    headings_json: Mapped[str] = mapped_column(Text, nullable=False)
    # {heading: field name}: by heading, so a file with its columns in another order still
    # maps the same way.
    fields_json: Mapped[str] = mapped_column(Text, nullable=False)
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        UniqueConstraint("source_key", "kind", name="uq_import_mappings_source_kind"),
        CheckConstraint(f"kind IN {KINDS_SQL}", name="kind"),
    )


class ImportReference(db.Model):
    """An account's reference in the case-management system, so that the same file imported
    again finds the account it made the first time instead of opening another."""

    __tablename__ = "import_references"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), nullable=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        UniqueConstraint("reference", name="uq_import_references_reference"),
        Index("ix_import_references_account_id", "account_id"),
    )
