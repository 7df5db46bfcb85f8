"""Links that leave the portal (in emails, and printed by commands) are built from the
configured PUBLIC_BASE_URL, never from the request that happened to cause them: a reminder
emailed by the scheduler has no request, and a link must name the address people use."""

from __future__ import annotations

from typing import Any

from flask import current_app


def public_url(endpoint: str, **values: Any) -> str:
    """The full address of `endpoint` as people reach it (PUBLIC_BASE_URL and the path)."""
    path = current_app.url_map.bind("").build(endpoint, values)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
