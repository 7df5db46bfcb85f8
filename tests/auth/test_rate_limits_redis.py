"""With RATELIMIT_STORAGE_URI set, the counts live in Redis, so every web worker shares them;
and a Redis that is down never stops anyone signing in."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest

from dp_portal import create_app
from dp_portal.extensions import limiter

from ..conftest import _TMP, database_url_for_tests, make_config

REDIS = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    if REDIS is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the Redis test: apt-get install redis-server")
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    import redis

    port = _free_port()
    server = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)


def _app_with_storage(url: str):
    class WithStorage(make_config(database_url_for_tests(), _TMP / "redis-instance")):
        RATELIMIT_STORAGE_URI = url
        RATELIMIT_SIGN_IN_PER_ADDRESS = "2 per minute"

    return create_app(WithStorage)


def _restore(app) -> None:
    """Give the limiter (one object shared by every app) back to the suite's app and its
    in-memory storage. Flask-Limiter remembers that a store was unreachable on the object
    itself (and would keep counting in its fallback for a while), so that is cleared too."""
    limiter.init_app(app)
    limiter._storage_dead = False


def _sign_in(app):
    return app.test_client().post("/sign-in", data={"email": "w@test.example", "password": "x"})


def test_counts_are_kept_in_redis_and_shared_by_workers(app, db_session, redis_url):
    import redis

    try:
        first_worker = _app_with_storage(redis_url)
        assert [_sign_in(first_worker).status_code for _ in range(2)] == [200, 200]
        # A second worker (here: a fresh app, which re-creates the limiter's storage; an
        # in-memory store would have started again from nothing) sees the same counts.
        second_worker = _app_with_storage(redis_url)
        assert _sign_in(second_worker).status_code == 429
        keys = [key.decode() for key in redis.Redis.from_url(redis_url).keys("*")]
        assert keys and all("w@test.example" not in key for key in keys)
    finally:
        _restore(app)


def test_a_redis_that_is_down_does_not_stop_sign_in(app, db_session):
    try:
        unreachable = _app_with_storage(f"redis://127.0.0.1:{_free_port()}/0")
        responses = [_sign_in(unreachable) for _ in range(3)]
        assert all(r.status_code < 500 for r in responses)
        assert responses[0].status_code == 200
    finally:
        _restore(app)
