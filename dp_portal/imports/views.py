"""The import pages, for finance officers: upload a file, say what each sheet holds and
which field each column is, see the dry run, then apply or cancel; and the list of imports.
Each view parses the request, calls a service, and renders or redirects."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..core.errors import RuleError
from ..core.permissions import roles_required, viewer
from ..core.ratelimits import upload_limits
from ..core.spreadsheets import problems_of
from ..core.uploads import UploadError
from . import bp, services
from .files import MAX_BYTES
from .forms import (
    ApplyForm,
    CancelForm,
    CheckAgainForm,
    UploadForm,
    chosen_columns,
    chosen_kinds,
    columns_form,
    sheets_form,
)
from .lifecycle import ImportState
from .report_pages import LISTS, report_view
from .scope import IMPORTERS, load_import


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


@bp.route("/imports")
@roles_required(*IMPORTERS)
def index():
    return render_template("imports/index.html", page=services.imports_page(_page_number()))


@bp.route("/imports/new", methods=["GET", "POST"])
@roles_required(*IMPORTERS)
@upload_limits
def new():
    form = UploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            record = services.start(
                form.file.data.read(MAX_BYTES + 1),
                form.file.data.filename,
                form.source.data,
                current_user,
            )
        except UploadError as exc:
            problems = problems_of(exc)
            form.file.errors = [f"The file was not imported. {problems[0]}"]
        else:
            return redirect(url_for("imports.sheets", bulk_import_id=record.id))
    return render_template("imports/new.html", form=form, problems=problems[1:])


@bp.route("/imports/<int:bulk_import_id>/sheets")
@roles_required(*IMPORTERS)
def sheets(bulk_import_id: int):
    record = load_import(viewer(), bulk_import_id)
    try:
        services.editable(record)
    except RuleError as exc:
        flash(str(exc), "info")
        return redirect(url_for("imports.show", bulk_import_id=record.id))
    form = sheets_form(record.sheets, formdata=None)
    return render_template("imports/sheets.html", record=record, form=form)


@bp.route("/imports/<int:bulk_import_id>/columns", methods=["GET", "POST"])
@roles_required(*IMPORTERS)
def columns(bulk_import_id: int):
    record = load_import(viewer(), bulk_import_id)
    kinds = chosen_kinds(request.args, record.sheets)
    try:
        pages = services.columns_page(record, kinds)
    except RuleError as exc:
        flash(str(exc), "error")
        return redirect(url_for("imports.sheets", bulk_import_id=record.id))
    form = columns_form(pages, formdata=request.form if request.method == "POST" else None)
    problems: list[str] = []
    if request.method == "POST" and form.validate():
        try:
            services.check(record, chosen_columns(form, pages), current_user)
        except services.MappingProblems as exc:
            problems = exc.problems
        else:
            return redirect(url_for("imports.show", bulk_import_id=record.id))
    return render_template(
        "imports/columns.html",
        record=record,
        pages=pages,
        form=form,
        problems=problems,
        kinds={f"sheet-{p}": k.value for p, k in kinds.items() if k},
    )


@bp.route("/imports/<int:bulk_import_id>")
@roles_required(*IMPORTERS)
def show(bulk_import_id: int):
    record = load_import(viewer(), bulk_import_id)
    view = report_view(record, show=request.args.get("show"), page=_page_number())
    return render_template(
        "imports/show.html",
        view=view,
        record=record,
        lists=LISTS,
        apply_form=ApplyForm(prefix="apply"),
        check_form=CheckAgainForm(prefix="check"),
        cancel_form=CancelForm(prefix="cancel"),
        states=ImportState,
    )


def _back(record, message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for("imports.show", bulk_import_id=record.id))


@bp.route("/imports/<int:bulk_import_id>/apply", methods=["POST"])
@roles_required(*IMPORTERS)
def apply(bulk_import_id: int):
    record = load_import(viewer(), bulk_import_id)
    if not ApplyForm(prefix="apply").validate_on_submit():
        return _back(record, "The form had expired: press Apply again", "error")
    limit = current_app.config["IMPORT_ROWS_IN_REQUEST"]
    try:
        done = services.request_apply(record, current_user, in_request_rows=limit)
    except RuleError as exc:
        return _back(record, str(exc), "error")
    if not done:
        return _back(
            record, "The import is being applied. This page shows when it is done.", "info"
        )
    if record.state == ImportState.FAILED:
        return _back(record, f"Nothing was changed. {record.failure}", "error")
    waiting = record.approval_count
    return _back(
        record,
        "The import has been applied."
        + (
            f" {waiting:,} bank details or budgets from it wait for a second officer's approval."
            if waiting
            else ""
        ),
    )


@bp.route("/imports/<int:bulk_import_id>/check", methods=["POST"])
@roles_required(*IMPORTERS)
def check_again(bulk_import_id: int):
    record = load_import(viewer(), bulk_import_id)
    if not CheckAgainForm(prefix="check").validate_on_submit():
        return _back(record, "The form had expired: press Check it again", "error")
    try:
        services.check_again(record, current_user)
    except RuleError as exc:
        return _back(record, str(exc), "error")
    return _back(record, "The file has been checked again.")


@bp.route("/imports/<int:bulk_import_id>/cancel", methods=["POST"])
@roles_required(*IMPORTERS)
def cancel(bulk_import_id: int):
    record = load_import(viewer(), bulk_import_id)
    if not CancelForm(prefix="cancel").validate_on_submit():
        return _back(record, "The form had expired: press Cancel again", "error")
    try:
        services.cancel(record, current_user)
    except RuleError as exc:
        return _back(record, str(exc), "error")
    return _back(record, "The import has been cancelled. Nothing from it was applied.")
