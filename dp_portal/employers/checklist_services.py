"""The employer checklist: each item's state from its newest tick, and recording a tick with
an optional evidence file (through core/uploads' rules, like return evidence). Services never
commit: the request does, once; a stored file is removed again if it rolls back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ..accounts.models import Account
from ..auth.models import User
from ..core import audit
from ..core.uploads import EVIDENCE, check_upload, store
from ..extensions import db
from .checklist import ITEMS, Item, State, check_tick, describe, item, state_on
from .models import ChecklistTick, EmployerFile


@dataclass(frozen=True)
class ItemView:
    item: Item
    tick: ChecklistTick | None
    state: State
    summary: str


def latest_ticks(account_id: int) -> dict[str, ChecklistTick]:
    """The newest tick for each item of one account (ticks are appended: the newest wins)."""
    newest = (
        select(func.max(ChecklistTick.id))
        .where(ChecklistTick.account_id == account_id)
        .group_by(ChecklistTick.item_key)
    )
    rows = db.session.execute(select(ChecklistTick).where(ChecklistTick.id.in_(newest))).scalars()
    return {tick.item_key: tick for tick in rows}


def checklist_for(account_id: int, today: date) -> list[ItemView]:
    ticks = latest_ticks(account_id)
    views = []
    for entry in ITEMS:
        tick = ticks.get(entry.key)
        done_on = tick.done_on if tick else None
        renews_on = tick.renews_on if tick else None
        state = state_on(done_on, renews_on, today)
        views.append(ItemView(entry, tick, state, describe(state, done_on, renews_on)))
    return views


def history(account_id: int, key: str) -> list[ChecklistTick]:
    return list(
        db.session.execute(
            select(ChecklistTick)
            .where(ChecklistTick.account_id == account_id, ChecklistTick.item_key == key)
            .order_by(ChecklistTick.id.desc())
        ).scalars()
    )


@dataclass(frozen=True)
class Upload:
    filename: str | None
    data: bytes


def _store_file(account: Account, upload: Upload, actor: User) -> EmployerFile:
    checked = check_upload(upload.data, upload.filename, EVIDENCE)
    stored = store(upload.data, EmployerFile.AREAS["checklist"], checked.kind)
    row = EmployerFile(
        account_id=account.id,
        purpose="checklist",
        original_name=checked.name,
        stored_name=stored.stored_name,
        content_type=checked.kind.content_type,
        sha256=stored.sha256,
        size=stored.size,
        uploaded_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def record_tick(
    account: Account,
    key: str,
    *,
    done_on: date,
    renews_on: date | None,
    note: str,
    upload: Upload | None,
    actor: User,
    today: date,
) -> ChecklistTick:
    """Tick an item. Raises RuleError for a tick that cannot be right, UploadError for a file
    the upload rules refuse (nothing is recorded either way)."""
    check_tick(key, done_on, renews_on, note, today)
    file = _store_file(account, upload, actor) if upload is not None else None
    tick = ChecklistTick(
        account_id=account.id,
        item_key=key,
        done_on=done_on,
        renews_on=renews_on,
        note=note,
        file_id=file.id if file else None,
        recorded_by_id=actor.id,
    )
    db.session.add(tick)
    db.session.flush()
    after = {"item": key, "done_on": done_on.isoformat(), "note": note}
    if renews_on:
        after["renews_on"] = renews_on.isoformat()
    if file:
        after |= {"file": file.original_name, "sha256": file.sha256, "size": file.size}
    audit.record(
        actor,
        "checklist.ticked",
        tick,
        account_id=account.id,
        summary=f"Employer checklist: {item(key).title}, done on {done_on:%d %B %Y}",
        after=after,
    )
    return tick
