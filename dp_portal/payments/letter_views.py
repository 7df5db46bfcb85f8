"""An account's letters, each as a PDF, and the emailed copies that did not arrive."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts import scope as account_scope
from ..auth.models import Role
from ..core.downloads import PDF, attachment
from ..core.errors import RuleError
from ..core.letters import letters_for_account
from ..core.permissions import roles_required, signed_in, viewer
from . import account_letters, bp


@bp.route("/accounts/<int:account_id>/letters")
@signed_in
def letters(account_id: int):
    account = account_scope.load_account(viewer(), account_id)
    return render_template(
        "payments/letters.html", account=account, letters=letters_for_account(account.id)
    )


@bp.route("/letters/not-emailed")
@roles_required(Role.FINANCE_OFFICER, Role.ADMIN)
def undelivered_letters():
    listed = account_letters.undelivered_page(viewer(), request.args.get("page", type=int))
    return render_template(
        "payments/undelivered_letters.html",
        page=listed.page,
        accounts=listed.accounts,
        max_attempts=listed.max_attempts,
    )


@bp.route("/letters/<int:letter_id>/email-again", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER, Role.ADMIN)
def email_letter_again(letter_id: int):
    letter = account_scope.load_letter(viewer(), letter_id)
    try:
        email = account_letters.email_again(letter, actor=current_user)
    except RuleError as exc:
        flash(str(exc), "error")
    else:
        flash(f"The letter will be emailed again to {email} within 10 minutes.", "success")
    return redirect(url_for("payments.undelivered_letters"))


@bp.route("/letters/<int:letter_id>.pdf")
@signed_in
def letter_pdf(letter_id: int):
    letter = account_scope.load_letter(viewer(), letter_id)
    return attachment(*account_letters.letter_pdf(letter), PDF)
