"""`flask dp handbook-defaults`: load the PA Employer Handbook's default sections. Run at
set-up and after each upgrade (it adds only sections the database does not have, so a
council's own edits are kept)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db


@click.command("handbook-defaults")
@with_appcontext
def handbook_defaults_command() -> None:
    """Add the handbook's default sections that are missing (published, version 1)."""
    from .handbook_defaults import load_defaults

    added = load_defaults()
    db.session.commit()
    if added:
        click.echo(f"Added {len(added)} handbook sections: {', '.join(added)}.")
    else:
        click.echo("The handbook already has every default section: nothing added.")
