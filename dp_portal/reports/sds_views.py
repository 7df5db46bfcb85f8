"""The SDS reports' pages and downloads. Each view parses the request, calls one service
(reports/sds_services.py or sds_return.py), and renders or sends the file. A quarter that
cannot be read is named in an error summary, and the current quarter is shown instead."""

from flask import current_app, render_template, request
from flask_login import current_user

from ..auth.models import Role
from ..core.downloads import XLSX, attachment
from ..core.errors import RuleError
from ..core.permissions import roles_required
from ..core.types import local_today
from . import bp, sds_return, sds_services
from .sds_figures import last_quarters

STAFF = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)


def _quarter():
    """(quarter, problem): the quarter asked for, or this one and why not."""
    today = local_today()
    try:
        return sds_services.quarter_from(request.args.get("quarter"), today), None
    except RuleError as exc:
        return sds_services.quarter_from(None, today), str(exc)


@bp.route("/reports/sds")
@roles_required(*STAFF)
def sds_index():
    quarter, problem = _quarter()
    return render_template(
        "reports/sds_index.html",
        reports=sds_services.REPORTS,
        quarter=quarter,
        quarters=last_quarters(local_today()),
        problem=problem,
    )


@bp.route("/reports/sds/<name>")
@roles_required(*STAFF)
def sds_report(name: str):
    quarter, problem = _quarter()
    found = sds_services.report(name, local_today(), quarter)
    return render_template(
        f"reports/sds_{name.replace('-', '_')}.html",
        report=found,
        problem=problem,
        quarters=last_quarters(local_today()),
    )


@bp.route("/reports/sds/<name>.xlsx")
@roles_required(*STAFF)
def sds_export(name: str):
    quarter, _ = _quarter()
    data, filename = sds_services.report_workbook(name, local_today(), quarter, actor=current_user)
    return attachment(data, filename, XLSX)


@bp.route("/reports/sds-return.xlsx")
@roles_required(*STAFF)
def sds_return_export():
    quarter, _ = _quarter()
    data, filename = sds_return.quarterly_return(
        quarter,
        council=current_app.config["COUNCIL_NAME"],
        sending_location=current_app.config["SOURCE_SENDING_LOCATION"],
        today=local_today(),
        actor=current_user,
    )
    return attachment(data, filename, XLSX)
