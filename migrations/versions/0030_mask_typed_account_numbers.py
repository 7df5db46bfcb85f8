"""Mask the account numbers kept whole in standardisation notes before they were masked.

Until 3 December 2026, when an officer typed a 6-, 7-, 9- or 10-digit account number, the note
saying how it was standardised ("The account number 1234567 has 7 digits: …") was kept whole:
on the bank details change, on the pooled account change, and in the audit log's `standardised`
field of the request. Everywhere else an account number is shown as its last four digits. This
masks those notes the same way (`core/bank_numbers.Standardised.masked_note`), so a number
typed then is no longer readable in full anywhere but the account itself.

The audit log is append-only in the database (triggers, migration 0001). Its triggers are
lifted only inside this migration's transaction, for the rows that hold such a note, and put
back before it ends; an audit event says how many entries were masked and why, so the log
itself records that it was changed. Only digit runs of 6 or more are masked: sort codes in the
notes are written with dashes, and an already masked number (****1234) has none, so running
this again changes nothing.

Downgrading does not unmask (the numbers are gone, which is the point).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03
"""

import json
import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

# The two requests whose audit entry carried the note (accounts/bank_changes.py and
# third_party/org_services.py).
ACTIONS = ("bank_details.change_requested", "organisation.pooled_account_change_requested")
CHANGE_TABLES = ("bank_details_changes", "pooled_account_changes")

# Copied here, not imported, so this revision never changes when the app code does.
LIFT_TRIGGERS = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_events_no_update"],
    "postgresql": ["ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change"],
}
RESTORE_TRIGGERS = {
    "sqlite": [
        """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
           BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"""
    ],
    "postgresql": ["ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change"],
}


def masked(note: str | None) -> str | None:
    """Every run of 6 or more digits shown as its last four, as mask_account_number does."""
    if note is None:
        return None
    return re.sub(r"[0-9]{6,}", lambda m: f"****{m.group()[-4:]}", note)


def upgrade() -> None:
    connection = op.get_bind()
    changes = sum(_mask_change_rows(connection, table) for table in CHANGE_TABLES)
    entries = _entries_to_mask(connection)
    if entries:
        dialect = connection.dialect.name
        for statement in LIFT_TRIGGERS[dialect]:
            op.execute(statement)
        connection.execute(
            sa.text("UPDATE audit_events SET after_json = :after WHERE id = :id"),
            [{"id": entry_id, "after": after} for entry_id, after in entries],
        )
        for statement in RESTORE_TRIGGERS[dialect]:
            op.execute(statement)
    if entries or changes:
        _record(connection, len(entries), changes)


def downgrade() -> None:
    pass  # a masked number cannot be unmasked


def _mask_change_rows(connection, name: str) -> int:
    table = sa.table(name, sa.column("id", sa.Integer), sa.column("standardised_note", sa.String))
    rows = connection.execute(
        sa.select(table.c.id, table.c.standardised_note).where(
            table.c.standardised_note.is_not(None)
        )
    ).all()
    updates = [
        {"row_id": row_id, "note": masked(note)} for row_id, note in rows if masked(note) != note
    ]
    if updates:
        connection.execute(
            table.update()
            .where(table.c.id == sa.bindparam("row_id"))
            .values(standardised_note=sa.bindparam("note")),
            updates,
        )
    return len(updates)


def _entries_to_mask(connection) -> list[tuple[int, str]]:
    rows = connection.execute(
        sa.text(
            "SELECT id, after_json FROM audit_events "
            "WHERE action IN :actions AND after_json IS NOT NULL"
        ).bindparams(sa.bindparam("actions", expanding=True)),
        {"actions": list(ACTIONS)},
    ).all()
    found = []
    for entry_id, after_json in rows:
        after = json.loads(after_json)
        note = after.get("standardised")
        if isinstance(note, str) and masked(note) != note:
            after["standardised"] = masked(note)
            # As core/audit.record writes it, so the entry reads as it always did.
            found.append((entry_id, json.dumps(after, sort_keys=True)))
    return found


def _record(connection, entries: int, changes: int) -> None:
    summary = (
        f"Typed account numbers masked in {entries} audit entries and {changes} bank details "
        "changes (standardisation notes kept them whole before 3 December 2026)"
    )
    connection.execute(
        sa.text(
            "INSERT INTO audit_events (occurred_at, actor_id, actor_label, action, "
            "object_type, object_id, account_id, summary, before_json, after_json) "
            "VALUES (:at, NULL, 'system', 'audit.account_numbers_masked', 'audit_events', "
            "NULL, NULL, :summary, NULL, :after)"
        ).bindparams(sa.bindparam("at", type_=sa.DateTime(timezone=True))),
        {
            "at": datetime.now(UTC),
            "summary": summary,
            "after": json.dumps({"audit_entries": entries, "changes": changes}, sort_keys=True),
        },
    )
