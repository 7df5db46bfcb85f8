"""The pooled client account's bank statements: importing one (its columns, when the file
does not say), checking each line's category and client, and posting the lines to the
clients' sub-ledgers. Each view parses the request, calls one service, and renders or
redirects."""

from flask import flash, redirect, render_template, request, url_for

from ..core.bank_statements import NeedsColumns
from ..core.errors import RuleError
from ..core.permissions import roles_required, viewer
from ..core.ratelimits import upload_limits
from ..core.uploads import STATEMENT, UploadError
from ..monitoring.statement_forms import ColumnsForm, StatementForm
from ..monitoring.statements import choices_for
from . import bp, pooled_import, pooled_posting
from .forms import PooledLinesForm, pooled_chosen
from .views import ORG_STAFF


def _review(statement_id: int):
    return redirect(url_for("client_money.pooled_statement", statement_id=statement_id))


@bp.route("/money/statements", methods=["GET", "POST"])
@roles_required(*ORG_STAFF)
@upload_limits
def pooled_statements():
    reader = viewer()
    form = StatementForm()
    if form.validate_on_submit():
        try:
            done = pooled_import.import_statement(
                reader,
                data=form.file.data.read(STATEMENT.max_bytes + 1),
                filename=form.file.data.filename,
            )
        except UploadError as exc:  # the upload rules' refusals and the statement's
            form.file.errors = [f"The statement was not imported. {exc}"]
        else:
            if done.needs_columns is not None:
                return redirect(url_for("client_money.pooled_columns", statement_id=done.row.id))
            flash(_imported(done.row), "success")
            return _review(done.row.id)
    return render_template(
        "third_party/money_statements.html",
        form=form,
        statements=pooled_import.statements(reader),
    )


def _imported(row) -> str:
    skipped = row.duplicate_count
    return (
        f"{row.line_count} line{'' if row.line_count == 1 else 's'} imported"
        + (f" ({skipped} were imported before, so we left them out)" if skipped else "")
        + ". Check each line's category and client, then post them."
    )


@bp.route("/money/statements/<int:statement_id>/columns", methods=["GET", "POST"])
@roles_required(*ORG_STAFF)
def pooled_columns(statement_id: int):
    reader = viewer()
    form = ColumnsForm()
    asked: NeedsColumns = pooled_import.columns_question(reader, statement_id)
    form.offer(asked.preview, asked.width)
    columns = form.columns() if form.validate_on_submit() else None
    if columns is not None:
        try:
            row = pooled_import.choose_columns(reader, statement_id, columns)
        except UploadError as exc:  # the chosen columns do not read: say where
            form.date.errors = [f"The statement was not imported. {exc}"]
        else:
            flash(_imported(row), "success")
            return _review(row.id)
    return render_template(
        "third_party/money_statement_columns.html",
        form=form,
        preview=asked.preview,
        width=asked.width,
    )


@bp.route("/money/statements/<int:statement_id>")
@roles_required(*ORG_STAFF)
def pooled_statement(statement_id: int):
    page = pooled_posting.review_page(viewer(), statement_id, request.args.get("page", 1, int))
    return render_template(
        "third_party/money_statement.html",
        page=page,
        form=PooledLinesForm(formdata=None),
        choices_for=choices_for,
    )


@bp.route("/money/statements/<int:statement_id>/lines", methods=["POST"])
@roles_required(*ORG_STAFF)
def pooled_statement_lines(statement_id: int):
    form = PooledLinesForm()
    chosen, wrong = pooled_chosen(request.form)
    if not form.validate_on_submit() or wrong:
        flash("Choose a category from the list for each line.", "error")
        return _review(statement_id)
    try:
        done = pooled_posting.check_and_post(
            viewer(), statement_id, chosen, post=bool(form.post.data)
        )
    except RuleError as exc:
        flash(f"Nothing was saved or posted. {exc}", "error")
        return _review(statement_id)
    if form.post.data:
        flash(f"{done} lines posted to the clients' sub-ledgers.", "success")
    else:
        flash("Your choices have been saved. We will use them for lines like these.", "success")
    return _review(statement_id)
