"""Charter Mark pages for council staff: the review queue and the review itself (finance
officers and team leaders), the criteria (administrators publish new versions), and the
reports (finance officers, team leaders and administrators)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core.downloads import XLSX, attachment
from ..core.errors import RuleError
from ..core.permissions import roles_required, viewer
from ..core.types import local_today
from . import bp, charter_criteria, charter_pages, charter_reports, charter_review
from .charter_criteria import CriterionText
from .charter_forms import MinimumForm, criteria_form, criteria_rows, review_form
from .charter_rules import Decision, Finding, Review

REVIEWERS = (Role.FINANCE_OFFICER, Role.TEAM_LEADER)
REPORT_READERS = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)


@bp.route("/employers/charter/applications")
@roles_required(*REVIEWERS)
def charter_queue():
    return render_template("employers/charter/queue.html", queue=charter_review.queue())


def _reviews(form, keys: list[str]) -> dict[str, Review]:
    reviews = {}
    for key in keys:
        chosen = form[f"finding_{key}"].data
        if chosen in {f.value for f in Finding}:
            reviews[key] = Review(Finding(chosen), form[f"message_{key}"].data or "")
    return reviews


@bp.route("/employers/charter/applications/<int:application_id>/review", methods=["GET", "POST"])
@roles_required(*REVIEWERS)
def charter_review_application(application_id: int):
    page = charter_pages.application_page(viewer(), application_id)
    answers = page.application.answers
    form = review_form([a.criterion for a in answers])
    if request.method == "GET":
        for answer in answers:
            form[f"finding_{answer.criterion.key}"].data = answer.finding
            form[f"message_{answer.criterion.key}"].data = answer.finding_message
    elif form.validate_on_submit():
        try:
            charter_review.record_review(
                page.application,
                _reviews(form, [a.criterion.key for a in answers]),
                Decision(form.decision.data),
                note=form.note.data or "",
                actor=current_user,
                today=local_today(),
            )
        except charter_review.ReviewProblems as exc:
            for name, message in exc.problems.items():
                form[name].errors = [message]
        except RuleError as exc:
            form.decision.errors = [str(exc)]
        else:
            flash("The review has been recorded and the applicant can see it.", "success")
            return redirect(url_for("employers.charter_application", application_id=application_id))
    return render_template("employers/charter/review.html", page=page, form=form)


@bp.route("/employers/charter/criteria")
@roles_required(Role.ADMIN)
def charter_criteria_versions():
    versions = charter_criteria.versions()
    return render_template(
        "employers/charter/criteria.html",
        versions=[(v, charter_criteria.changes(v)) for v in versions],
    )


@bp.route("/employers/charter/criteria/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def charter_publish_criteria():
    current = charter_criteria.current_version()
    existing = [
        CriterionText(c.key, c.title, c.description, c.evidence_hint) for c in current.criteria
    ]
    form = criteria_form(existing)
    if request.method == "GET":
        for n, row in enumerate(existing, start=1):
            form[f"key_{n}"].data, form[f"title_{n}"].data = row.key, row.title
            form[f"description_{n}"].data, form[f"hint_{n}"].data = (
                row.description,
                (row.evidence_hint),
            )
            form[f"position_{n}"].data = n
    elif form.validate_on_submit():
        try:
            version = charter_criteria.publish_version(
                criteria_rows(form, existing), form.note.data, actor=current_user
            )
        except RuleError as exc:
            form.note.errors = [str(exc)]
        else:
            flash(f"Version {version.version} of the criteria has been published.", "success")
            return redirect(url_for("employers.charter_criteria_versions"))
    return render_template("employers/charter/publish_criteria.html", form=form, current=current)


@bp.route("/employers/charter/reports")
@roles_required(*REPORT_READERS)
def charter_reports_page():
    form = MinimumForm(request.args)
    minimum = form.minimum.data if form.validate() else None
    today = local_today()
    return render_template(
        "employers/charter/reports.html",
        form=form,
        quarters=charter_reports.by_quarter(),
        columns=charter_reports.QUARTER_COLUMNS,
        criteria=charter_reports.criteria_findings(),
        awards=charter_reports.awards(today),
        low=charter_reports.below_minimum(viewer(), today, minimum),
        today=today,
    )


@bp.route("/employers/charter/reports.xlsx")
@roles_required(*REPORT_READERS)
def charter_reports_export():
    data, name = charter_reports.report_workbook(viewer(), local_today())
    return attachment(data, name, XLSX)
