"""The two doors of a daily job that issues what has fallen due (return reminders, checklist and
Charter Mark renewal reminders): the scheduler's job, and a `flask dp <name>` command to catch
up by hand (`--as-of`). Each issue function takes the day and returns how many it issued, and
is safe to run twice (its own unique keys and lock), so neither door needs to be careful."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import click
from flask import Flask
from flask.cli import with_appcontext

from ..extensions import db
from .types import local_today

Issue = Callable[[date], int]


def run_daily(app: Flask, issue: Issue, what: str) -> int:
    """Issue today's `what` in a transaction of its own (the scheduler's job)."""
    with app.app_context():
        count = issue(local_today())
        db.session.commit()
        app.logger.info("Issued %s %s", count, what)
        return count


def parse_as_of(as_of: str | None) -> date:
    """The day an operator asked for (YYYY-MM-DD), or today."""
    try:
        return date.fromisoformat(as_of) if as_of else local_today()
    except ValueError as exc:
        raise click.BadParameter(
            "use the form YYYY-MM-DD, like 2026-11-23", param_hint="--as-of"
        ) from exc


def daily_command(name: str, issue: Issue, what: str, help_text: str) -> click.Command:
    """A `flask dp <name> [--as-of YYYY-MM-DD]` command that issues what is due on the day."""

    @click.command(name, help=help_text)
    @click.option(
        "--as-of", "as_of", default=None, help="Issue what is due on this date (YYYY-MM-DD)."
    )
    @with_appcontext
    def command(as_of: str | None) -> None:
        day = parse_as_of(as_of)
        count = issue(day)
        db.session.commit()
        click.echo(f"Issued {count} {what} for {day.isoformat()}.")

    return command
