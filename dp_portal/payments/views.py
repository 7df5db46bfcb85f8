from decimal import Decimal

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts import scope as account_scope
from ..auth.models import Role
from ..core.downloads import PDF, XLSX, attachment
from ..core.errors import RuleError
from ..core.forms import choices
from ..core.permissions import roles_required, signed_in, viewer
from ..core.types import local_today
from . import bp, budget_proposals, corrections, home, scope, services, uplift, uplift_pages
from . import remittance as remittances  # the module; `remittance` is a view here
from .forms import (
    AdjustmentForm,
    BudgetForm,
    DecisionForm,
    ProviderRateForm,
    RateRowForm,
    UpliftForm,
    UpliftQueryForm,
)
from .rates import RateKind, ServiceType

STAFF = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)
PROPOSERS = (Role.FINANCE_OFFICER, Role.TEAM_LEADER)


def _ceiling() -> Decimal:
    return Decimal(current_app.config["TEAM_LEADER_WEEKLY_CEILING"])


# --- Rates ---------------------------------------------------------------------------------


@bp.route("/rates")
@signed_in
def rates():
    page = services.rates_page(local_today(), staff=current_user.role in STAFF)
    return render_template(
        "payments/rates.html",
        current=page.current,
        upcoming=page.upcoming,
        history=page.history,
        current_from=page.current_from,
        RateKind=RateKind,
    )


