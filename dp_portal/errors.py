"""Friendly error pages. Nothing a person types should reach the 500 page.

Under /api the same errors are RFC 9457 problem details (JSON) instead, never a page: each
handler asks the API first (dp_portal/api/problems.py)."""

from collections.abc import Callable
from functools import wraps

from flask import Flask, make_response, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .api import problems
from .core import ratelimits
from .core.errors import NotAllowed, NotFound
from .core.storage import StorageError, StoredFileMissing
from .extensions import db


def _problem_under_api(status: int) -> Callable[[Callable], Callable]:
    def decorator(handler: Callable) -> Callable:
        @wraps(handler)
        def choose(error):
            if problems.under_api():
                if status >= 500:
                    db.session.rollback()
                wait = ratelimits.seconds_until_retry() if status == 429 else None
                return problems.for_error(error, status, wait)
            return handler(error)

        return choose

    return decorator


def register(app: Flask) -> None:
    @app.errorhandler(400)
    @_problem_under_api(400)
    def bad_request(error):
        return render_template("errors/400.html"), 400

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(403)
    @app.errorhandler(NotAllowed)
    @_problem_under_api(403)
    def forbidden(error):
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    @app.errorhandler(NotFound)
    @_problem_under_api(404)
    def not_found(error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(StoredFileMissing)
    @_problem_under_api(404)
    def file_missing(error):
        # The database names a file the store does not have: the operator must know (the key
        # is a random name, nothing personal), the reader gets a page that says so.
        app.logger.error("A stored file is missing: %s", error.key)
        return render_template("errors/file_missing.html"), 404

    @app.errorhandler(StorageError)
    @_problem_under_api(503)
    def storage_unavailable(error):
        app.logger.error("The file store could not be used: %s", error)
        db.session.rollback()
        return render_template("errors/storage_unavailable.html"), 503

    @app.errorhandler(405)
    @_problem_under_api(405)
    def method_not_allowed(error):
        return render_template("errors/404.html"), 405

    @app.errorhandler(413)
    @_problem_under_api(413)
    def too_large(error):
        limit_mb = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return render_template("errors/413.html", limit_mb=limit_mb), 413

    @app.errorhandler(415)
    @_problem_under_api(415)
    def unsupported_media_type(error):
        return render_template("errors/400.html"), 415

    @app.errorhandler(429)
    @_problem_under_api(429)
    def too_many_requests(error):
        # Rate limits (core/ratelimits.py): the same page for every account name typed.
        seconds = ratelimits.seconds_until_retry()
        minutes = max(1, round(seconds / 60)) if seconds else None
        response = make_response(render_template("errors/429.html", minutes=minutes), 429)
        if seconds:
            response.headers["Retry-After"] = str(seconds)
        return response

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        # Statuses with no page of their own keep werkzeug's answer, except under /api.
        if problems.under_api():
            return problems.for_error(error, error.code or 500)
        return error

    @app.errorhandler(500)
    @_problem_under_api(500)
    def server_error(error):
        db.session.rollback()
        return render_template("errors/500.html"), 500
