"""Importing a bank statement into a return: the file, its columns when the file does not
say, and each line's category; then the return form, filled. Each view parses the request,
calls one service (statement_services), and renders or redirects."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts.scope import Need
from ..core.errors import RuleError
from ..core.permissions import roles_required, viewer
from ..core.ratelimits import upload_limits
from ..core.uploads import STATEMENT, UploadError
from . import bp, scope, statement_services
from .scope import SUBMITTERS
from .statement_forms import ColumnsForm, LinesForm, StatementForm, lines_chosen
from .statements import Category, choices_for


def _lines_imported(count: int) -> str:
    return f"{count} line{'' if count == 1 else 's'} imported"


def _page(account, period, form: StatementForm, status: int = 200):
    page = statement_services.statement_page(account, period)
    return (
        render_template(
            "monitoring/statement.html",
            account=account,
            period=period,
            form=form,
            lines_form=LinesForm(formdata=None),
            page=page,
            categories=Category,
            choices_for=choices_for,
        ),
        status,
    )


@bp.route("/accounts/<int:account_id>/returns/<start>/statement", methods=["GET", "POST"])
@roles_required(*SUBMITTERS)
@upload_limits
def statement(account_id: int, start: str):
    account, period = scope.load_period(viewer(), account_id, start, Need.RETURNS)
    form = StatementForm()
    if not form.validate_on_submit():
        return _page(account, period, form)
    try:
        done = statement_services.import_statement(
            account,
            data=form.file.data.read(STATEMENT.max_bytes + 1),
            filename=form.file.data.filename,
            actor=current_user,
        )
    except UploadError as exc:  # the upload rules' refusals and the statement's
        form.file.errors = [f"The statement was not imported. {exc}"]
        return _page(account, period, form)
    if done.needs_columns is not None:
        return redirect(
            url_for(
                "monitoring.statement_columns",
                account_id=account.id,
                start=start,
                import_id=done.row.id,
            )
        )
    skipped = done.row.duplicate_count
    flash(
        _lines_imported(done.row.line_count)
        + (f" ({skipped} were imported before, so we left them out)" if skipped else "")
        + ". Check the category of each line.",
        "success",
    )
    return redirect(url_for("monitoring.statement", account_id=account.id, start=start))


@bp.route(
    "/accounts/<int:account_id>/returns/<start>/statement/<int:import_id>/columns",
    methods=["GET", "POST"],
)
@roles_required(*SUBMITTERS)
def statement_columns(account_id: int, start: str, import_id: int):
    account, period = scope.load_period(viewer(), account_id, start, Need.RETURNS)
    form = ColumnsForm()
    back = redirect(url_for("monitoring.statement", account_id=account.id, start=start))
    try:
        asked = statement_services.columns_page(account, import_id)
        form.offer(asked.preview, asked.width)
        columns = form.columns() if form.validate_on_submit() else None
        if columns is not None:
            row = statement_services.choose_columns(account, import_id, columns, actor=current_user)
            flash(f"{_lines_imported(row.line_count)}. Check the category of each line.", "success")
            return back
    except RuleError as exc:
        flash(str(exc), "info")
        return back
    except UploadError as exc:  # the chosen columns do not read: say where
        form.date.errors = [f"The statement was not imported. {exc}"]
    return render_template(
        "monitoring/statement_columns.html",
        account=account,
        period=period,
        form=form,
        preview=asked.preview,
        width=asked.width,
    )


@bp.route("/accounts/<int:account_id>/returns/<start>/statement/lines", methods=["POST"])
@roles_required(*SUBMITTERS)
def statement_lines(account_id: int, start: str):
    account, period = scope.load_period(viewer(), account_id, start, Need.RETURNS)
    form = LinesForm()
    here = redirect(url_for("monitoring.statement", account_id=account.id, start=start))
    chosen, wrong = lines_chosen(request.form)
    if not form.validate_on_submit() or wrong:
        flash("Choose a category from the list for each line.", "error")
        return here
    try:
        if form.fill.data:
            statement_services.save_and_fill(account, period, chosen, actor=current_user)
        else:
            statement_services.correct_lines(account, period, chosen, actor=current_user)
    except RuleError as exc:
        flash(str(exc), "error")
        return here
    if form.fill.data:
        flash(
            "Your return has been filled in from your statement. Check the figures, add "
            "your evidence, then send it.",
            "success",
        )
        return redirect(url_for("monitoring.return_form", account_id=account.id, start=start))
    flash("The categories have been saved. We will use them for lines like these.", "success")
    return here
