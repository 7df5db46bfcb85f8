from datetime import date, timedelta

from flask import abort, render_template, request
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import Length, ValidationError

from ..accounts import scope as account_scope
from ..auth.models import Role
from ..core.audit import AuditEvent, EventFilter, record_download
from ..core.downloads import XLSX, attachment
from ..core.forms import BaseForm, DateField
from ..core.permissions import roles_required, viewer
from ..core.spreadsheets import workbook_bytes
from ..core.types import local_today
from ..extensions import db
from ..monitoring import reminder_report
from . import audit_log as audit_log_search
from . import bp


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    action = StringField(
        "Action",
        widget=GovTextInput(),
        description="For example account.bank_details_changed",
        validators=[Length(max=64)],
    )
    actor = StringField("Changed by (email)", widget=GovTextInput(), validators=[Length(max=254)])
    account = StringField(
        "Account reference",
        widget=GovTextInput(),
        description="For example DP000123",
        validators=[Length(max=20)],
    )
    date_from = DateField("From")
    date_to = DateField("To")
    submit = SubmitField("Filter", widget=GovSubmitInput())


@bp.route("/audit")
@roles_required(Role.FINANCE_OFFICER, Role.ADMIN)
def audit_log():
    form = AuditFilterForm(request.args)
    wanted = EventFilter()
    if form.validate():
        wanted = audit_log_search.event_filter(
            action=form.action.data or "",
            actor=form.actor.data or "",
            account=form.account.data or "",
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
    page = audit_log_search.events_page(wanted, request.args.get("page", 1, type=int))
    args = {k: v for k, v in request.args.items(multi=False) if k != "page"}
    return render_template("reports/audit_log.html", page=page, form=form, args=args)


@bp.route("/audit/<int:event_id>")
@roles_required(Role.FINANCE_OFFICER, Role.ADMIN)
def audit_event(event_id: int):
    event = db.session.get(AuditEvent, event_id) or abort(404)
    account = account_scope.load_accounts_by_id(viewer(), {event.account_id}).get(event.account_id)
    return render_template("reports/audit_event.html", event=event, account=account)


class ReminderReportForm(BaseForm):
    class Meta:
        csrf = False

    date_from = DateField("From", description="Returns due and letters dated from this day")
    date_to = DateField("To", description="For example 31 3 2027")
    submit = SubmitField("Show", widget=GovSubmitInput())

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The to date must be the same as or after the from date")


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
    return render_template(
        "reports/reminders.html",
        form=form,
        today=today,
        date_from=date_from,
        date_to=date_to,
        overdue=reminder_report.overdue_by_age(today),
        per_day=reminder_report.reminders_per_day(date_from, date_to),
        first=reminder_report.first_reminders(date_from, date_to),
        stage_names=reminder_report.STAGE_NAMES,
    )


@bp.route("/reports/reminders.xlsx")
@roles_required(Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)
def reminders_export():
    _, today, date_from, date_to = _report_dates()
    sheets = reminder_report.workbook_sheets(today, date_from, date_to)
    data = workbook_bytes(sheets)
    name = f"reminders-{date_from.isoformat()}-to-{date_to.isoformat()}.xlsx"
    record_download(current_user, "reminder_report", name, detail="the reminder report")
    return attachment(data, name, XLSX)