@bp.route("/rates/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_rate():
    form = RateRowForm()
    if form.validate_on_submit():
        services.add_rate_row(
            RateKind(form.kind.data),
            form.effective_from.data,
            form.value.decimal,
            form.source_note.data,
            actor=current_user,
        )
        flash("The rate has been added. Budgets use it from its date.", "success")
        return redirect(url_for("payments.rates"))
    return render_template("payments/rate_form.html", form=form)


@bp.route("/rates/uplift")
@roles_required(Role.ADMIN)
def uplift_preview():
    form = UpliftQueryForm(request.args)
    shown = None
    if "new_wage" in request.args and form.validate():
        try:
            shown = uplift_pages.preview_page(
                form.new_wage.data,
                form.effective_from.data,
                sort=request.args.get("sort", ""),
                page=request.args.get("page", 1, type=int),
            )
        except RuleError as exc:
            form.new_wage.errors = [str(exc)]
    return render_template(
        "payments/uplift.html", form=form, shown=shown, preview=shown.preview if shown else None
    )


@bp.route("/rates/uplift.xlsx")
@roles_required(Role.ADMIN)
def uplift_export():
    form = UpliftQueryForm(request.args)
    if not form.validate():
        return redirect(url_for("payments.uplift_preview", **request.args))
    try:
        data, name = uplift_pages.preview_workbook(
            form.new_wage.data, form.effective_from.data, actor=current_user
        )
    except RuleError:
        return redirect(url_for("payments.uplift_preview", **request.args))
    return attachment(data, name, XLSX)


@bp.route("/rates/uplift/apply", methods=["POST"])
@roles_required(Role.ADMIN)
def uplift_apply():
    form = UpliftForm()
    if not form.validate_on_submit():
        return render_template("payments/uplift.html", form=form, preview=None)
    try:
        applied, new = uplift.apply_uplift(
            form.new_wage.data, form.effective_from.data, form.source_note.data, actor=current_user
        )
    except RuleError as exc:
        form.new_wage.errors = [str(exc)]
        return render_template("payments/uplift.html", form=form, preview=None)
    if new:
        flash(
            f"The uplift has been applied: {applied.accounts_affected} accounts re-rated from "
            f"{applied.effective_from:%d %B %Y}. Any arrears are paid in the next run.",
            "success",
        )
    else:
        flash("This uplift had already been applied. Nothing has changed.", "info")
    return redirect(url_for("payments.rates"))


@bp.route("/organisations/<int:org_id>/rates", methods=["GET", "POST"])
@roles_required(*STAFF)
def provider_rates(org_id: int):
    org = scope.load_provider(viewer(), org_id)
    form = ProviderRateForm()
    can_add = current_user.role in (Role.FINANCE_OFFICER, Role.ADMIN)
    if can_add and form.validate_on_submit():
        try:
            services.add_provider_rate(
                org.id,
                form.effective_from.data,
                form.hourly.data,
                form.source_note.data,
                actor=current_user,
                service_type=form.service_type.data,
            )
        except RuleError as exc:
            form.hourly.errors = [str(exc)]
        else:
            flash("The provider rate has been added.", "success")
            return redirect(url_for("payments.provider_rates", org_id=org.id))
    return render_template(
        "payments/provider_rates.html",
        org=org,
        service_labels={s.value: s.label for s in ServiceType},
        rates=services.provider_rates(org.id),
        form=form,
        can_add=can_add,
    )


# --- Budgets -------------------------------------------------------------------------------


@bp.route("/accounts/<int:account_id>/budget")
@signed_in
def budget(account_id: int):
    account = account_scope.load_account(viewer(), account_id)
    page = services.budget_page(account, local_today(), staff=current_user.role in STAFF)
    return render_template(
        "payments/budget.html",
        account=account,
        current=page.current,
        summary=page.summary,
        day=page.day,
        rate=page.rate,
        versions=page.versions,
        can_propose=current_user.role in PROPOSERS,
    )


@bp.route("/accounts/<int:account_id>/budget/new", methods=["GET", "POST"])
@roles_required(*PROPOSERS)
def propose_budget(account_id: int):
    account = account_scope.load_account(viewer(), account_id)
    if request.method == "GET":
        form = BudgetForm(data=budget_proposals.prefill(account, local_today()))
    else:
        form = BudgetForm()
    providers = services.providers()
    form.provider_id.choices = choices([("", "No provider"), *providers])
    comparison = None
    if form.validate_on_submit():
        lines = form.line_specs(dict(providers))
        try:
            comparison = budget_proposals.compare(account, form.effective_from.data, lines)
            if form.submit.data and form.checked_weekly.data == str(comparison.new.weekly):
                budget = services.propose_budget(
                    account,
                    effective_from=form.effective_from.data,
                    lines=lines,
                    weekly_contribution=form.weekly_contribution.data,
                    contribution_basis=form.contribution_basis.data,
                    reason=form.reason.data,
                    actor=current_user,
                )
                flash(
                    f"Budget version {budget.version} has been proposed. "
                    "Another officer must approve it.",
                    "success",
                )
                return redirect(url_for("payments.budget", account_id=account.id))
        except RuleError as exc:
            form.effective_from.errors = [str(exc)]
        form.checked_weekly.data = str(comparison.new.weekly) if comparison else ""
    return render_template(
        "payments/budget_form.html", form=form, account=account, comparison=comparison
    )


@bp.route("/budgets")
@roles_required(*PROPOSERS)
def pending_budgets():
    yours = request.args.get("yours") == "1"  # only those this reader may approve
    budgets = (
        [change.budget for change in home.budgets_to_decide(viewer(), limit=1000)]
        if yours
        else services.pending_budgets()
    )
    return render_template(
        "payments/pending_budgets.html", budgets=budgets, ceiling=_ceiling(), yours=yours
    )


@bp.route("/budgets/<int:budget_id>", methods=["GET", "POST"])
@roles_required(*PROPOSERS)
def decide_budget(budget_id: int):
    budget = scope.load_budget(viewer(), budget_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.decide_budget(
                budget,
                approve=form.decision.data == "approve",
                note=form.note.data or "",
                actor=current_user,
                ceiling=_ceiling(),
            )
        except RuleError as exc:
            form.decision.errors = [str(exc)]
        else:
            flash(f"Budget version {budget.version} {budget.status}.", "success")
            return redirect(url_for("payments.pending_budgets"))
    return render_template(
        "payments/decide_budget.html",
        budget=budget,
        form=form,
        summary=services.budget_summary(budget, budget.effective_from),
        may_approve=current_user.role in services.who_may_approve(budget, _ceiling()),
        ceiling=_ceiling(),
    )


# --- Remittance ----------------------------------------------------------------------------


@bp.route("/accounts/<int:account_id>/payments")
@signed_in
def account_payments(account_id: int):
    account = account_scope.load_account(viewer(), account_id)
    return render_template(
        "payments/account_payments.html",
        account=account,
        page=remittances.payments_page(account.id, local_today()),
        today=local_today(),
    )


@bp.route("/payments/<int:payment_id>")
@signed_in
def remittance(payment_id: int):
    payment = scope.load_payment(viewer(), payment_id)
    account = payment.account
    related, corrections = remittances.remittance_parts(payment)
    return render_template(
        "payments/remittance.html",
        payment=payment,
        account=account,
        related=related,
        corrections=corrections,
        paid=payment.pay_date <= local_today(),
    )


@bp.route("/payments/<int:payment_id>/correct", methods=["GET", "POST"])
@roles_required(Role.FINANCE_OFFICER)
def correct_payment(payment_id: int):
    payment = scope.load_payment(viewer(), payment_id)
    account = payment.account
    form = AdjustmentForm()
    if form.validate_on_submit():
        try:
            corrections.record_adjustment(
                payment,
                amount=form.amount.data,
                on=form.on.data,
                reason=form.reason.data,
                actor=current_user,
            )
        except RuleError as exc:
            form.amount.errors = [str(exc)]
        else:
            flash(
                "The correction has been recorded. The next payment run takes it into account.",
                "success",
            )
            return redirect(url_for("payments.remittance", payment_id=payment.id))
    return render_template("payments/correct.html", form=form, payment=payment, account=account)


@bp.route("/payments/<int:payment_id>.pdf")
@signed_in
def remittance_pdf(payment_id: int):
    payment = scope.load_payment(viewer(), payment_id)
    return attachment(*remittances.remittance_pdf(payment, local_today()), PDF)
