"""The balance forecast's pages: an account's forecast (the person, their representative or
organisation, and officers, each through the accounts' scoped loader) and the officers' list
of accounts likely to run out or to underspend. Each view parses, calls one service, renders."""

from flask import current_app, render_template, request
from flask_login import current_user

from ..accounts import scope as account_scope
from ..auth.models import Role
from ..core.permissions import roles_required, signed_in, viewer
from ..core.types import local_today
from . import bp, forecast_services
from .forecast import Outlook

WATCHERS = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)


@bp.route("/accounts/<int:account_id>/forecast")
@signed_in
def account_forecast(account_id: int):
    account = account_scope.load_account(viewer(), account_id)
    found = forecast_services.account_forecast(
        account, local_today(), **forecast_services.settings(current_app.config)
    )
    return render_template(
        "monitoring/forecast.html",
        found=found,
        account=account,
        you=current_user.role == Role.RECIPIENT,
        staff=current_user.role in WATCHERS,
    )


@bp.route("/forecasts")
@roles_required(*WATCHERS)
def forecast_watch():
    wanted = request.args.get("show", "")
    outlook = Outlook.UNDERSPEND if wanted == Outlook.UNDERSPEND else Outlook.OVERSPEND
    watch = forecast_services.watch_list(outlook, request.args.get("page", 1, type=int))
    return render_template("monitoring/forecast_watch.html", watch=watch, Outlook=Outlook)
