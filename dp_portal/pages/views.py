from flask import render_template
from flask_login import current_user
from sqlalchemy import text

from ..accounts import scope
from ..auth.models import Role
from ..core.permissions import public, viewer
from ..extensions import db
from . import bp


@bp.route("/")
@public
def home():
    if not current_user.is_authenticated:
        return render_template("pages/start.html")
    if current_user.role in (Role.RECIPIENT, Role.BROKERAGE_STAFF):
        accounts = db.session.execute(scope.visible_accounts(viewer()).limit(200)).scalars().all()
        return render_template("pages/home_accounts.html", accounts=accounts)
    return render_template("pages/home_staff.html", counts=scope.status_counts(viewer()))


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/cookies")
@public
def cookies():
    return render_template("pages/cookies.html")


@bp.route("/healthz")
@public
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
