"""API reads in the load benchmark: switched on when the build serves /api/v1/openapi.json and a
token is at hand (LOAD_API_TOKEN, an integration client's token with read permissions in the
council's template database); otherwise bench/load.py says the API reads were skipped.

The reads are every GET operation of the served document whose path has no parameters (the
lists and exports an integration polls), taken in turn, with the token as a bearer token.
"""

from __future__ import annotations

import json
import os

from bench.load_flows import Flow, Request

OPENAPI = "/api/v1/openapi.json"


def detect(client) -> dict | None:
    """{token, reads} when the API can be read, else None. `client` is a Flask test client."""
    answer = client.get(OPENAPI)
    if answer.status_code != 200:
        return None
    token = os.environ.get("LOAD_API_TOKEN", "")
    if not token:
        print("API reads skipped: /api/v1 answers, but LOAD_API_TOKEN is not set")
        return None
    document = json.loads(answer.get_data(as_text=True))
    reads = sorted(
        path
        for path, operations in document.get("paths", {}).items()
        if "get" in operations and "{" not in path and not path.endswith("openapi.json")
    )
    return {"token": token, "reads": reads} if reads else None


def api_reads(api: dict, visit: int) -> Flow:
    """One read, the next in turn, with the token as a bearer token."""
    path = api["reads"][visit % len(api["reads"])]
    yield Request("GET", path, path, headers={"Authorization": f"Bearer {api['token']}"})
