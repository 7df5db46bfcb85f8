"""`make prod` and what it starts with: the settings checked before anything runs (every
problem named, no traceback), an access log that keeps no secrets, and one rate-limit store
for every limit in the app. The hosts themselves are tested in test_several_hosts.py."""

from __future__ import annotations

import gc
import importlib.util
import os
import subprocess

import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from dp_portal import create_app
from dp_portal.extensions import limiter

from ..conftest import _TMP, database_url_for_tests, make_config
from .processes import BIN, MAKE_PROD, ROOT, free_port


def _gunicorn_settings():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "deploy/gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/set-password/eyJ1c2VyIjo0Mn0.aGVsbG8.c2lnbmF0dXJl", "/set-password/[redacted]"),
        ("/employers/handbook/paying-your-personal-assistant-each-month", None),
        (
            "/returns/12/evidence/AbCdEfGhIjKlMnOpQrStUvWxYz012345",
            "/returns/12/evidence/[redacted]",
        ),
        ("/", None),
    ],
)
def test_the_access_log_blanks_link_tokens_and_keeps_readable_paths(path, logged):
    assert _gunicorn_settings().loggable_path(path) == (logged or path)


def _make(tmp_path, *arguments: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DP_INSTANCE_DIR": str(tmp_path)}
    return subprocess.run(
        [*arguments, f"BIN={BIN}"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_make_prod_names_every_missing_setting_and_starts_nothing(tmp_path):
    result = _make(tmp_path, *MAKE_PROD)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "dp_portal will not start in production until these are fixed" in result.stderr
    for named in ("DATABASE_URL is not set", "SECRET_KEY is not set", "BACS_ORIGINATOR_NAME"):
        assert named in result.stderr
    assert "Database up to date" not in result.stdout  # it stopped before migrating
    assert not list(tmp_path.glob("*.sqlite3"))


def test_the_example_settings_file_is_refused_until_every_placeholder_is_filled_in(tmp_path):
    example = ROOT / "deploy" / "dp_portal.env.example"
    result = _make(tmp_path, "make", "--no-print-directory", "prod-check", f"ENV_FILE={example}")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    for name in ("SECRET_KEY", "DATABASE_URL", "COUNCIL_NAME", "STORAGE_URL", "MAIL_PASSWORD"):
        assert f"{name} still holds the example's placeholder <" in result.stderr
    assert "DP_ENV is" not in result.stderr  # the file asks for production, as make does


def test_every_rate_limit_is_counted_in_the_one_store_the_settings_name(app):
    """One limiter in the code (every limited route is decorated through it) and its storage
    is RATELIMIT_STORAGE_URI: with Redis named, no limit is counted in a worker's memory."""
    from limits.storage import RedisStorage

    makers = [p for p in (ROOT / "dp_portal").rglob("*.py") if "Limiter(" in p.read_text()]
    assert makers == [ROOT / "dp_portal" / "extensions.py"]

    class WithRedis(make_config(database_url_for_tests(), _TMP / "hosts-limits")):
        RATELIMIT_STORAGE_URI = f"redis://127.0.0.1:{free_port()}/0"  # never reached here

    try:
        (only,) = create_app(WithRedis).extensions["limiter"]
        assert only is limiter and isinstance(limiter.storage, RedisStorage)
    finally:  # the limiter is one object shared by every app: give it back to the suite's
        limiter.init_app(app)
        limiter._storage_dead = False


def test_building_the_app_opens_no_database_connection_for_the_workers_to_share(app):
    """gunicorn builds the app once and forks its workers from it (preload_app): a connection
    opened while building it would be one socket written to by every worker at once."""
    assert _gunicorn_settings().preload_app
    opened = []

    def on_connect(_connection, _record):
        opened.append(True)

    event.listen(Pool, "connect", on_connect)
    try:
        create_app(make_config(database_url_for_tests(), _TMP / "preload"))
    finally:
        event.remove(Pool, "connect", on_connect)
        limiter.init_app(app)  # give the shared limiter back to the suite's app
        limiter._storage_dead = False
    assert opened == []


def test_each_worker_freezes_the_app_so_the_cycle_collector_does_not_walk_it():
    settings = _gunicorn_settings()
    try:
        for hook in (
            lambda: settings.pre_fork(None, None),
            lambda: settings.post_worker_init(None),
        ):
            gc.unfreeze()
            hook()
            assert gc.get_freeze_count() > 10_000  # the suite's modules, as a worker's app's
    finally:
        gc.unfreeze()
