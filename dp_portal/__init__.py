"""dp_portal: direct payments and financial monitoring for Self-directed Support."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, g, request
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from sqlalchemy import event

from .config import Config, ConfigurationError, config_from_env, production_problems
from .core import audit, ratelimits, storage
from .extensions import csrf, db, login_manager, migrate


def create_app(config_class: type[Config] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_object(config_class or config_from_env())
    if app.config["ENV_NAME"] == "production":
        problems = production_problems(app.config)
        if problems:
            raise ConfigurationError(
                "dp_portal will not start in production until these are fixed "
                "(or set DP_ENV=development on a developer's machine):\n  - "
                + "\n  - ".join(problems)
            )
    app.config["INSTANCE_DIR"].mkdir(parents=True, exist_ok=True)
    _init_storage(app)

    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    ratelimits.init_app(app)

    with app.app_context():
        _tune_engine(db.engine)

    _register_models()
    _register_blueprints(app)
    _register_hooks(app)

    from . import errors, templating
    from .cli import dp_cli

    errors.register(app)
    templating.register(app)
    _register_links(app)
    app.cli.add_command(dp_cli)
    return app


def _init_storage(app: Flask) -> None:
    # Chosen once; a store that cannot be used stops the app, saying why (fails closed).
    try:
        storage.init_app(app)
    except storage.StorageError as exc:
        raise ConfigurationError(f"dp_portal will not start: where files are kept: {exc}") from exc


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


# SQLite's page: 16 KiB, not its 4 KiB default (InnoDB's size; PostgreSQL's is 8 KiB). A run's
# lines, payments and ledger rows are a few hundred bytes each, 100,000 at a time: with larger
# pages a 100,000-account payment run took 3.85 to 4.02 s against 4.26 to 4.42 s, measured in
# turn on the same council (docs/benchmarks.md), with fewer pages to split, log and checkpoint.
SQLITE_PAGE_SIZE = 16_384


def _tune_engine(engine) -> None:
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _without_jit)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide where transactions begin (savepoints need it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # Takes effect only on a new, empty database (before its first table and before WAL
        # fixes it); an existing file keeps its own (docs/operations.md says how to change it).
        cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")


def _without_jit(dbapi_connection, _record) -> None:
    """No JIT compiling on PostgreSQL. Every statement here is a page's, a request's or a
    morning job's, and JIT "is beneficial primarily for long-running CPU-bound queries"
    (PostgreSQL 15 manual, 32.2): once a statement's estimated cost passed jit_above_cost
    (100,000) the server spent 50 to 340 ms compiling a statement that then ran in a few
    (measured: a provider's invoice cap check, a payment run's client-money postings)."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


def _register_models() -> None:
    # Import every model module so metadata is complete (migrations, create_all in tests).
    from .accounts import models as _accounts  # noqa: F401
    from .api import models as _api  # noqa: F401
    from .auth import models as _auth  # noqa: F401
    from .core import audit as _audit  # noqa: F401
    from .core import calendar_models as _calendar  # noqa: F401
    from .core import letters as _letters  # noqa: F401
    from .core import modulus_models as _modulus  # noqa: F401
    from .employers import models as _employers  # noqa: F401
    from .imports import models as _imports  # noqa: F401
    from .isf import models as _isf  # noqa: F401
    from .monitoring import forecast_models as _forecasts  # noqa: F401
    from .monitoring import models as _monitoring  # noqa: F401
    from .monitoring import spend_totals as _spend_totals  # noqa: F401
    from .monitoring import statement_models as _statements  # noqa: F401
    from .payments import ledger_models as _ledger  # noqa: F401
    from .payments import models as _payments  # noqa: F401
    from .payments import run_models as _runs  # noqa: F401
    from .third_party import models as _third_party  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from .accounts import bp as accounts_bp
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .api import clients_bp as api_clients_bp
    from .auth import bp as auth_bp
    from .client_money import bp as client_money_bp
    from .employers import bp as employers_bp
    from .imports import bp as imports_bp
    from .isf import bp as isf_bp
    from .monitoring import bp as monitoring_bp
    from .pages import bp as pages_bp
    from .payments import bp as payments_bp
    from .reports import bp as reports_bp
    from .third_party import bp as third_party_bp

    for blueprint in (
        pages_bp,
        auth_bp,
        accounts_bp,
        third_party_bp,
        client_money_bp,
        reports_bp,
        admin_bp,
        payments_bp,
        monitoring_bp,
        employers_bp,
        isf_bp,
        api_bp,
        api_clients_bp,
        imports_bp,
    ):
        app.register_blueprint(blueprint)


def _register_links(app: Flask) -> None:
    from .core import letter_email
    from .core.urls import public_url

    # The correspondence page an emailed letter points to (its copy is there too).
    letter_email.init_app(
        app, letters_link=lambda account_id: public_url("payments.letters", account_id=account_id)
    )


def _commit_outcome_only() -> None:
    try:
        db.session.commit()
    except Exception as error:  # logged by type only: its text could hold SQL parameters
        db.session.rollback()
        logging.getLogger(__name__).error(
            "The audit row of a refused request was not kept: %s", type(error).__name__
        )


def _register_hooks(app: Flask) -> None:
    @app.before_request
    def _nonce():
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def _commit_on_success(response):
        # One transaction per request, committed here and only for a successful response;
        # a failed one keeps only the audit rows that record its outcome (audit.record_outcome).
        if response.status_code < 400:
            audit.add_outcome_rows()
            db.session.commit()
        else:
            db.session.rollback()
            if audit.add_outcome_rows():
                _commit_outcome_only()
        return response

    @app.after_request
    def _security_headers(response):
        nonce = getattr(g, "csp_nonce", "")
        # Only a view that says so (evidence previewed on the review page) may be framed,
        # and then only by the portal's own pages.
        framed = getattr(g, "frame_same_origin", False)
        ancestors = "'self'" if framed else "'none'"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; "
            f"form-action 'self'; frame-ancestors {ancestors}; "
            "base-uri 'self'; object-src 'none'"
        )
        response.headers["X-Frame-Options"] = "SAMEORIGIN" if framed else "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response
