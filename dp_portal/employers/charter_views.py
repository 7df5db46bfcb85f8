"""Charter Mark pages for the public and for employers: what the Charter Mark is and its
criteria, checking a number, applying, answering the criteria, sending and withdrawing,
evidence files and certificates."""

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ..accounts.scope import Need
from ..core.downloads import PDF, attachment, stored_file
from ..core.errors import RuleError
from ..core.permissions import public, signed_in, viewer
from ..core.ratelimits import upload_limits
from ..core.types import local_today
from ..core.uploads import MAX_EVIDENCE_BYTES
from . import bp, charter_pages, charter_services
from .charter_awards import certificate_pdf, verification
from .charter_forms import ApplyForm, VerifyForm, answers_form
from .charter_rules import Status, normalise_number
from .models import CharterTier


@bp.context_processor
def _charter_labels() -> dict:
    return {
        "charter_tiers": {tier.value: tier.label for tier in CharterTier},
        "charter_statuses": {status.value: status.label for status in Status},
    }


@bp.route("/employers/charter-mark")
@public
def charter_mark():
    """What the Charter Mark is, its two tiers and the current criteria (the handbook links
    to #criterion-<key>); a box to check a number."""
    form = VerifyForm(request.args)
    if "number" in request.args and form.validate():
        number = normalise_number(form.number.data)
        if number:
            return redirect(url_for("employers.charter_verify", number=number))
        form.number.errors = ["Enter a Charter Mark number like CM-2026-0001"]
    signed = viewer() if current_user.is_authenticated else None
    page = charter_pages.public_page(signed)
    return render_template("employers/charter/about.html", page=page, form=form)


@bp.route("/employers/charter-mark/<number>")
@public
def charter_verify(number: str):
    """Public: whether a number is current, expired or not found. Only the name the employer
    chose to show, the tier and the dates."""
    result = verification(number, local_today())
    status = 200 if result.found else 404
    return render_template("employers/charter/verify.html", result=result), status


@bp.route("/employers/accounts/<int:account_id>/charter-mark")
@signed_in
def charter_account(account_id: int):
    charter = charter_pages.account_page(viewer(), account_id)
    return render_template("employers/charter/account.html", charter=charter)


@bp.route("/employers/accounts/<int:account_id>/charter-mark/apply", methods=["GET", "POST"])
@signed_in
def charter_apply(account_id: int):
    charter, version = charter_pages.apply_page(viewer(), account_id)
    form = ApplyForm()
    if form.validate_on_submit():
        try:
            application = charter_services.start_application(
                charter.account,
                tier=CharterTier(form.tier.data),
                display_name=form.display_name.data,
                actor=current_user,
                today=local_today(),
            )
        except RuleError as exc:
            form.tier.errors = [str(exc)]
        else:
            if application.tier == CharterTier.SUPPORTER:
                flash("You are now a Charter Mark Supporter. Thank you.", "success")
                return redirect(
                    url_for("employers.charter_application", application_id=application.id)
                )
            flash("Your application has been started. Answer each criterion below.", "success")
            return redirect(url_for("employers.charter_answers", application_id=application.id))
    return render_template(
        "employers/charter/apply.html", charter=charter, version=version, form=form
    )


@bp.route("/employers/charter/applications/<int:application_id>")
@signed_in
def charter_application(application_id: int):
    page = charter_pages.application_page(viewer(), application_id)
    return render_template("employers/charter/application.html", page=page)


def _uploads(keys: set[str]) -> dict[str, tuple[str, bytes]]:
    uploads = {}
    for key in keys:
        data = request.files.get(f"evidence_{key}")
        if data and data.filename:
            uploads[key] = (data.filename, data.read(MAX_EVIDENCE_BYTES + 1))
    return uploads


@bp.route("/employers/charter/applications/<int:application_id>/answers", methods=["GET", "POST"])
@signed_in
@upload_limits
def charter_answers(application_id: int):
    page = charter_pages.application_page(viewer(), application_id, Need.EMPLOYER)
    application = page.application
    form = answers_form([a.criterion for a in application.answers], page.editable)
    if request.method == "GET":
        for answer in application.answers:
            if answer.criterion.key in page.editable:
                form[f"answer_{answer.criterion.key}"].data = answer.answer
    elif form.validate_on_submit():
        texts = {
            key: form[f"answer_{key}"].data or ""
            for key in page.editable
            if f"answer_{key}" in request.form
        }
        try:
            charter_services.save_answers(
                application,
                texts,
                _uploads(page.editable),
                actor=current_user,
            )
            if form.send.data:
                charter_services.submit(application, actor=current_user)
        except charter_services.AnswerProblems as exc:
            for name, message in exc.problems.items():
                form[name].errors = [message]
        except RuleError as exc:
            flash(str(exc), "error")
            return redirect(url_for("employers.charter_application", application_id=application.id))
        else:
            flash(
                "Your application has been sent. We will tell you what we decide."
                if form.send.data
                else "Your answers have been saved. Send the application when it is ready.",
                "success",
            )
            target = "charter_application" if form.send.data else "charter_answers"
            return redirect(url_for(f"employers.{target}", application_id=application.id))
    return render_template("employers/charter/answers.html", page=page, form=form)


@bp.route("/employers/charter/applications/<int:application_id>/withdraw", methods=["POST"])
@signed_in
def charter_withdraw(application_id: int):
    page = charter_pages.application_page(viewer(), application_id, Need.EMPLOYER)
    try:
        charter_services.withdraw(page.application, actor=current_user)
    except RuleError as exc:
        flash(str(exc), "error")
    else:
        flash("Your application has been withdrawn.", "success")
    return redirect(url_for("employers.charter_application", application_id=application_id))


@bp.route("/employers/charter/files/<int:charter_file_id>")
@signed_in
def charter_file(charter_file_id: int):
    row = charter_services.evidence_file(viewer(), charter_file_id)
    return stored_file(row.storage_key, row.original_name or "evidence", row.content_type)


@bp.route("/employers/charter/awards/<int:award_id>")
@signed_in
def charter_award(award_id: int):
    award = charter_pages.award_page(viewer(), award_id)
    return render_template("employers/charter/award.html", award=award)


@bp.route("/employers/charter/awards/<int:award_id>/certificate.pdf")
@signed_in
def charter_certificate(award_id: int):
    award = charter_pages.award_page(viewer(), award_id)
    data = certificate_pdf(award.award, local_today())
    return attachment(data, f"charter-mark-{award.number}.pdf", PDF)
