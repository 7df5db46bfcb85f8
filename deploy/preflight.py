"""`make prod-check`: may this host start dp_portal in production? The first step of `make prod`
and `make prod-scheduler`, so a missing setting is one plain message naming every problem (and
nothing starts), not a traceback from a gunicorn worker that failed to boot.

The app makes the same checks itself when it starts (dp_portal/config.py, production_problems);
this adds what a host needs beyond them: an explicit DATABASE_URL, and a shared store for the
rate limits (a warning: one host on its own may count in memory).
"""

from __future__ import annotations

import os
import re
import sys

from dp_portal.config import ConfigurationError, config_from_env, production_problems

# deploy/dp_portal.env.example marks what each host must fill in as <...>.
PLACEHOLDER = re.compile(r"<[A-Za-z0-9 ,'.-]+>")


def problems() -> tuple[list[str], list[str]]:
    """(what stops this host starting, what it should know) for the environment it runs in."""
    try:
        config = config_from_env()
    except ConfigurationError as exc:
        return [str(exc)], []
    settings = {name: getattr(config, name) for name in dir(config) if name.isupper()}
    stops = []
    if config.ENV_NAME != "production":
        stops.append(f"DP_ENV is {config.ENV_NAME}: production hosts run with DP_ENV=production")
    found = production_problems(settings)
    if not os.environ.get("DATABASE_URL"):
        # Said once: without it the app would fall back to SQLite, which the app names too.
        stops.append("DATABASE_URL is not set: postgresql://user:password@host:5432/dbname")
        found = [problem for problem in found if not problem.startswith("DATABASE_URL")]
    stops += found
    stops += [
        f"{name} still holds the example's placeholder {PLACEHOLDER.search(value)[0]}"
        for name, value in sorted(os.environ.items())
        if (name in settings or name.endswith("_URL")) and PLACEHOLDER.search(value)
    ]
    notes = []
    if str(settings["RATELIMIT_STORAGE_URI"]).startswith("memory"):
        notes.append(
            "RATELIMIT_STORAGE_URI is not set: each web worker counts sign-in attempts on its "
            "own; with several workers or hosts set it to Redis (redis://host:6379/0)"
        )
    return stops, notes


def main() -> int:
    stops, notes = problems()
    for note in notes:
        print(f"Note: {note}", file=sys.stderr)
    if stops:
        print(
            "dp_portal will not start in production until these are fixed:\n  - "
            + "\n  - ".join(stops),
            file=sys.stderr,
        )
        return 1
    print("Production settings: complete.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
