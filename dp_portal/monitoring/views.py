from pathlib import Path

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from ..accounts import scope as account_scope
from ..accounts.scope import Need
from ..auth.models import Role
from ..core.downloads import XLSX, attachment
from ..core.errors import RuleError
from ..core.filenames import clean_filename
from ..core.forms import choices
from ..core.permissions import public, roles_required, signed_in, viewer
from ..core.ratelimits import upload_limits
from ..core.types import local_today
from ..core.uploads import MAX_EVIDENCE_BYTES, UploadError
from ..extensions import db
from ..third_party.models import Organisation
from . import (
    bp,
    drafts,
    escalations,
    exports,
    recoveries,
    review,
    scope,
    tiers,
)
from . import evidence as evidence_files
from . import timetable as timetables
from .forms import (
    SPEND_FIELDS,
    AcceptForm,
    AcceptListedForm,
    ConversationForm,
    EvidenceForm,
    QueryForm,
    QueueFilterForm,
    RecoveryForm,
    ReturnForm,
    TierForm,
    TimetableForm,
    UploadForm,
)
from .periods import Tier
from .template import MAX_BYTES, build_template, read_return

SUBMITTERS = (Role.RECIPIENT, Role.BROKERAGE_STAFF, Role.FINANCE_OFFICER)


@bp.route("/accounts/<int:account_id>/returns")
@signed_in
def returns(account_id: int):
    account = account_scope.load_account(viewer(), account_id)
    today = local_today()
    latest = drafts.latest_returns(account.id)
    rows = [(p, latest.get(p.start)) for p in reversed(tiers.periods_for(account, today))]
    return render_template(
        "monitoring/returns.html",
        account=account,
        rows=rows,
        today=today,
        tier=tiers.current_tier(account.id, today),
        can_submit=current_user.role in SUBMITTERS
        and account_scope.allows(viewer(), account.id, Need.RETURNS),
        escalations=[
            task
            for task in escalations.tasks_for_account(account.id)
            if task.status != "closed" and current_user.role == Role.FINANCE_OFFICER
        ],
    )


@bp.route("/accounts/<int:account_id>/returns/<start>", methods=["GET", "POST"])
@roles_required(*SUBMITTERS)
def return_form(account_id: int, start: str):
    account, period = scope.load_period(viewer(), account_id, start, Need.RETURNS)
    try:
        draft = drafts.draft_for(account, period, create=False)
    except RuleError as exc:
        flash(str(exc), "info")
        return redirect(url_for("monitoring.returns", account_id=account.id))
    form = ReturnForm()
    if request.method == "GET":
        for name in drafts.FIELDS:
            getattr(form, name).data = draft.money(f"{name}_pence")
        form.explanation.data = draft.explanation
    elif form.validate_on_submit():
        # Only now is a new draft saved: a look, or a form with mistakes, saves nothing.
        draft = drafts.draft_for(account, period)
        values = {name: getattr(form, name).data for name in drafts.FIELDS}
        drafts.save_draft(draft, values, form.explanation.data or "", actor=current_user)
        if form.send.data:
            drafts.submit(draft, account=account, actor=current_user)
            flash(
                "Your return has been sent. We will tell you if we have any questions.", "success"
            )
            return redirect(url_for("monitoring.view_return", return_id=draft.id))
        flash("Saved. Check the figures below, then send the return.", "success")
        return redirect(url_for("monitoring.return_form", account_id=account.id, start=start))
    figures = drafts.figures_of(draft)
    reminders = timetables.reminder_dates(period.due)
    return render_template(
        "monitoring/return_form.html",
        reminders=reminders,
        form=form,
        upload_form=UploadForm(),
        evidence_form=EvidenceForm(),
        evidence=evidence_files.evidence_for(account.id, period.start),
        account=account,
        period=period,
        draft=draft,
        figures=figures,
        spend_fields=SPEND_FIELDS,
    )


@bp.route("/accounts/<int:account_id>/returns/<start>/template.xlsx")
@roles_required(*SUBMITTERS)
def template(account_id: int, start: str):
    account, period = scope.load_period(viewer(), account_id, start, Need.RETURNS)
    try:
        draft = drafts.draft_for(account, period, create=False)
    except RuleError:  # already sent: the template still downloads, with what was sent
        draft = drafts.versions(account.id, period.start)[0]
    data = build_template(
        reference=account.reference,
        period_start=period.start,
        period_end=period.end,
        opening=draft.money("opening_pence"),
        council_payments=draft.money("council_payments_pence"),
    )
    return attachment(data, f"return-{account.reference}-{start}.xlsx", XLSX)


