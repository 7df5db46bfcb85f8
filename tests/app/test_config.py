"""Production fails closed: with no DP_ENV the app is a production app, and a production app
refuses to start, naming each problem, until every secret and setting is a real one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dp_portal import create_app
from dp_portal.config import (
    DEV_SECRET,
    SAMPLE_SETTINGS,
    ConfigurationError,
    ProductionConfig,
    config_from_env,
    development_base_url,
    production_problems,
)

from ..conftest import _TMP


def _clean_env() -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(_TMP))}


GOOD = {
    "SECRET_KEY": "k" * 32,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://dp@db/dp",
    "MAIL_SERVER": "smtp.council.gov.uk",
    "PUBLIC_BASE_URL": "https://directpayments.council.gov.uk",
    "SESSION_COOKIE_SECURE": True,
    **{name: f"real {name.lower()}" for name in SAMPLE_SETTINGS},
}


def test_a_complete_production_configuration_has_no_problems():
    assert production_problems(GOOD) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": DEV_SECRET}, "SECRET_KEY is the development secret"),
        ({"SECRET_KEY": "x" * 31}, "SECRET_KEY is shorter than 32 bytes"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/dp.sqlite3"}, "DATABASE_URL is SQLite"),
        ({"MAIL_SERVER": ""}, "MAIL_SERVER is not set"),
        ({"PUBLIC_BASE_URL": "http://directpayments.council.gov.uk"}, "PUBLIC_BASE_URL"),
        ({"PUBLIC_BASE_URL": ""}, "PUBLIC_BASE_URL"),
        ({"BACS_ORIGINATOR_SORT_CODE": "309634"}, "BACS_ORIGINATOR_SORT_CODE is the sample"),
        ({"BACS_ORIGINATOR_ACCOUNT": "12345678"}, "BACS_ORIGINATOR_ACCOUNT is the sample"),
        ({"BACS_ORIGINATOR_NAME": "GLENARDEN COUNCIL"}, "BACS_ORIGINATOR_NAME is the sample"),
        ({"BACS_ORIGINATOR_NAME": ""}, "BACS_ORIGINATOR_NAME is not set"),
        ({"COUNCIL_NAME": "Glenarden Council"}, "COUNCIL_NAME is the sample"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
    ],
)
def test_each_problem_is_named(change, problem):
    problems = production_problems(GOOD | change)
    assert len(problems) == 1 and problem in problems[0], problems


def test_sqlite_in_production_only_when_the_council_says_so():
    sqlite = GOOD | {"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/dp.sqlite3"}
    assert production_problems(sqlite | {"ALLOW_SQLITE_IN_PRODUCTION": True}) == []


def test_a_multibyte_secret_is_measured_in_bytes():
    assert production_problems(GOOD | {"SECRET_KEY": "é" * 16}) == []  # 32 bytes


def test_production_is_the_default_and_development_must_be_asked_for(monkeypatch):
    monkeypatch.delenv("DP_ENV", raising=False)
    assert config_from_env() is ProductionConfig
    monkeypatch.setenv("DP_ENV", "development")
    assert config_from_env().ENV_NAME == "development"
    monkeypatch.setenv("DP_ENV", "staging")
    with pytest.raises(ConfigurationError, match="DP_ENV"):
        config_from_env()


def test_the_production_class_carries_no_sample_or_secret_defaults(monkeypatch):
    # Read from a clean environment in a fresh interpreter: class attributes are read once.
    env = _clean_env()
    code = (
        "from dp_portal.config import ProductionConfig as P, SAMPLE_SETTINGS as S;"
        "print(repr(P.SECRET_KEY), [getattr(P, n) for n in S])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "'' " + repr([""] * len(SAMPLE_SETTINGS))


def test_create_app_refuses_and_lists_every_problem():
    class Prod(ProductionConfig):
        SECRET_KEY = DEV_SECRET
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        INSTANCE_DIR = _TMP / "prod-instance"
        MAIL_SERVER = ""

    with pytest.raises(ConfigurationError) as refused:
        create_app(Prod)
    message = str(refused.value)
    for named in ("SECRET_KEY", "SQLite", "MAIL_SERVER", "PUBLIC_BASE_URL", "BACS_ORIGINATOR"):
        assert named in message


def test_a_complete_production_app_starts_with_secure_cookies():
    class Prod(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        ALLOW_SQLITE_IN_PRODUCTION = True
        INSTANCE_DIR = _TMP / "prod-instance"

    for name, value in GOOD.items():
        if name != "SQLALCHEMY_DATABASE_URI":
            setattr(Prod, name, value)
    app = create_app(Prod)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    response = app.test_client().get("/sign-in")
    assert "Secure" in response.headers.get("Set-Cookie", "Secure")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def _start(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    """Start the app as `flask` would, in a clean environment plus `env_extra`."""
    env = _clean_env() | env_extra
    env["DP_INSTANCE_DIR"] = str(_TMP / "start-instance")
    code = "from dp_portal import create_app; create_app(); print('started')"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


def test_with_nothing_set_the_app_does_not_start():
    # Before: DP_ENV and SECRET_KEY unset gave the development secret, so anyone could forge
    # a session cookie for any user, an administrator included.
    result = _start({})
    assert result.returncode != 0
    assert "started" not in result.stdout
    for named in ("SECRET_KEY is not set", "SQLite", "MAIL_SERVER", "BACS_ORIGINATOR_NAME"):
        assert named in result.stderr


def test_development_starts_only_when_asked_for_by_name():
    assert _start({"DP_ENV": "development"}).stdout.strip() == "started"


@pytest.mark.parametrize(
    ("environ", "base"),
    [
        ({}, "http://127.0.0.1:5000"),
        ({"FLASK_RUN_PORT": "5055"}, "http://127.0.0.1:5055"),
        ({"FLASK_RUN_HOST": "0.0.0.0", "FLASK_RUN_PORT": "8080"}, "http://127.0.0.1:8080"),  # noqa: S104
        (
            {"PUBLIC_BASE_URL": "http://dp.test:9000", "FLASK_RUN_PORT": "5055"},
            "http://dp.test:9000",
        ),
    ],
)
def test_development_links_follow_the_port_the_portal_runs_on(environ, base):
    assert development_base_url(environ) == base


def test_make_run_gives_the_portal_and_scheduler_the_address_it_runs_on():
    """`make run PORT=5055`: the links the scheduler emails must reach that port."""
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL", "MAKEFLAGS")}
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=5055"], cwd=root, env=env, capture_output=True, text=True
    )
    assert dry_run.returncode == 0, dry_run.stderr
    starts = [line for line in dry_run.stdout.splitlines() if "flask --app dp_portal" in line]
    scheduler = next(line for line in starts if "dp scheduler" in line)
    web = next(line for line in starts if " run --host" in line)
    for line in (scheduler, web):
        assert "PUBLIC_BASE_URL=http://127.0.0.1:5055 " in line
    assert "--port 5055" in web


def test_postgresql_connections_never_jit_compile_a_statement(db_session):
    """Every connection the app opens on PostgreSQL has JIT off: a statement the planner
    thought costly was compiled first (50 to 340 ms) for a few milliseconds of work."""
    from sqlalchemy import text

    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("JIT compiling is PostgreSQL's")
    assert db_session.execute(text("SHOW jit")).scalar_one() == "off"
