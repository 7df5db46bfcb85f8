"""Test set-up: the schema is built from the migrations, and every test runs inside a
transaction that is rolled back, on SQLite by default or PostgreSQL via TEST_DATABASE_URL."""

from __future__ import annotations

import functools
import os
import secrets
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, object_session, scoped_session, sessionmaker

from dp_portal import create_app
from dp_portal.config import TestConfig
from dp_portal.core import storage
from dp_portal.extensions import db

from .factories import Factory

_TMP = Path(tempfile.mkdtemp(prefix="dp_portal_tests_"))


def database_url_for_tests() -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.sqlite3'}"


def reset_database(url: str) -> None:
    """Start from nothing, so the migrations build every table."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def scratch_database(label: str) -> tuple[str, Callable[[], None]]:
    """A new, empty database beside the test one, and a function that drops it. For tests that
    need real commits (several connections, a live server, migrations both ways)."""
    url = database_url_for_tests()
    if url.startswith("sqlite"):
        return f"sqlite:///{_TMP / f'{label}-{uuid.uuid4().hex}.sqlite3'}", lambda: None
    name = f"dp_{label}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin.url.set(database=name).render_as_string(hide_password=False), drop


def make_config(url: str, instance: Path) -> type[TestConfig]:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url.replace("postgresql://", "postgresql+psycopg://", 1)
        INSTANCE_DIR = instance
        MAIL_OUTBOX_DIR = instance / "outbox"
        EVIDENCE_DIR = instance / "evidence"

    return Config


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    url = database_url_for_tests()
    reset_database(url)
    application = create_app(make_config(url, _TMP / "instance"))
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session for the test's own set-up and checks, on one connection whose transaction is
    rolled back at the end. Requests get their own sessions on the same connection, so they
    see the test's rows, and their commits become savepoints.

    No app context stays pushed during the test: a request must get a fresh one (and a
    fresh `g`), as it would in production.
    """
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    # Plain SQLAlchemy sessions: Flask-SQLAlchemy's own picks the engine itself and would
    # bypass this connection (and commit for real).
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    db.session = scoped_session(factory, scopefunc=_app_ctx_id)
    session = factory()
    try:
        yield session
    finally:
        session.close()
        db.session = original
        transaction.rollback()
        connection.close()


@pytest.fixture
def app_ctx(app: Flask, db_session):
    """For tests that call services directly (no requests in the same test)."""
    with app.app_context():
        yield


@pytest.fixture
def own_storage(app: Flask, tmp_path: Path) -> Iterator[storage.LocalStorage]:
    """A store of the test's own (local disk under tmp_path) in place of the app's, so a test
    can count what was stored without other tests' files."""
    previous = app.extensions[storage.EXTENSION_KEY]
    store = storage.LocalStorage(tmp_path / "store")
    app.extensions[storage.EXTENSION_KEY] = store
    yield store
    app.extensions[storage.EXTENSION_KEY] = previous


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """An S3-compatible server on loopback (moto), with made-up credentials in the environment
    as boto3 reads them; nothing leaves this machine."""
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "eu-west-2")
        env.delenv("AWS_PROFILE", raising=False)
        env.setenv("AWS_CONFIG_FILE", str(_TMP / "no-aws-config"))
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(_TMP / "no-aws-credentials"))
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@functools.cache
def _s3_client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2")


def new_bucket(endpoint: str) -> str:
    """A new, empty bucket on the moto server; its name."""
    name = f"dp-test-{uuid.uuid4().hex[:12]}"
    _s3_client(endpoint).create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    return name


@pytest.fixture
def factory(db_session) -> Factory:
    return Factory(db_session)


@pytest.fixture
def client(app: Flask, db_session):
    return app.test_client()


@pytest.fixture
def outbox(app: Flask) -> Path:
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()
    return folder


def sign_in_as(client, user) -> None:
    """Sign in without the cost of a password hash (sign-in itself is tested separately): a
    server-side session row, as the sign-in page makes, and the cookie that names it."""
    from dp_portal.auth.models import UserSession
    from dp_portal.auth.sessions import token_hash
    from dp_portal.core.types import utcnow

    token = secrets.token_urlsafe(32)
    session = object_session(user)
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=token_hash(token),
            created_at=utcnow(),
            expires_at=utcnow() + timedelta(hours=8),
        )
    )
    session.flush()
    user.session_token = token
    with client.session_transaction() as cookie:
        cookie["_user_id"] = user.get_id()
        cookie["_fresh"] = True