@bp.route("/accounts/<int:account_id>/returns/<start>/upload", methods=["POST"])
@roles_required(*SUBMITTERS)
@upload_limits
def upload(account_id: int, start: str):
    account, period = scope.load_period(viewer(), account_id, start, Need.RETURNS)
    try:
        draft = drafts.draft_for(account, period, create=False)
    except RuleError as exc:
        flash(str(exc), "info")
        return redirect(url_for("monitoring.returns", account_id=account.id))
    upload_form = UploadForm()
    if upload_form.validate_on_submit():
        try:
            values = read_return(
                upload_form.workbook.data.read(MAX_BYTES + 1),
                filename=upload_form.workbook.data.filename,
                reference=account.reference,
                period_start=period.start,
                period_end=period.end,
            )
        except UploadError as exc:  # the upload rules' refusals and the workbook's
            upload_form.workbook.errors = [str(exc)]
        else:
            draft = drafts.draft_for(account, period)
            drafts.save_draft(draft, values, draft.explanation, actor=current_user)
            flash(
                "Your figures have been read from the spreadsheet. Check them, then send it.",
                "success",
            )
            return redirect(url_for("monitoring.return_form", account_id=account.id, start=start))
    form = ReturnForm()
    for name in drafts.FIELDS:
        getattr(form, name).data = draft.money(f"{name}_pence")
    return render_template(
        "monitoring/return_form.html",
        form=form,
        upload_form=upload_form,
        evidence_form=EvidenceForm(),
        evidence=evidence_files.evidence_for(account.id, period.start),
        account=account,
        period=period,
        draft=draft,
        figures=drafts.figures_of(draft),
        spend_fields=SPEND_FIELDS,
    )


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
                folder=Path(current_app.config["EVIDENCE_DIR"]),
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
    row = scope.load_evidence(viewer(), evidence_id)
    return send_from_directory(
        Path(current_app.config["EVIDENCE_DIR"]).resolve(),
        row.stored_name,
        mimetype=row.content_type,
        as_attachment=True,
        download_name=clean_filename(row.original_name, default="evidence"),
    )


@bp.route("/returns/<int:return_id>", methods=["GET", "POST"])
@signed_in
def view_return(return_id: int):
    row = scope.load_return(viewer(), return_id)
    form = QueryForm()
    if current_user.role == Role.FINANCE_OFFICER and form.validate_on_submit():
        try:
            review.raise_query(row, form.message.data, actor=current_user)
        except RuleError as exc:
            form.message.errors = [str(exc)]
        else:
            flash("Your question has been sent to the person.", "success")
            return redirect(url_for("monitoring.view_return", return_id=row.id))
    return _return_page(row, form=form)


def _return_page(row, **forms):
    """The return page, with whichever of its forms has just been posted (and its errors)."""
    account = row.account
    return render_template(
        "monitoring/return.html",
        row=row,
        evidence=evidence_files.evidence_for(row.account_id, row.period_start),
        account=account,
        form=forms.get("form") or QueryForm(),
        finance=current_user.role == Role.FINANCE_OFFICER,
        figures=drafts.figures_of(row),
        spend_fields=SPEND_FIELDS,
        can_answer=row.status in ("queried", "accepted")
        and current_user.role in SUBMITTERS
        and account_scope.allows(viewer(), row.account_id, Need.RETURNS),
        conversations=recoveries.conversations(row),
        talk_form=forms.get("talk_form") or ConversationForm(prefix="talk"),
        recovery_form=forms.get("recovery_form") or RecoveryForm(prefix="recovery"),
        accept_form=forms.get("accept_form") or AcceptForm(prefix="accept"),
        took_part=current_user.role == Role.FINANCE_OFFICER
        and review.took_part(row, current_user.id),
    )


