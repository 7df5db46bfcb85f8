"""The monthly reconciliation of a pooled client account: the organisation's months, one
month's page (closing balance, differences, explanations), sending it for sign-off, and
sign-off or sending back by a second member of staff."""

from flask import flash, redirect, render_template, request, url_for

from ..auth.models import Role
from ..core.errors import RuleError
from ..core.forms import choices
from ..core.permissions import roles_required, viewer
from . import bp, reconcile, scope
from .forms import (
    ClosingForm,
    DifferenceForm,
    ExplainForm,
    SendBackForm,
    StartMonthForm,
)

ORG_STAFF = (Role.BROKERAGE_STAFF,)
READERS = (Role.BROKERAGE_STAFF, Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)


@bp.route("/money/reconciliations", methods=["GET", "POST"])
@roles_required(*ORG_STAFF)
def reconciliations():
    reader = viewer()
    form = StartMonthForm()
    form.month.choices = choices([("", "Choose a month"), *reconcile.months_to_start(reader)])
    if form.validate_on_submit():
        try:
            rec = reconcile.start_month(reader, form.month.data)
        except RuleError as exc:
            form.month.errors = [str(exc)]
        else:
            return redirect(url_for("client_money.reconciliation", rec_id=rec.id))
    return render_template(
        "third_party/money_reconciliations.html",
        form=form,
        months=reconcile.months(reader),
    )


def _month(rec_id: int, *, write: bool = False):
    reader = viewer()
    return reader, scope.load_reconciliation(reader, rec_id, write=write)


def _render(reader, rec, **forms):
    """The month's page, with the form that failed (if any) as `form` for the summary."""
    page = reconcile.month_page(reader, rec, request.args.get("page", 1, int))
    # A form for each of the first few differences still to explain (a month can list
    # thousands; each explained one makes room for the next).
    explain_forms = {
        item.id: ExplainForm(prefix=f"d{item.id}", formdata=None) for item in page.to_explain
    }
    failed = forms.get("explain_form")
    failed_id = int(failed._prefix[1:-1]) if failed is not None else None  # "d<id>-"
    if failed_id in explain_forms:
        explain_forms[failed_id] = failed
    return render_template(
        "third_party/money_reconciliation.html",
        page=page,
        closing_form=forms.get("closing_form") or ClosingForm(formdata=None),
        difference_form=forms.get("difference_form") or DifferenceForm(formdata=None),
        back_form=forms.get("back_form") or SendBackForm(formdata=None),
        explain_forms=explain_forms,
        form=next(iter(forms.values()), None),
    )


def _back(rec_id: int, message: str):
    flash(message, "success")
    return redirect(url_for("client_money.reconciliation", rec_id=rec_id))


@bp.route("/money/reconciliations/<int:rec_id>")
@roles_required(*READERS)
def reconciliation(rec_id: int):
    reader, rec = _month(rec_id)
    return _render(reader, rec)


def _submit(reader, rec, slot: str, form, field: str, change, done: str):
    """A form on the month's page: `change()` on valid input (a broken rule is shown on
    `field`), then back to the month; otherwise the page again with the form's errors."""
    if form.validate_on_submit():
        try:
            change()
        except RuleError as exc:
            getattr(form, field).errors = [str(exc)]
        else:
            return _back(rec.id, done)
    return _render(reader, rec, **{slot: form})


def _decide(rec, change, done: str):
    """A button on the month's page: `change()`, or the broken rule shown on the month."""
    try:
        change()
    except RuleError as exc:
        flash(str(exc), "error")
        return redirect(url_for("client_money.reconciliation", rec_id=rec.id))
    return _back(rec.id, done)


@bp.route("/money/reconciliations/<int:rec_id>/closing", methods=["POST"])
@roles_required(*ORG_STAFF)
def reconciliation_closing(rec_id: int):
    reader, rec = _month(rec_id, write=True)
    form = ClosingForm()
    return _submit(
        reader,
        rec,
        "closing_form",
        form,
        "closing",
        lambda: reconcile.enter_closing(reader, rec, form.closing.data),
        "The closing balance has been saved.",
    )


@bp.route("/money/reconciliations/<int:rec_id>/differences", methods=["POST"])
@roles_required(*ORG_STAFF)
def reconciliation_difference(rec_id: int):
    reader, rec = _month(rec_id, write=True)
    form = DifferenceForm()
    return _submit(
        reader,
        rec,
        "difference_form",
        form,
        "amount",
        lambda: reconcile.add_difference(reader, rec, form.data),
        "The difference has been listed with its explanation.",
    )


@bp.route("/money/reconciliations/<int:rec_id>/differences/<int:item_id>", methods=["POST"])
@roles_required(*ORG_STAFF)
def explain_difference(rec_id: int, item_id: int):
    reader, rec = _month(rec_id, write=True)
    item = reconcile.load_difference(rec, item_id)
    form = ExplainForm(prefix=f"d{item.id}")
    return _submit(
        reader,
        rec,
        "explain_form",
        form,
        "explanation",
        lambda: reconcile.explain(reader, rec, item.id, form.explanation.data),
        "The explanation has been saved.",
    )


@bp.route("/money/reconciliations/<int:rec_id>/send", methods=["POST"])
@roles_required(*ORG_STAFF)
def send_reconciliation(rec_id: int):
    reader, rec = _month(rec_id, write=True)
    return _decide(
        rec,
        lambda: reconcile.send_for_sign_off(reader, rec),
        "Sent for sign-off. Another member of staff must now sign it off.",
    )


@bp.route("/money/reconciliations/<int:rec_id>/sign-off", methods=["POST"])
@roles_required(*ORG_STAFF)
def sign_off_reconciliation(rec_id: int):
    reader, rec = _month(rec_id, write=True)
    return _decide(
        rec,
        lambda: reconcile.sign_off(reader, rec),
        f"{rec.month:%B %Y} is signed off and sealed.",
    )


@bp.route("/money/reconciliations/<int:rec_id>/send-back", methods=["POST"])
@roles_required(*ORG_STAFF)
def send_back_reconciliation(rec_id: int):
    reader, rec = _month(rec_id, write=True)
    form = SendBackForm()
    return _submit(
        reader,
        rec,
        "back_form",
        form,
        "note",
        lambda: reconcile.send_back(reader, rec, form.note.data),
        "The month has been sent back to be looked at again.",
    )
