from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core.permissions import public, signed_in, viewer
from ..core.tasks import Group
from ..templating import menu_items
from . import bp, services


@bp.route("/")
@public
def home():
    if not current_user.is_authenticated:
        return render_template("pages/start.html")
    if current_user.role == Role.PROVIDER_STAFF:
        return redirect(url_for("isf.provider_home"))  # the provider's own home (isf)
    if current_user.role == Role.BROKERAGE_STAFF:
        accounts = services.home_accounts(viewer())
        return render_template("pages/home_accounts.html", accounts=accounts)
    if current_user.role == Role.RECIPIENT:
        accounts, detailed = services.person_home(viewer())
        return render_template("pages/home_person.html", accounts=accounts, detailed=detailed)
    return render_template("pages/home_staff.html", home=services.staff_home(viewer()))


@bp.route("/menu/<group>")
@signed_in
def menu(group: str):
    """A group of the main menu: the pages in it this reader may open."""
    chosen = Group.__members__.get(group.upper())
    if chosen is None:
        abort(404)
    return render_template("pages/menu.html", group=chosen, items=menu_items(chosen))


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
    if not services.database_answers():
        return {"status": "the database does not answer"}, 503, {"Retry-After": "30"}
    return {"status": "ok"}
