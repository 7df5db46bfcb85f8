"""Friendly error pages. Nothing a person types should reach the 500 page."""

from flask import Flask, make_response, render_template
from flask_wtf.csrf import CSRFError

from .core import ratelimits
from .core.errors import NotAllowed, NotFound
from .core.storage import StorageError, StoredFileMissing
from .extensions import db


def register(app: Flask) -> None:
    @app.errorhandler(400)
    def bad_request(error):
        return render_template("errors/400.html"), 400

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(403)
    @app.errorhandler(NotAllowed)
    def forbidden(error):
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    @app.errorhandler(NotFound)
    def not_found(error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(StoredFileMissing)
    def file_missing(error):
        # The database names a file the store does not have: the operator must know (the key
        # is a random name, nothing personal), the reader gets a page that says so.
        app.logger.error("A stored file is missing: %s", error.key)
        return render_template("errors/file_missing.html"), 404

    @app.errorhandler(StorageError)
    def storage_unavailable(error):
        app.logger.error("The file store could not be used: %s", error)
        db.session.rollback()
        return render_template("errors/storage_unavailable.html"), 503

    @app.errorhandler(405)
    def method_not_allowed(error):
        return render_template("errors/404.html"), 405

    @app.errorhandler(413)
    def too_large(error):
        limit_mb = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return render_template("errors/413.html", limit_mb=limit_mb), 413

    @app.errorhandler(429)
    def too_many_requests(error):
        # Rate limits (core/ratelimits.py): the same page for every account name typed.
        seconds = ratelimits.seconds_until_retry()
        minutes = max(1, round(seconds / 60)) if seconds else None
        response = make_response(render_template("errors/429.html", minutes=minutes), 429)
        if seconds:
            response.headers["Retry-After"] = str(seconds)
        return response

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_template("errors/500.html"), 500
