"""API reads in the load benchmark: switched on when the build serves /api/v1/openapi.json and
tokens are at hand: the integration clients bench/load_council.py made when it built the
council (if the build had the API then), or LOAD_API_TOKEN (a token of a client with read
permissions in the council's template database). Otherwise bench/load.py says the API reads
were skipped.

The reads are every GET operation of the served document whose path has no parameters (the
lists and exports an integration polls), taken in turn, with a token of the user's own as a
bearer token. The API's own rate limits (per client and per address) are raised for the
bench: a load test of one integration polling flat out is not what they are for.
"""

from __future__ import annotations

import json
import os

from bench.load_flows import Flow, Request

OPENAPI = "/api/v1/openapi.json"


def detect(client, plan: dict) -> dict | None:
    """{tokens, reads} when the API can be read, else None. `client` is a Flask test client."""
    answer = client.get(OPENAPI)
    if answer.status_code != 200:
        return None
    tokens = plan.get("api_tokens") or [t for t in [os.environ.get("LOAD_API_TOKEN")] if t]
    if not tokens:
        print("API reads skipped: /api/v1 answers, but the council has no integration client")
        print("(build it again with --rebuild, or set LOAD_API_TOKEN)")
        return None
    document = json.loads(answer.get_data(as_text=True))
    reads = sorted(
        path
        for path, operations in document.get("paths", {}).items()
        if "get" in operations and "{" not in path and not path.endswith("openapi.json")
    )
    return {"tokens": tokens, "reads": reads} if reads else None


def api_reads(api: dict, visit: int, user: int) -> Flow:
    """One read, the next in turn, with the user's own token as a bearer token."""
    path = api["reads"][visit % len(api["reads"])]
    token = api["tokens"][user % len(api["tokens"])]
    yield Request("GET", path, path, headers={"Authorization": f"Bearer {token}"})


LIMITS = {  # the bench's own API limits (see above); the sign-in limits stay as production's
    "RATELIMIT_API_PER_CLIENT": "100000 per minute",
    "RATELIMIT_API_PER_ADDRESS": "100000 per minute",
}
