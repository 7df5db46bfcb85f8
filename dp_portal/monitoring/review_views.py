"""Reviewing returns: the return page (questions, conversations, recoveries, acceptance),
the finance officers' queue and its export, and accepting the clean returns listed. Each view
parses the request, calls one service, and renders or redirects."""

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts import scope as account_scope
from ..auth.models import Role
from ..core.downloads import XLSX, attachment
from ..core.errors import RuleError
from ..core.forms import choices
from ..core.permissions import roles_required, signed_in, viewer
from ..core.types import local_today
from . import bp, exports, recoveries, review, review_page, scope
from .forms import (
    SPEND_FIELDS,
    AcceptForm,
    AcceptListedForm,
    ConversationForm,
    QueryForm,
    QueueFilterForm,
    RecoveryForm,
)


def _return_page(row, **forms):
    """The return page, with whichever of its forms has just been posted (and its errors)."""
    page = review.return_page(viewer(), row)
    return render_template(
        "monitoring/return.html",
        row=row,
        evidence=page.evidence,
        account=row.account,
        form=forms.get("form") or QueryForm(),
        finance=page.finance,
        figures=page.figures,
        spend_fields=SPEND_FIELDS,
        can_answer_query=page.can_answer_query,
        can_amend=page.can_amend,
        can_discuss_surplus=page.can_discuss_surplus,
        can_review=page.can_review,
        conversations=page.conversations,
        talk_form=forms.get("talk_form") or ConversationForm(prefix="talk"),
        recovery_form=forms.get("recovery_form") or RecoveryForm(prefix="recovery"),
        accept_form=forms.get("accept_form") or AcceptForm(prefix="accept"),
        took_part=page.took_part,
        sections=page.sections,
        earlier=page.earlier,
        record=page.record,
        council=page.council,
        line_of_flag=review_page.LINE_OF_FLAG,
        from_ledger=page.from_ledger,
    )


def _act(return_id: int, form, slot: str, act: Callable, error_field: str, done: str):
    """One of the return page's forms posted: `act(row, form)` calls the service; a broken
    rule is shown against `error_field`, and the page is shown again with the form."""
    row = scope.load_return(viewer(), return_id)
    if form.validate_on_submit():
        try:
            act(row, form)
        except RuleError as exc:
            form[error_field].errors = [str(exc)]
        else:
            flash(done, "success")
            return redirect(url_for("monitoring.view_return", return_id=row.id))
    return _return_page(row, **{slot: form})


@bp.route("/returns/<int:return_id>", methods=["GET", "POST"])
@signed_in
def view_return(return_id: int):
    if current_user.role != Role.FINANCE_OFFICER:  # only finance officers ask questions
        return _return_page(scope.load_return(viewer(), return_id))
    return _act(
        return_id,
        QueryForm(),
        "form",
        lambda row, form: review.raise_query(row, form.message.data, actor=current_user),
        "message",
        "Your question has been sent to the person.",
    )


@bp.route("/returns/<int:return_id>/conversation", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def record_conversation(return_id: int):
    def act(row, form):
        recoveries.record_conversation(
            row,
            held_on=form.held_on.data,
            with_whom=form.with_whom.data,
            reasons=form.reasons.data,
            outcome=form.outcome.data,
            actor=current_user,
        )

    form = ConversationForm(prefix="talk")
    return _act(
        return_id, form, "talk_form", act, "with_whom", "The conversation has been recorded."
    )


@bp.route("/returns/<int:return_id>/recovery", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def raise_recovery(return_id: int):
    def act(row, form):
        recoveries.recover_surplus(
            row,
            amount=form.amount.data,
            method=form.method.data,
            reason=form.reason.data,
            actor=current_user,
        )

    done = "The recovery has been raised and a letter recorded for the person."
    return _act(return_id, RecoveryForm(prefix="recovery"), "recovery_form", act, "amount", done)


@bp.route("/returns/<int:return_id>/accept", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def accept_return(return_id: int):
    return _act(
        return_id,
        AcceptForm(prefix="accept"),
        "accept_form",
        lambda row, form: review.accept(row, actor=current_user, note=form.note.data or ""),
        "note",
        "The return has been accepted.",
    )


def _queue_filters() -> tuple[QueueFilterForm, review.QueueFilters]:
    form = QueueFilterForm(request.args)
    form.validate()
    return form, review.QueueFilters(
        status=form.status.data or "submitted",
        flagged=form.flagged.data or "",
        locality=(form.locality.data or "").strip(),
        organisation_id=form.organisation.data,
        older_than_days=form.age.data,
    )


@bp.route("/returns")
@roles_required(Role.FINANCE_OFFICER)
def queue():
    form, filters = _queue_filters()
    queue_page = review.queue_page(filters, local_today(), request.args.get("page", 1, type=int))
    form.organisation.choices = choices([("", "Anyone"), *queue_page.organisations])
    return render_template("monitoring/queue.html", page=queue_page.page, form=form)


@bp.route("/returns/export.xlsx")
@roles_required(Role.FINANCE_OFFICER)
def export_queue():
    _, filters = _queue_filters()
    data = exports.queue_workbook(filters, local_today(), actor=current_user)
    return attachment(data, "returns.xlsx", XLSX)


@bp.route("/accounts/<int:account_id>/returns/history.xlsx")
@roles_required(Role.FINANCE_OFFICER, Role.TEAM_LEADER)
def export_history(account_id: int):
    account = account_scope.load_account(viewer(), account_id)
    data, name = exports.history_workbook(account, actor=current_user)
    return attachment(data, name, XLSX)


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
