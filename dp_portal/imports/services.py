"""The import pages' use cases: upload a file, say what each sheet holds and which field
each column is, check it (the dry run), apply it or cancel it, and list past imports. Never
commits: the request (or the job) does."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..auth.models import User
from ..core import audit
from ..core.errors import RuleError
from ..core.pagination import BoundedPage, bounded_page
from ..core.types import utcnow
from ..extensions import db
from .engine import apply_checked, plan, store_report
from .expiry import abandoned, last_touched
from .fields import Kind, guess_kind
from .files import read_upload
from .lifecycle import ImportState, move
from .mapping import locator, offer, problems, remember, sheet_rows
from .models import Import, ImportSheet
from .plan import Rows, without_cycle_collection

EDITABLE = (ImportState.UPLOADED, ImportState.CHECKED, ImportState.FAILED)


class MappingProblems(RuleError):
    """Every problem with the columns chosen, each naming its sheet."""

    def __init__(self, found: list[str]):
        super().__init__(" ".join(found))
        self.problems = found


def start(data: bytes, filename: str | None, source: str, actor: User) -> Import:
    """Read an upload into an import waiting for its columns (UploadError if it cannot be
    read: nothing is kept)."""
    with without_cycle_collection():
        return _keep(read_upload(data, filename), source, actor)


def _keep(upload: tuple[str, str, list], source: str, actor: User) -> Import:
    file_type, name, tables = upload
    record = Import(
        source=" ".join(source.split()),
        file_name=name,
        file_type=file_type,
        state=ImportState.UPLOADED,
        created_by_id=actor.id,
    )
    db.session.add(record)
    db.session.flush()
    for position, table in enumerate(tables):
        kind = guess_kind(table.name)
        db.session.add(
            ImportSheet(
                import_id=record.id,
                position=position,
                name=table.name[:120],
                kind=kind.value if kind else None,
                headings_json=json.dumps(table.headings),
                rows_json=json.dumps(table.rows, separators=(",", ":")),
                row_count=len(table.rows),
            )
        )
    db.session.flush()
    db.session.refresh(record)
    return record


def editable(record: Import) -> None:
    if record.state not in EDITABLE or not any(s.rows_json for s in record.sheets):
        raise RuleError(f"This import is {record.state_label.lower()}: start a new one instead")


@dataclass(frozen=True)
class SheetColumns:
    """One sheet on the columns page: what it holds, and each column with an example."""

    sheet: ImportSheet
    kind: Kind
    examples: list[str]
    chosen: dict[int, str]
    remembered: bool


def _examples(sheet: ImportSheet) -> list[str]:
    found = [""] * len(sheet.headings)
    for _, cells in json.loads(sheet.rows_json or "[]")[:50]:
        for index, text in enumerate(cells[: len(found)]):
            found[index] = found[index] or text
    return found


def columns_page(record: Import, kinds: dict[int, Kind | None]) -> list[SheetColumns]:
    """The sheets chosen to import, each with the fields offered for its columns: those
    chosen last time for the same source and headings, or else guessed from the headings."""
    editable(record)
    found = []
    for sheet in record.sheets:
        kind = kinds.get(sheet.position)
        if kind is None:
            continue
        mapped = sheet.mapping if sheet.kind == kind else {}
        offered = offer(record.source, kind, sheet.headings)
        chosen = {int(i): name for i, name in mapped.items()} or offered.fields
        found.append(SheetColumns(sheet, kind, _examples(sheet), chosen, offered.remembered))
    if not found:
        raise RuleError("Choose what at least one sheet holds")
    return found


def _check_choices(record: Import, chosen: dict[int, tuple[Kind, dict[int, str]]]) -> None:
    found = []
    seen: dict[Kind, str] = {}
    for sheet in record.sheets:
        if sheet.position not in chosen:
            continue
        kind, fields = chosen[sheet.position]
        if kind in seen:
            found.append(
                f"{seen[kind]} and {sheet.name} both hold {kind.label.lower()}: "
                "import one of them at a time"
            )
        seen[kind] = sheet.name
        found += [f"{sheet.name}: {p}" for p in problems(kind, fields, sheet.headings)]
    if not chosen:
        found.append("Choose what at least one sheet holds")
    if found:
        raise MappingProblems(found)


def sets_of(record: Import) -> dict[Kind, Rows]:
    return {Kind(sheet.kind): sheet_rows(sheet) for sheet in record.sheets if sheet.kind}


def _dry_run(record: Import, actor: User) -> None:
    locate = locator(record.sheets, record.file_type)
    with without_cycle_collection():
        ctx = plan(sets_of(record), actor, source=record.source, locate=locate)
        store_report(record, ctx.report)
    move(record, ImportState.CHECKED, failure=None)


def check(record: Import, chosen: dict[int, tuple[Kind, dict[int, str]]], actor: User) -> None:
    """Keep what each sheet holds and its columns (remembered for the source), then run the
    dry run: the report of every row, nothing else written."""
    editable(record)
    _check_choices(record, chosen)
    for sheet in record.sheets:
        kind, fields = chosen.get(sheet.position, (None, {}))
        sheet.kind = kind.value if kind else None
        sheet.mapping_json = json.dumps({str(i): name for i, name in fields.items()})
        if kind is not None:
            remember(record.source, kind, sheet.headings, fields, actor)
    _dry_run(record, actor)


def check_again(record: Import, actor: User) -> None:
    """The dry run again, with the same columns (the records it names may have changed)."""
    editable(record)
    if not any(sheet.kind for sheet in record.sheets):
        raise RuleError("Choose the columns first")
    _dry_run(record, actor)


def _forget_rows(record: Import) -> None:
    """The rows read from the file are not kept once they are applied or cancelled: the
    report is the record of what was done."""
    for sheet in record.sheets:
        sheet.rows_json = None


def apply_now(record: Import, actor: User) -> None:
    """Apply an import in the state APPLYING (in the request, or in the job)."""
    apply_checked(record, sets_of(record), actor, locator(record.sheets, record.file_type))
    if record.state == ImportState.APPLIED:
        _forget_rows(record)


def request_apply(record: Import, actor: User, *, in_request_rows: int) -> bool:
    """Start applying a checked import with no problems: at once when it has at most
    `in_request_rows` rows (True), otherwise left APPLYING for the imports job (False)."""
    if record.state == ImportState.CHECKED and record.problem_count:
        raise RuleError(
            "The dry run found problems. Put them right in the file and upload it again, or "
            "change the columns and check it again"
        )
    move(record, ImportState.APPLYING, applied_by_id=actor.id, apply_started_at=utcnow())
    if record.row_count > in_request_rows:
        return False
    apply_now(record, actor)
    return True


def next_waiting() -> Import | None:
    """The oldest import waiting for the job, locked so that no other job takes it too."""
    return db.session.execute(
        select(Import)
        .where(Import.state == ImportState.APPLYING)
        .order_by(Import.apply_started_at, Import.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).scalar_one_or_none()


def cancel(record: Import, actor: User) -> None:
    move(record, ImportState.CANCELLED, finished_at=utcnow())
    _forget_rows(record)
    audit.record(
        actor, "import.cancelled", record, summary=f"Import from {record.source} cancelled"
    )


def cancel_abandoned(now: datetime, days: int) -> int:
    """Cancel every unfinished import nobody has touched for `days` (imports/expiry.py), by
    the system, dropping its rows; how many."""
    cutoff = now - timedelta(days=days)
    candidates = (
        db.session.execute(
            select(Import).where(Import.state.in_(EDITABLE), Import.created_at <= cutoff)
        )
        .scalars()
        .all()
    )
    cancelled = 0
    for record in candidates:
        if not abandoned(
            last_touched(record.created_at, record.checked_at, record.finished_at), now, days
        ):
            continue
        try:
            move(record, ImportState.CANCELLED, finished_at=now)
        except RuleError:
            continue  # an officer applied or cancelled it just now: theirs stands
        _forget_rows(record)
        audit.record(
            None,
            "import.expired",
            record,
            summary=f"Import from {record.source} cancelled: not applied within {days} days, "
            "so the rows read from its file were deleted",
        )
        cancelled += 1
    return cancelled


def imports_page(page: int) -> BoundedPage:
    return bounded_page(select(Import).order_by(Import.id.desc()), page)
