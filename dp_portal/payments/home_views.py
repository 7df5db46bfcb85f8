"""The lists behind the home pages' money figures that had no page of their own: budgets in
force above the team leaders' limit, and recoveries still owed."""

from flask import render_template, request

from ..auth.models import Role
from ..core.permissions import roles_required, viewer
from . import bp, home


@bp.route("/budgets/over-limit")
@roles_required(Role.FINANCE_OFFICER, Role.TEAM_LEADER)
def over_ceiling():
    page = home.over_ceiling_page(viewer(), request.args.get("page", 1, type=int))
    return render_template("payments/over_ceiling.html", page=page, ceiling=home.ceiling())


@bp.route("/recoveries")
@roles_required(Role.FINANCE_OFFICER)
def recoveries():
    listed = home.recoveries_page(
        viewer(), request.args.get("method", ""), request.args.get("page", 1, type=int)
    )
    return render_template(
        "payments/recoveries.html", listed=listed, page=listed.page, methods=home.RECOVERY_METHODS
    )
