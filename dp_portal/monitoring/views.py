"""Returns: the account's returns page, the form (typed in or uploaded as the template),
evidence, the review page and queue, exports, tiers and the reminder timetable. Each view
parses the request, calls one service, and renders or redirects."""

from flask import (
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ..accounts import scope as account_scope
from ..accounts.scope import Need
from ..auth.models import Role
from ..core.downloads import XLSX, attachment, stored_file
from ..core.errors import RuleError
from ..core.permissions import public, roles_required, signed_in, viewer
from ..core.ratelimits import upload_limits
from ..core.spreadsheets import problems_of
from ..core.types import local_today
from ..core.uploads import MAX_EVIDENCE_BYTES, UploadError
from . import bp, drafts, scope, tiers
from . import evidence as evidence_files
from . import return_form as form_pages
from . import timetable as timetables
from .forms import (
    SPEND_FIELDS,
    EvidenceForm,
    ReturnForm,
    TierForm,
    TimetableForm,
    UploadForm,
)
from .periods import Tier
from .scope import SUBMITTERS
from .template import MAX_BYTES


@bp.route("/accounts/<int:account_id>/returns")
@signed_in
def returns(account_id: int):
    account = account_scope.load_account(viewer(), account_id)
    page = tiers.overview(viewer(), account)
    return render_template(
        "monitoring/returns.html",
        account=account,
        rows=page.rows,
        tier=page.tier,
        can_submit=page.can_submit,
        escalations=page.escalations,
    )


def _form_page(account, period, form: ReturnForm, upload_form: UploadForm | None = None):
    """The return form, with whichever of its forms has just been posted (and its errors);
    the figures form, unless it was the one posted, shows the draft's figures. RuleError
    when the return can no longer be changed."""
    page = form_pages.form_page(account, period)
    if not form.errors:
        for name, value in page.form_values().items():
            getattr(form, name).data = value
        form.explanation.data = page.draft.explanation
    return render_template(
        "monitoring/return_form.html",
        reminders=page.reminders,
        sendable_from=page.sendable_from,
        question=page.question,
        may_send=page.may_send(local_today()),
        form=form,
        upload_form=upload_form or UploadForm(),
        evidence_form=EvidenceForm(),
        evidence=page.evidence,
        account=account,
        period=period,
        draft=page.draft,
        figures=page.figures,
        spend_fields=SPEND_FIELDS,
    )


def _back_to_returns(account_id: int, exc: RuleError):
    flash(str(exc), "info")
    return redirect(url_for("monitoring.returns", account_id=account_id))


@bp.route("/accounts/<int:account_id>/returns/<start>", methods=["GET", "POST"])
@roles_required(*SUBMITTERS)
def return_form(account_id: int, start: str):
    account, period = scope.load_period(viewer(), account_id, start, Need.RETURNS)
    form = ReturnForm()
    try:
        if not form.validate_on_submit():
            return _form_page(account, period, form)
        draft = form_pages.save_form(
            account,
            period,
            {name: getattr(form, name).data for name in drafts.FIELDS},
            form.explanation.data or "",
            send=bool(form.send.data),
            actor=current_user,
        )
    except RuleError as exc:
        return _back_to_returns(account.id, exc)
    if form.send.data:
        flash("Your return has been sent. We will tell you if we have any questions.", "success")
        return redirect(url_for("monitoring.view_return", return_id=draft.id))
    flash("Saved. Check the figures below, then send the return.", "success")
    return redirect(url_for("monitoring.return_form", account_id=account.id, start=start))


@bp.route("/accounts/<int:account_id>/returns/<start>/template.xlsx")
@roles_required(*SUBMITTERS)
def template(account_id: int, start: str):
    account, period = scope.load_period(viewer(), account_id, start, Need.RETURNS)
    data = form_pages.template_workbook(account, period)
    return attachment(data, f"return-{account.reference}-{start}.xlsx", XLSX)


@bp.route("/accounts/<int:account_id>/returns/<start>/upload", methods=["POST"])
@roles_required(*SUBMITTERS)
@upload_limits
def upload(account_id: int, start: str):
    account, period = scope.load_period(viewer(), account_id, start, Need.RETURNS)
    upload_form = UploadForm()
    try:
        if upload_form.validate_on_submit():
            try:
                form_pages.save_upload(
                    account,
                    period,
                    upload_form.workbook.data.read(MAX_BYTES + 1),
                    upload_form.workbook.data.filename,
                    actor=current_user,
                )
            except UploadError as exc:  # the upload rules' refusals and the workbook's
                upload_form.show_problems(problems_of(exc))
            else:
                flash(
                    "Your figures have been read from the spreadsheet. Check them, then send it.",
                    "success",
                )
                return redirect(
                    url_for("monitoring.return_form", account_id=account.id, start=start)
                )
        return _form_page(account, period, ReturnForm(formdata=None), upload_form)
    except RuleError as exc:
        return _back_to_returns(account.id, exc)


@bp.route("/accounts/<int:account_id>/returns/<start>/amend", methods=["POST"])
@roles_required(*SUBMITTERS)
def amend(account_id: int, start: str):
    account, period = scope.load_period(viewer(), account_id, start, Need.RETURNS)
    try:
        drafts.start_amendment(account, period, actor=current_user)
    except RuleError as exc:
        flash(str(exc), "error")
        return redirect(url_for("monitoring.returns", account_id=account.id))
    flash(
        "Change what you need to and add any evidence, then send the amendment. We will "
        "review the return again.",
        "success",
    )
    return redirect(url_for("monitoring.return_form", account_id=account.id, start=start))


@bp.route("/accounts/<int:account_id>/returns/<start>/evidence", methods=["POST"])
@roles_required(*SUBMITTERS)
@upload_limits
def add_evidence(account_id: int, start: str):
    account, period = scope.load_period(viewer(), account_id, start, Need.RETURNS)
    form = EvidenceForm()
    if form.validate_on_submit():
        try:
            evidence_files.add_evidence(
                account,
                period.start,
                kind=form.kind.data,
                filename=form.file.data.filename,
                data=form.file.data.read(MAX_EVIDENCE_BYTES + 1),
                actor=current_user,
            )
        except UploadError as exc:
            flash(f"The file was not added: {exc}.", "error")
        else:
            flash("The file has been added.", "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors) + ".", "error")
    return redirect(url_for("monitoring.return_form", account_id=account.id, start=start))


@bp.route("/evidence/<int:evidence_id>")
@signed_in
def evidence(evidence_id: int):
    """The file, as a download; `?view=inline` shows a PDF, PNG or JPEG in the browser (the
    review page frames it), under the type its contents were checked to be, never the type
    it was sent with. Anything else is always a download."""
    row = scope.load_evidence(viewer(), evidence_id)
    inline = request.args.get("view") == "inline" and row.preview is not None
    g.frame_same_origin = inline
    return stored_file(
        row.storage_key, row.original_name or "evidence", row.content_type, inline=inline
    )


@bp.route("/accounts/<int:account_id>/monitoring-tier", methods=["GET", "POST"])
@roles_required(Role.FINANCE_OFFICER)
def tier(account_id: int):
    account = account_scope.load_account(viewer(), account_id)
    form = TierForm()
    if form.validate_on_submit():
        tiers.change_tier(
            account,
            Tier(form.tier.data),
            form.effective_from.data,
            form.reason.data,
            actor=current_user,
        )
        flash("The decision has been recorded.", "success")
        return redirect(url_for("monitoring.returns", account_id=account.id))
    return render_template("monitoring/tier.html", form=form, account=account)


@bp.route("/reminder-timetable")
@public
def timetable():
    today = local_today()
    return render_template(
        "monitoring/timetable.html",
        table=timetables.timetable_on(today),
        coming=timetables.timetable_after(today),
        today=today,
    )


@bp.route("/admin/reminder-timetable", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def publish_timetable():
    form = TimetableForm()
    if form.validate_on_submit():
        try:
            timetables.publish_timetable(
                effective_from=form.effective_from.data,
                offsets={
                    key: getattr(form, key).data
                    for key in ("first", "second", "final", "escalation")
                },
                working_days=form.working_days.data == "1",
                note=form.note.data,
                actor=current_user,
            )
        except RuleError as exc:
            form.first.errors = [str(exc)]
        else:
            flash("The new timetable has been published.", "success")
            return redirect(url_for("monitoring.timetable"))
    return render_template(
        "monitoring/publish_timetable.html", form=form, table=timetables.timetable_on(local_today())
    )
