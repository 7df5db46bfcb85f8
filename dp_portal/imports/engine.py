"""The import engine, for the pages and the JSON API alike. Rows come in as cells by
canonical field name (imports/fields.py); the mapping step turns a file's columns into them.

    check_rows(kind, rows, actor) -> ImportReport          a dry run: writes nothing
    apply_rows(kind, rows, actor, source, key) -> ImportResult
                                                           checks again, then applies in one
                                                           transaction, or applies nothing

Neither commits: the request (or the job) that calls them does. docs/bulk-import.md has the
whole contract.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..auth.models import User
from ..core import audit
from ..core.errors import RuleError
from ..core.modulus_models import installed_tables
from ..core.types import local_today, utcnow
from ..extensions import db
from ..payments.plans import rate_book
from ..payments.services import providers
from .fields import BY_NAME, ORDER, Kind
from .lifecycle import ImportState, move
from .models import Import
from .plan import Context, Rows, without_cycle_collection
from .plan_accounts import plan_accounts
from .plan_budgets import plan_budgets
from .plan_money import plan_bank_details
from .plan_people import plan_people, plan_representatives
from .report import Action, ImportReport, ImportResult, Locate, locate_in_rows
from .values import cell_text
from .writes import execute

log = logging.getLogger(__name__)

PLANNERS = {
    Kind.PEOPLE: plan_people,
    Kind.REPRESENTATIVES: plan_representatives,
    Kind.ACCOUNTS: plan_accounts,
    Kind.BANK_DETAILS: plan_bank_details,
    Kind.BUDGETS: plan_budgets,
}


def kind_of(kind: str) -> Kind:
    try:
        return Kind(kind)
    except ValueError as exc:
        raise RuleError(
            f"{kind} is not a kind of record we import: use {', '.join(k.value for k in Kind)}"
        ) from exc


def _known_fields(ctx: Context, kind: Kind, rows: Rows) -> Rows:
    """Rows with only the kind's fields: a cell under any other name is a problem (an API
    caller's typing mistake must not be dropped silently)."""
    known = BY_NAME[kind]
    for number, cells in rows:
        for name in cells.keys() - known.keys():
            ctx.problem(kind, number, name, f"{name} is not a field of {kind.label.lower()}")
    return rows


def plan(
    sets: Mapping[Kind, Rows],
    actor: User,
    *,
    source: str,
    locate: Locate = locate_in_rows,
    today: date | None = None,
) -> Context:
    """Check every row of every kind, in the order they would be applied, against what we
    hold: the report, and the steps applying would take. Reads only."""
    with without_cycle_collection():
        return _plan(sets, actor, source, locate, today)


def _plan(sets, actor, source, locate, today) -> Context:
    ctx = Context(
        actor,
        source,
        today or local_today(),
        locate,
        installed_tables(),
        rate_book(),
        dict(providers()),
    )
    for kind in ORDER:
        if kind in sets:
            ctx.report.rows[kind.value] = len(sets[kind])
            PLANNERS[kind](ctx, _known_fields(ctx, kind, sets[kind]))
    rank = {kind.value: i for i, kind in enumerate(ORDER)}
    ctx.report.problems.sort(key=lambda p: (rank[p.kind], p.row))  # as the file reads
    return ctx


def numbered(rows: list[Mapping[str, Any]]) -> Rows:
    """Rows sent as a list (the JSON API): numbered from 1, every value as text."""
    found: Rows = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise RuleError(f"Row {number} is not a set of fields by name")
        found.append((number, {str(name): cell_text(value) for name, value in row.items()}))
    return found


def _sets(sets: Mapping[str, list[Mapping[str, Any]]]) -> dict[Kind, Rows]:
    return {kind_of(kind): numbered(rows) for kind, rows in sets.items()}


def check_sets(
    sets: Mapping[str, list[Mapping[str, Any]]], actor: User, *, source: str = "API"
) -> ImportReport:
    """A dry run of rows of several kinds at once ({"people": [...], "accounts": [...]}):
    an account may name a person in the same call. Writes nothing."""
    return plan(_sets(sets), actor, source=source).report


def check_rows(
    kind: str, rows: list[Mapping[str, Any]], actor: User, *, source: str = "API"
) -> ImportReport:
    """A dry run of rows of one kind: every row's problems and what it would do. Writes
    nothing."""
    return check_sets({kind: rows}, actor, source=source)


