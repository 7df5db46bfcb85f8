from flask import redirect, render_template, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core.permissions import public, viewer
from . import bp, services


@bp.route("/")
@public
def home():
    if not current_user.is_authenticated:
        return render_template("pages/start.html")
    if current_user.role == Role.PROVIDER_STAFF:
        return redirect(url_for("isf.provider_home"))  # the provider's own home (isf)
    if current_user.role in (Role.RECIPIENT, Role.BROKERAGE_STAFF):
        accounts = services.home_accounts(viewer())
        return render_template("pages/home_accounts.html", accounts=accounts)
    return render_template("pages/home_staff.html", counts=services.account_counts(viewer()))


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
    services.database_answers()
    return {"status": "ok"}
