"""The audit log and the reminder report. Each view parses the request, calls one service
(reports/services.py), and renders."""

from datetime import date, timedelta

from flask import render_template, request
from flask_login import current_user

from ..auth.models import Role
from ..core.audit import EventFilter
from ..core.downloads import XLSX, attachment
from ..core.permissions import roles_required, viewer
from ..core.types import local_today
from . import bp, services
from .forms import AuditFilterForm, ReminderReportForm
from .reminders import STAGE_NAMES


@bp.route("/audit")
@roles_required(Role.FINANCE_OFFICER, Role.ADMIN)
def audit_log():
    form = AuditFilterForm(request.args)
    wanted = EventFilter()
    if form.validate():
        wanted = services.audit_filter(
            action=form.action.data or "",
            actor=form.actor.data or "",
            account=form.account.data or "",
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
    page = services.audit_page(wanted, request.args.get("page", 1, type=int))
    args = {k: v for k, v in request.args.items(multi=False) if k != "page"}
    return render_template("reports/audit_log.html", page=page, form=form, args=args)


@bp.route("/audit/<int:event_id>")
@roles_required(Role.FINANCE_OFFICER, Role.ADMIN)
def audit_event(event_id: int):
    event, account = services.audit_event(viewer(), event_id)
    return render_template("reports/audit_event.html", event=event, account=account)


def _report_dates() -> tuple[ReminderReportForm, date, date, date]:
    form = ReminderReportForm(request.args)
    today = local_today()
    date_from, date_to = today - timedelta(days=90), today
    if form.validate():
        date_from = form.date_from.data or date_from
        date_to = form.date_to.data or date_to
    return form, today, date_from, date_to


@bp.route("/reports/reminders")
@roles_required(Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)
def reminders():
    form, today, date_from, date_to = _report_dates()
    report = services.reminders(today, date_from, date_to)
    return render_template(
        "reports/reminders.html",
        form=form,
        today=today,
        date_from=date_from,
        date_to=date_to,
        overdue=report.overdue,
        per_day=report.per_day,
        first=report.first,
        stage_names=STAGE_NAMES,
    )


@bp.route("/reports/reminders.xlsx")
@roles_required(Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)
def reminders_export():
    _, today, date_from, date_to = _report_dates()
    data, name = services.reminders_workbook(today, date_from, date_to, actor=current_user)
    return attachment(data, name, XLSX)
