"""`flask dp openapi`: print the API's OpenAPI document, to keep docs/openapi.json in step
(a test fails when the copy there differs from what the app serves)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from .openapi import document_text


@click.command("openapi")
@with_appcontext
def openapi_command() -> None:
    """Print the API's OpenAPI 3.1 document (write it with: flask --app dp_portal dp openapi
    > docs/openapi.json)."""
    click.echo(document_text(), nl=False)
