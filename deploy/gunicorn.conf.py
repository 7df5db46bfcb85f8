"""gunicorn's settings for dp_portal in production (`make prod` starts it with this file).

Each web host runs one gunicorn: WEB_WORKERS processes of WEB_THREADS threads each, on
WEB_BIND, behind the TLS proxy. Every setting comes from the environment (the same file the app
reads, /etc/dp_portal.env); docs/deployment.md explains them.

The access log names what was asked for and how it went, and nothing that lets anyone in: the
path without its query string, with link tokens (/set-password/<token>) blanked; no cookies,
no referrer (a set-password page's own address holds its token), no request headers.
"""

from __future__ import annotations

import gc
import os
import re

from gunicorn.glogging import Logger


def _number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number above 0 (it is {value!r})")
    return int(value)


wsgi_app = "dp_portal:create_app()"
# WEB_BIND, or every address on PORT (as platforms that read the Procfile set it), or 8000.
bind = [os.environ.get("WEB_BIND", "").strip() or f"0.0.0.0:{_number('PORT', 8000)}"]
# gunicorn's rule of thumb: two workers a core, and one more.
workers = _number("WEB_WORKERS", 2 * (os.cpu_count() or 1) + 1)
threads = _number("WEB_THREADS", 2)
# Building a payment run for 100,000 accounts takes about 15 s (docs/benchmarks.md): give a
# request two minutes before its worker is replaced.
timeout = _number("WEB_TIMEOUT", 120)
graceful_timeout = 30
# Build the app once in the master and fork the workers from it: they share its memory, and a
# worker replaced after max_requests starts in milliseconds, not the seconds an import takes.
# Safe because building the app opens no database connection for the workers to share
# (tests/app/test_prod.py checks it).
preload_app = True
# A fresh worker now and then keeps memory in check (WeasyPrint renders letters in them).
max_requests = 2000
max_requests_jitter = 200
# No control socket: the service manager starts and stops gunicorn, and several gunicorns on
# one machine would otherwise share one socket path in the home folder.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'

# A path segment after one of these is a secret (an emailed link's signed token).
SECRET_AFTER = frozenset({"set-password"})
# Any other segment this long that is not a readable slug ("paying-your-pa") is blanked too, so
# a token route added later is safe before anyone remembers this list.
LONG_SEGMENT = 32
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
BLANKED = "[redacted]"


def loggable_path(path: str) -> str:
    """The path as the access log may show it."""
    parts = path.split("/")
    kept = []
    for before, part in zip(["", *parts], parts, strict=False):
        secret = before in SECRET_AFTER or (len(part) >= LONG_SEGMENT and not SLUG.fullmatch(part))
        kept.append(BLANKED if secret and part else part)
    return "/".join(kept)


class AccessLog(Logger):
    """gunicorn's logger with only safe values in its access log atoms."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = loggable_path(environ.get("PATH_INFO", ""))
        method, protocol = environ.get("REQUEST_METHOD", "-"), environ.get("SERVER_PROTOCOL", "-")
        # Request and response headers and the WSGI environ carry cookies and tokens.
        safe = {key: value for key, value in atoms.items() if not key.startswith("{")}
        safe.update({"U": path, "r": f"{method} {path} {protocol}", "q": "-", "f": "-"})
        return safe

    def access(self, resp, req, environ, request_time):
        # The load balancer's health checks every few seconds would bury the requests.
        if environ.get("PATH_INFO") == "/healthz" and str(resp.status).startswith("200"):
            return
        super().access(resp, req, environ, request_time)


logger_class = AccessLog


def pre_fork(server, worker):
    """Freeze what the master has built before each worker is forked from it.

    The app's modules, templates, routes and table metadata are some 250,000 objects that live
    as long as the worker. Python's cycle collector walked them on every full collection: about
    30% of a page's CPU (docs/benchmarks.md, Load). Frozen objects are never walked, and the
    collector no longer writes to their pages, so forked workers keep sharing them (Python's
    gc.freeze documentation recommends freezing just before fork for this).
    """
    gc.freeze()


def post_worker_init(worker):
    """The same for anything a worker built for itself after the fork."""
    gc.freeze()
