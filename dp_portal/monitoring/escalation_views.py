"""The finance officers' escalation queue: returns past the last reminder, to decide whether
to suspend payments, and suspended accounts to reinstate."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core.errors import RuleError
from ..core.permissions import roles_required, viewer
from ..core.types import local_today
from . import bp, escalations, scope
from .forms import EscalationDecisionForm, EscalationFilterForm, ReinstateForm
from .lifecycle import TaskStatus


@bp.route("/escalations")
@roles_required(Role.FINANCE_OFFICER)
def escalation_queue():
    form = EscalationFilterForm(request.args)
    status = form.status.data if form.validate() else TaskStatus.OPEN
    page = escalations.task_page(status, request.args.get("page", 1, type=int))
    return render_template(
        "monitoring/escalations.html", page=page, form=form, status=status, today=local_today()
    )


@bp.route("/escalations/<int:task_id>", methods=["GET", "POST"])
@roles_required(Role.FINANCE_OFFICER)
def escalation(task_id: int):
    task = scope.load_task(viewer(), task_id)
    decision = EscalationDecisionForm(prefix="decide")
    reinstate = ReinstateForm(prefix="reinstate")
    today = local_today()
    try:
        if task.status == TaskStatus.OPEN and decision.validate_on_submit():
            if decision.decision.data == "suspend":
                escalations.suspend(
                    task, reason=decision.reason.data, actor=current_user, today=today
                )
                flash("Payments are suspended and a letter has been recorded.", "success")
            else:
                escalations.close_without_suspending(
                    task, note=decision.reason.data, actor=current_user
                )
                flash("The task is closed. Payments carry on.", "success")
            return redirect(url_for("monitoring.escalation", task_id=task.id))
        if task.status == TaskStatus.SUSPENDED and reinstate.validate_on_submit():
            escalations.reinstate(task, note=reinstate.note.data, actor=current_user, today=today)
            flash("Payments are reinstated and a letter has been recorded.", "success")
            return redirect(url_for("monitoring.escalation", task_id=task.id))
    except RuleError as exc:
        field = decision.decision if task.status == TaskStatus.OPEN else reinstate.note
        field.errors = [str(exc)]
    return render_template(
        "monitoring/escalation.html",
        task=task,
        form=decision if task.status == TaskStatus.OPEN else reinstate,  # its errors head the page
        decision=decision,
        reinstate=reinstate,
        today=today,
        reminders=escalations.reminders_for(task),
    )