def store_report(record: Import, report: ImportReport) -> None:
    counts = report.counts()
    record.row_count = report.row_count
    record.problem_count = report.problem_count
    record.created_count = counts[Action.CREATE.value]
    record.updated_count = counts[Action.UPDATE.value]
    record.unchanged_count = counts[Action.UNCHANGED.value]
    record.approval_count = report.approvals()
    record.report_json = _json(report)
    record.checked_at = utcnow()


def _json(report: ImportReport) -> str:
    return json.dumps(report.as_json(), separators=(",", ":"))


def result_of(record: Import) -> ImportResult:
    report = ImportReport.from_json(record.report) if record.report else ImportReport()
    data = record.report or {}
    return ImportResult(
        record.id, record.state, data.get("counts", {}), record.approval_count, report
    )


def _fail(record: Import, actor: User, reason: str) -> None:
    move(record, ImportState.FAILED, failure=reason[:500], finished_at=utcnow())
    audit.record(
        actor,
        "import.failed",
        record,
        summary=f"Import from {record.source} not applied",
        after={"reason": reason[:500]},
    )


def apply_checked(
    record: Import,
    sets: Mapping[Kind, Rows],
    actor: User,
    locate: Locate,
    ctx: Context | None = None,
) -> None:
    """Apply an import that is in the state APPLYING: check every row again (what it names
    may have changed since its dry run; `ctx` is a dry run made in this same transaction),
    then make every change in one savepoint. Anything refused undoes all of it and leaves the
    import FAILED, saying why."""
    ctx = ctx or plan(sets, actor, source=record.source, locate=locate)
    store_report(record, ctx.report)
    if not ctx.report.ok:
        _fail(
            record,
            actor,
            "The rows have problems now that they did not have when they were "
            "checked (the records they name have changed): check the import again",
        )
        return
    try:
        with db.session.begin_nested():
            execute(ctx, record.id)
    except RuleError as exc:
        _fail(record, actor, str(exc))
        return
    except SQLAlchemyError:
        log.exception("Import %s could not be applied", record.id)
        _fail(
            record,
            actor,
            "Someone changed the same records while the import was being "
            "applied, so nothing was changed: check the import again",
        )
        return
    move(record, ImportState.APPLIED, finished_at=utcnow())
    audit.record(
        actor,
        "import.applied",
        record,
        summary=f"Import from {record.source}: {record.created_count} new, "
        f"{record.updated_count} changed, {record.approval_count} waiting for approval",
        after={
            "rows": record.row_count,
            "created": record.created_count,
            "updated": record.updated_count,
            "approvals": record.approval_count,
        },
    )


def apply_rows(
    kind: str, rows: list[Mapping[str, Any]], actor: User, source: str, key: str | None = None
) -> ImportResult:
    """Check the rows and, when none has a problem, apply them in one transaction (rows
    matched on their references, so applying the same rows again changes nothing). With a
    key, the import is recorded under it: the same source and key again answers with the
    first result. Rows with problems are not applied: the result's state is "checked" and
    its report lists them."""
    return apply_sets({kind: rows}, actor, source, key)


def apply_sets(
    sets: Mapping[str, list[Mapping[str, Any]]],
    actor: User,
    source: str,
    key: str | None = None,
) -> ImportResult:
    """apply_rows for rows of several kinds at once, applied people first."""
    parsed = _sets(sets)
    record = _record_for(source, key, actor)
    if record.state == ImportState.APPLIED:
        return result_of(record)
    ctx = plan(parsed, actor, source=source)
    store_report(record, ctx.report)
    move(record, ImportState.CHECKED)
    if ctx.report.ok:
        move(record, ImportState.APPLYING, applied_by_id=actor.id, apply_started_at=utcnow())
        apply_checked(record, parsed, actor, locate_in_rows, ctx)
    return result_of(record)


def _record_for(source: str, key: str | None, actor: User) -> Import:
    if not 0 < len(source) <= 80 or (key is not None and not 0 < len(key) <= 80):
        raise RuleError("Give a source, and any key, of 1 to 80 characters")
    if key is not None:
        found = db.session.execute(
            select(Import).where(Import.source == source, Import.idempotency_key == key)
        ).scalar_one_or_none()
        if found is not None:
            if found.state not in (ImportState.APPLIED, ImportState.CHECKED, ImportState.FAILED):
                raise RuleError(f"The import with key {key} is being applied: ask again later")
            return found
    record = Import(
        source=source,
        file_type="api",
        idempotency_key=key,
        created_by_id=actor.id,
        state=ImportState.UPLOADED,
    )
    db.session.add(record)
    db.session.flush()
    return record
