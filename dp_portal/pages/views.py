from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select, text

from ..accounts.models import Account
from ..accounts.services import visible_account_ids, visible_accounts
from ..auth.models import Role
from ..core.permissions import public
from ..core.types import local_today
from ..extensions import db
from . import bp


@bp.route("/")
@public
def home():
    if not current_user.is_authenticated:
        return render_template("pages/start.html")
    today = local_today()
    if current_user.role in (Role.RECIPIENT, Role.BROKERAGE_STAFF):
        accounts = (
            db.session.execute(visible_accounts(current_user, today).limit(200)).scalars().all()
        )
        return render_template("pages/home_accounts.html", accounts=accounts)
    counts = dict(
        db.session.execute(
            select(Account.status, func.count())
            .where(visible_account_ids(current_user, today))
            .group_by(Account.status)
        ).all()
    )
    return render_template("pages/home_staff.html", counts=counts)


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
