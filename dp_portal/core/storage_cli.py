"""`flask dp storage …`: where files are kept, and moving them from local disk to object storage.

Moving to S3 (docs/operations.md, "Where files are kept"): set STORAGE_URL, run
`flask dp storage copy` (it reads EVIDENCE_DIR, or --from), then start the web servers. The
copy never overwrites: a file already in the store is left alone when it has the same bytes and
reported when it differs, so running it again is harmless.

Letters rendered before their PDFs moved to storage (migration 0025) keep them in the database
(`letters.pdf`); `flask dp storage move-letters` moves them into the store, so the database
holds no files and one backup of the store has every letter.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from . import storage
from .letters import LETTERS_AREA, Letter


@click.group("storage")
def storage_cli() -> None:
    """Where the portal keeps files (local disk or S3-compatible object storage)."""


@storage_cli.command("check")
@with_appcontext
def check_command() -> None:
    """Say where files are kept, and whether the store can be used now."""
    store = storage.current()
    try:
        store.check()
    except storage.StorageError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Files are kept in {store.describe()}; it answers.")


@dataclass
class CopyReport:
    copied: int = 0
    already_there: int = 0
    different: list[str] = field(default_factory=list)
    not_keys: list[str] = field(default_factory=list)


def copy_files(source: storage.LocalStorage, target: storage.Storage) -> CopyReport:
    """Copy every file under `source` into `target` under the same key, never overwriting."""
    report = CopyReport()
    for name in source.names():
        try:
            key = storage.check_key(name)
        except storage.BadKey:
            report.not_keys.append(name)
            continue
        data = source.get(key)
        if target.exists(key):
            if target.get(key) == data:
                report.already_there += 1
            else:
                report.different.append(key)
            continue
        kind = mimetypes.guess_type(key)[0] or "application/octet-stream"
        target.put(key, data, kind)
        report.copied += 1
    return report


@storage_cli.command("copy")
@click.option(
    "--from",
    "source_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to copy from (default: EVIDENCE_DIR).",
)
@with_appcontext
def copy_command(source_dir: Path | None) -> None:
    """Copy the files kept on local disk into the store STORAGE_URL names."""
    target = storage.current()
    source = storage.LocalStorage(source_dir or current_app.config["EVIDENCE_DIR"])
    if isinstance(target, storage.LocalStorage) and target.root.resolve() == source.root.resolve():
        raise click.ClickException(
            "Files are already kept in that folder: set STORAGE_URL to the object storage to "
            "copy them to, then run this again"
        )
    report = copy_files(source, target)
    click.echo(
        f"Copied {report.copied} files from {source.describe()} to {target.describe()}; "
        f"{report.already_there} were already there."
    )
    for name in report.not_keys:
        click.echo(f"Left out {name}: not a name the portal gives its files", err=True)
    for key in report.different:
        click.echo(f"Not copied {key}: the store has a different file of that name", err=True)
    if report.different:
        raise click.ClickException(f"{len(report.different)} files differ: look at them first")


def move_letter_pdfs(batch: int = 200) -> int:
    """Move the PDFs kept in the letters table into the store, `batch` letters a transaction;
    how many. A letter's PDF leaves the database only in the transaction that names its stored
    copy, and a copy whose transaction does not commit is deleted (`put_undoable`), so a letter
    is never without its PDF and running this again (or after a failure) moves the rest."""
    moved = 0
    while True:
        letters = (
            db.session.execute(
                select(Letter)
                .where(Letter.pdf.is_not(None), Letter.pdf_key.is_(None))
                .order_by(Letter.id)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not letters:
            return moved
        for letter in letters:
            key = storage.new_key(LETTERS_AREA, ".pdf")
            letter.pdf_key = storage.put_undoable(db.session(), key, letter.pdf, "application/pdf")
            letter.pdf = None
        db.session.commit()
        moved += len(letters)


@storage_cli.command("move-letters")
@with_appcontext
def move_letters_command() -> None:
    """Move letters' PDFs kept in the database (rendered before they were stored) into the store."""
    moved = move_letter_pdfs()
    click.echo(f"Moved {moved} letter PDFs from the database to {storage.current().describe()}.")
