"""Applying the imports too large to apply in the request: the scheduler's job (every
minute) and `flask dp imports`. Each import is applied in a transaction of its own, and is
taken by one job at a time (its row locked while it is applied), so running it twice, or on
two hosts, applies nothing twice."""

from __future__ import annotations

import logging

import click
from flask import Flask
from flask.cli import with_appcontext

from ..core import audit
from ..core.types import utcnow
from ..extensions import db
from .lifecycle import ImportState, move
from .models import Import
from .services import apply_now, cancel_abandoned, next_waiting

log = logging.getLogger(__name__)

FAULT = (
    "The import could not be applied because of a fault, and nothing was changed. Tell the "
    "council's IT team, then check it again"
)


def _failed(import_id: int) -> None:
    """After an unexpected error (a fault, not a refusal): say so on the import, in a
    transaction of its own, so the job does not take it up again every minute."""
    db.session.rollback()
    record = db.session.get(Import, import_id)
    if record is not None and record.state == ImportState.APPLYING:
        move(record, ImportState.FAILED, failure=FAULT, finished_at=utcnow())
        audit.record(None, "import.failed", record, summary="Import not applied: a fault")
    db.session.commit()


def apply_waiting() -> int:
    """Apply every import waiting for the job; how many were taken."""
    done = 0
    while (record := next_waiting()) is not None:
        record_id = record.id
        try:
            apply_now(record, record.applied_by)
            db.session.commit()
        except Exception:  # a fault must not leave the import to be retried for ever
            log.exception("Import %s could not be applied", record_id)
            _failed(record_id)
        done += 1
    return done


def imports_job(app: Flask) -> int:
    """For the scheduler's JOBS registry (every minute)."""
    with app.app_context():
        count = apply_waiting()
        if count:
            app.logger.info("Applied %s imports", count)
        return count


def abandoned_imports_job(app: Flask) -> int:
    """For the scheduler's JOBS registry (daily): cancel the imports nobody finished within
    IMPORT_KEPT_DAYS, dropping the rows read from their files (imports/expiry.py)."""
    with app.app_context():
        count = cancel_abandoned(utcnow(), app.config["IMPORT_KEPT_DAYS"])
        db.session.commit()
        if count:
            app.logger.info("Cancelled %s imports nobody finished", count)
        return count


@click.command(
    "imports",
    help="Apply the imports waiting for the job (those too large to apply as the officer "
    "pressed the button). Running it twice applies nothing twice.",
)
@with_appcontext
def imports_command() -> None:
    count = apply_waiting()
    click.echo(f"Took {count} import{'' if count == 1 else 's'}.")


@click.command(
    "abandoned-imports",
    help="Cancel the imports nobody applied or cancelled within IMPORT_KEPT_DAYS, deleting the "
    "rows read from their files. Running it twice cancels nothing twice.",
)
@with_appcontext
def abandoned_imports_command() -> None:
    from flask import current_app

    count = cancel_abandoned(utcnow(), current_app.config["IMPORT_KEPT_DAYS"])
    db.session.commit()
    click.echo(f"Cancelled {count} import{'' if count == 1 else 's'} nobody finished.")
