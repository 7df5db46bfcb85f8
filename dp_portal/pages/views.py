from flask import render_template
from flask_login import current_user

from ..auth.models import Role
from ..core.permissions import public, viewer
from . import bp, services


@bp.route("/")
@public
def home():
    if not current_user.is_authenticated:
        return render_template("pages/start.html")
    if current_user.role == Role.BROKERAGE_STAFF:
        accounts = services.home_accounts(viewer())
        return render_template("pages/home_accounts.html", accounts=accounts)
    if current_user.role == Role.RECIPIENT:
        accounts, detailed = services.person_home(viewer())
        return render_template("pages/home_person.html", accounts=accounts, detailed=detailed)
    return render_template("pages/home_staff.html", home=services.staff_home(viewer()))


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
