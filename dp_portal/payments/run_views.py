"""Payment runs: build (on time, or late with a reason), review (payees as built, what changed
since the last run, whether it is stale and who may not approve it), approve, and commit or
cancel through a confirmation page."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core.downloads import XLSX, attachment
from ..core.errors import RuleError
from ..core.forms import choices
from ..core.permissions import roles_required, viewer
from ..core.types import local_today
from . import bp, home, run_decisions, run_files, run_pages, run_periods, run_review, scope
from .forms import BuildRunForm, ConfirmForm
from .lifecycles import RunStatus, next_states
from .run_build import build_run, payment_schedule

FINANCE = (Role.FINANCE_OFFICER,)


def _label(choice: run_periods.PeriodChoice) -> str:
    p = choice.period
    text = f"{p.start:%d %B %Y} to {p.end:%d %B %Y}"
    if choice.late:
        return f"{text}: pay date passed, would be paid on {choice.pay_date:%d %B %Y}"
    return f"{text} (paid {choice.pay_date:%d %B %Y})"


@bp.route("/payment-runs", methods=["GET", "POST"])
@roles_required(*FINANCE)
def payment_runs():
    schedule = payment_schedule(current_app.config)
    on_time, late = run_periods.period_choices(schedule, local_today())
    form = BuildRunForm()
    form.period.choices = choices((c.index, _label(c)) for c in on_time + late)
    form.late_periods = frozenset(c.index for c in late)
    if form.validate_on_submit():
        late_reason = form.late_reason.data if form.period.data in form.late_periods else ""
        try:
            run = build_run(
                form.period.data, schedule=schedule, actor=current_user, late_reason=late_reason
            )
        except RuleError as exc:
            form.period.errors = [str(exc)]
        else:
            flash(
                "The run has been built. Check it, then ask another finance officer to approve it.",
                "success",
            )
            return redirect(url_for("payments.payment_run", run_id=run.id))
    waiting, status = request.args.get("waiting", ""), request.args.get("status", "")
    return render_template(
        "payments/runs.html",
        form=form,
        runs=home.runs_list(viewer(), waiting, status),
        late=late,
        waiting=home.RUN_FILTERS.get(waiting),
        status=status if waiting not in home.RUN_FILTERS else "",
    )


@bp.route("/payment-runs/<int:run_id>")
@roles_required(*FINANCE)
def payment_run(run_id: int):
    run = scope.load_run(viewer(), run_id)
    page = run_pages.run_page(run, current_user.id, request.args.get("page", type=int))
    return render_template(
        "payments/run.html",
        run=run,
        totals=page.totals,
        withheld=page.withheld,
        page=page.paid,
        stale=page.stale,
        previous=page.previous,
        changes=page.changes,
        blocked_me=page.blocked_me,
        blocked=page.blocked,
        next_states=page.next_states,
        RunStatus=RunStatus,
    )


@bp.route("/payment-runs/<int:run_id>/approve", methods=["POST"])
@roles_required(*FINANCE)
def approve_run(run_id: int):
    run = scope.load_run(viewer(), run_id)
    try:
        run_decisions.approve_run(run, actor=current_user)
    except RuleError as exc:
        flash(str(exc), "error")
    else:
        flash("The run has been approved. It can now be committed.", "success")
    return redirect(url_for("payments.payment_run", run_id=run.id))


def _confirm(run_id: int, action: str, perform, done: str):
    """GET: what will happen; POST: do it (a confirmation page, no JavaScript needed)."""
    run = scope.load_run(viewer(), run_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            perform(run)
        except RuleError as exc:
            flash(str(exc), "error")
        else:
            flash(done, "success")
        return redirect(url_for("payments.payment_run", run_id=run.id))
    return render_template(
        "payments/run_confirm.html",
        run=run,
        action=action,
        form=form,
        stale=run_review.stale_reasons(run),
        next_states=next_states(RunStatus(run.status)),
        RunStatus=RunStatus,
    )


@bp.route("/payment-runs/<int:run_id>/commit", methods=["GET", "POST"])
@roles_required(*FINANCE)
def commit_run(run_id: int):
    return _confirm(
        run_id,
        "commit",
        lambda run: run_decisions.commit_run(run.id, actor=current_user),
        "The run has been committed. Download the bank file below.",
    )


@bp.route("/payment-runs/<int:run_id>/cancel", methods=["GET", "POST"])
@roles_required(*FINANCE)
def cancel_run(run_id: int):
    return _confirm(
        run_id,
        "cancel",
        lambda run: run_decisions.cancel_run(run, actor=current_user),
        "The run has been cancelled. You can build it again.",
    )


@bp.route("/payment-runs/<int:run_id>/bank-file.<fmt>")
@roles_required(*FINANCE)
def bank_file(run_id: int, fmt: str):
    run = scope.load_run(viewer(), run_id)
    body, name, mimetype = run_files.download_bank_file(
        run, current_app.config, fmt, actor=current_user
    )
    return attachment(body, name, mimetype)


@bp.route("/payment-runs/<int:run_id>/report.xlsx")
@roles_required(*FINANCE)
def run_report(run_id: int):
    run = scope.load_run(viewer(), run_id)
    name = f"payment-run-{run.period_start:%Y-%m-%d}.xlsx"
    return attachment(run_files.download_run_report(run, actor=current_user), name, XLSX)