@bp.route("/returns/<int:return_id>/conversation", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def record_conversation(return_id: int):
    row = scope.load_return(viewer(), return_id)
    form = ConversationForm(prefix="talk")
    if form.validate_on_submit():
        try:
            recoveries.record_conversation(
                row,
                held_on=form.held_on.data,
                with_whom=form.with_whom.data,
                reasons=form.reasons.data,
                outcome=form.outcome.data,
                actor=current_user,
            )
        except RuleError as exc:
            form.with_whom.errors = [str(exc)]
        else:
            flash("The conversation has been recorded.", "success")
            return redirect(url_for("monitoring.view_return", return_id=row.id))
    return _return_page(row, talk_form=form)


@bp.route("/returns/<int:return_id>/recovery", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def raise_recovery(return_id: int):
    row = scope.load_return(viewer(), return_id)
    form = RecoveryForm(prefix="recovery")
    if form.validate_on_submit():
        try:
            recoveries.recover_surplus(
                row,
                amount=form.amount.data,
                method=form.method.data,
                reason=form.reason.data,
                actor=current_user,
            )
        except RuleError as exc:
            form.amount.errors = [str(exc)]
        else:
            flash("The recovery has been raised and a letter recorded for the person.", "success")
            return redirect(url_for("monitoring.view_return", return_id=row.id))
    return _return_page(row, recovery_form=form)


@bp.route("/returns/<int:return_id>/accept", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def accept_return(return_id: int):
    row = scope.load_return(viewer(), return_id)
    form = AcceptForm(prefix="accept")
    if form.validate_on_submit():
        try:
            review.accept(row, actor=current_user, note=form.note.data or "")
        except RuleError as exc:
            form.note.errors = [str(exc)]
        else:
            flash("The return has been accepted.", "success")
            return redirect(url_for("monitoring.view_return", return_id=row.id))
    return _return_page(row, accept_form=form)


@bp.route("/returns")
@roles_required(Role.FINANCE_OFFICER)
def queue():
    form = _queue_form()
    page = db.paginate(
        _queue_query(form),
        per_page=50,
        error_out=False,
    )
    return render_template("monitoring/queue.html", page=page, form=form)


def _queue_form() -> QueueFilterForm:
    form = QueueFilterForm(request.args)
    orgs = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind != "provider")
        .order_by(Organisation.name)
    ).all()
    form.organisation.choices = choices([("", "Anyone"), *orgs])
    form.validate()
    return form


def _queue_query(form: QueueFilterForm):
    return review.queue(
        status=form.status.data or "submitted",
        flagged=form.flagged.data or "",
        locality=(form.locality.data or "").strip(),
        organisation_id=form.organisation.data,
        older_than_days=form.age.data,
        today=local_today(),
    )


def _xlsx(rows, name: str, account_id: int | None = None) -> Response:
    data = exports.export_workbook(rows, name, actor=current_user, account_id=account_id)
    return attachment(data, name, XLSX)


@bp.route("/returns/export.xlsx")
@roles_required(Role.FINANCE_OFFICER)
def export_queue():
    query = _queue_query(_queue_form())
    return _xlsx(db.session.execute(query.limit(50_000)).scalars().all(), "returns.xlsx")


@bp.route("/accounts/<int:account_id>/returns/history.xlsx")
@roles_required(Role.FINANCE_OFFICER, Role.TEAM_LEADER)
def export_history(account_id: int):
    account = account_scope.load_account(viewer(), account_id)
    return _xlsx(exports.history(account.id), f"returns-{account.reference}.xlsx", account.id)


@bp.route("/returns/accept-clean", methods=["GET", "POST"])
@roles_required(Role.FINANCE_OFFICER)
def accept_clean():
    """GET: the returns with no flags this officer may accept, listed; POST: accept exactly
    the ones listed on the page they saw."""
    form = AcceptListedForm()
    if form.validate_on_submit():
        outcome = review.accept_listed(form.return_ids(), current_user)
        flash(
            f"{outcome.accepted} returns with no flags have been accepted."
            + (
                f" {outcome.skipped} were left for review: they changed, or you took part in "
                "them, after the list was shown."
                if outcome.skipped
                else ""
            ),
            "success",
        )
        return redirect(url_for("monitoring.queue"))
    return render_template(
        "monitoring/accept_clean.html",
        rows=review.clean_to_accept(current_user),
        form=form,
        limit=review.BULK_LIMIT,
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
        "monitoring/timetable.html", table=timetables.timetable_on(today), today=today
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
