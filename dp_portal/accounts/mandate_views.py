"""An organisation's mandate to act for an account: added (with the person's consent) and
withdrawn from the account; the person confirms one on screen with their own login."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core import audit
from ..core.downloads import stored_file
from ..core.errors import RuleError
from ..core.forms import choices
from ..core.permissions import roles_required, viewer
from ..core.ratelimits import upload_limits
from ..core.uploads import MAX_EVIDENCE_BYTES
from ..third_party import services as third_party
from ..third_party.forms import ConsentForm, MandateForm
from . import bp, mandate_services, scope

FORM_FIELDS = (
    "organisation_id",
    "scope",
    "starts_on",
    "ends_on",
    "consent_method",
    "consent_given_by",
    "consent_recorded_on",
)


def _consent_file(form: MandateForm) -> third_party.ConsentFile | None:
    data = form.consent_form.data
    if form.consent_method.data != "signed_form" or not getattr(data, "filename", ""):
        return None
    return third_party.ConsentFile(data.filename, data.read(MAX_EVIDENCE_BYTES + 1))


def _show_error(form: MandateForm, message: str) -> None:
    """A broken rule beside the question it is about (and in the error summary)."""
    if "login of their own" in message:
        field = form.consent_method
    elif "who signed" in message:
        field = form.consent_given_by
    elif "consent form" in message or "signed" in message:
        field = form.consent_form
    else:
        field = form.organisation_id
    field.errors = [message]


@bp.route("/accounts/<int:account_id>/mandates/new", methods=["GET", "POST"])
@roles_required(Role.FINANCE_OFFICER)
@upload_limits
def new_mandate(account_id: int):
    account = scope.load_account(viewer(), account_id)
    form = MandateForm()
    managing = third_party.organisation_names(third_party.MANAGING_KINDS)
    form.organisation_id.choices = choices([("", "Choose an organisation"), *managing])
    people = [("person", account.person.full_name)]
    people += [(str(i), name) for i, name in mandate_services.representatives(account)]
    form.consent_given_by.choices = choices(people)
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in FORM_FIELDS}
        data["letters_to_organisation"] = form.letters_to_organisation.data == "yes"
        try:
            mandate = mandate_services.add_mandate(
                account,
                data,
                consent_file=_consent_file(form),
                actor=current_user,
            )
        except RuleError as exc:
            _show_error(form, str(exc))
        else:
            flash(
                "The mandate has been added."
                if mandate.status == "consented"
                else "The mandate is waiting for the person to confirm it, signed in to their "
                "account. It gives no access until then.",
                "success",
            )
            return redirect(url_for("accounts.show", account_id=account.id))
    return render_template("accounts/mandate_form.html", form=form, account=account)


@bp.route("/mandates/<int:mandate_id>/withdraw", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def withdraw_mandate(mandate_id: int):
    mandate = scope.load_mandate(viewer(), mandate_id)
    third_party.withdraw_mandate(mandate, actor=current_user)
    flash(f"{mandate.organisation.name} no longer acts for this account.", "success")
    return redirect(url_for("accounts.show", account_id=mandate.account_id))


@bp.route("/mandates/<int:mandate_id>/consent", methods=["GET", "POST"])
@roles_required(Role.RECIPIENT)
def confirm_mandate(mandate_id: int):
    reader = viewer()
    mandate = scope.load_mandate(reader, mandate_id)
    form = ConsentForm()
    if mandate.status == "awaiting_consent" and form.validate_on_submit():
        try:
            mandate_services.confirm_consent(mandate, actor=current_user, today=reader.today)
        except RuleError as exc:
            form.agree.errors = [str(exc)]
        else:
            flash(f"Thank you. {mandate.organisation.name} may now act for you.", "success")
            return redirect(url_for("accounts.show", account_id=mandate.account_id))
    return render_template(
        "accounts/mandate_consent.html", form=form, mandate=mandate, account=mandate.account
    )


@bp.route("/mandates/<int:mandate_id>/consent-form")
@roles_required(Role.FINANCE_OFFICER)
def consent_form(mandate_id: int):
    mandate = scope.load_mandate(viewer(), mandate_id)
    key = third_party.consent_form_key(mandate)
    audit.record_download(
        current_user, "consent_form", mandate.consent_file_name, account_id=mandate.account_id
    )
    return stored_file(key, mandate.consent_file_name, mandate.consent_content_type)
