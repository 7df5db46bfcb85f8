from decimal import Decimal

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..accounts import scope as account_scope
from ..accounts.services import correspondents
from ..auth.models import Role
from ..core import audit, letter_email
from ..core.downloads import PDF, attachment
from ..core.errors import RuleError
from ..core.forms import choices
from ..core.letters import html_to_pdf, letters_for_account, render_html, render_letter
from ..core.permissions import roles_required, signed_in, viewer
from ..core.types import local_today
from ..extensions import db
from ..third_party.models import Organisation
from . import bp, corrections, scope, services, uplift
from .budgets import LineKind, LineSpec
from .forms import (
    AdjustmentForm,
    BudgetForm,
    DecisionForm,
    ProviderRateForm,
    RateRowForm,
    UpliftForm,
)
from .rates import RateKind

STAFF = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)
PROPOSERS = (Role.FINANCE_OFFICER, Role.TEAM_LEADER)


def _ceiling() -> Decimal:
    return Decimal(current_app.config["TEAM_LEADER_WEEKLY_CEILING"])


# --- Rates ---------------------------------------------------------------------------------


@bp.route("/rates")
@signed_in
def rates():
    book = services.rate_book()
    today = local_today()
    upcoming = sorted(d for d in book.change_dates() if d > today)
    return render_template(
        "payments/rates.html",
        current=book.pa_rate_on(today),
        upcoming=[book.pa_rate_on(d) for d in upcoming[:3]],
        history=services.rate_history() if current_user.role in STAFF else [],
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


@bp.route("/rates/uplift", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def uplift_preview():
    form = UpliftForm()
    preview = None
    if form.validate_on_submit():
        try:
            preview = uplift.preview_uplift(form.new_wage.data, form.effective_from.data)
        except RuleError as exc:
            form.new_wage.errors = [str(exc)]
    return render_template("payments/uplift.html", form=form, preview=preview)


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
            )
        except RuleError as exc:
            form.hourly.errors = [str(exc)]
        else:
            flash("The provider rate has been added.", "success")
            return redirect(url_for("payments.provider_rates", org_id=org.id))
    return render_template(
        "payments/provider_rates.html",
        org=org,
        rates=services.provider_rates(org.id),
        form=form,
        can_add=can_add,
    )


# --- Budgets -------------------------------------------------------------------------------


@bp.route("/accounts/<int:account_id>/budget")
@signed_in
def budget(account_id: int):
    account = account_scope.load_account(viewer(), account_id)
    book = services.rate_book()
    today = local_today()
    versions = services.budgets_for_account(account.id)
    approved = [b for b in versions if b.status == "approved"]
    current = services.budget_on(
        sorted(approved, key=lambda b: (b.effective_from, b.version)), today
    )
    if current is None and approved:
        current = min(approved, key=lambda b: b.effective_from)
    summary = None
    day = max(today, current.effective_from) if current else today
    if current is not None:
        try:
            summary = services.summarise(current, book, day)
        except LookupError:
            summary = None
    return render_template(
        "payments/budget.html",
        account=account,
        current=current,
        summary=summary,
        day=day,
        rate=book.pa_rate_on(day),
        versions=versions if current_user.role in STAFF else approved,
        can_propose=current_user.role in PROPOSERS,
    )


@bp.route("/accounts/<int:account_id>/budget/new", methods=["GET", "POST"])
@roles_required(*PROPOSERS)
def propose_budget(account_id: int):
    account = account_scope.load_account(viewer(), account_id)
    form = BudgetForm()
    providers = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind == "provider")
        .order_by(Organisation.name)
    ).all()
    form.provider_id.choices = choices([("", "No provider"), *providers])
    if form.validate_on_submit():
        lines = []
        if form.pa_hours.data:
            lines.append(
                LineSpec(
                    LineKind.PA_HOURS,
                    form.pa_description.data or "Personal assistant support",
                    hours=form.pa_hours.data,
                )
            )
        if form.provider_hours.data:
            name = dict(providers)[form.provider_id.data]
            lines.append(
                LineSpec(
                    LineKind.PROVIDER_HOURS,
                    f"Support from {name}",
                    hours=form.provider_hours.data,
                    provider_id=form.provider_id.data,
                )
            )
        if form.weekly_amount.data:
            lines.append(
                LineSpec(
                    LineKind.FIXED_WEEKLY,
                    form.weekly_description.data or "Weekly amount",
                    amount=form.weekly_amount.data,
                )
            )
        if form.annual_amount.data:
            lines.append(
                LineSpec(
                    LineKind.FIXED_ANNUAL,
                    form.annual_description.data or "Yearly amount",
                    amount=form.annual_amount.data,
                )
            )
        try:
            budget = services.propose_budget(
                account,
                effective_from=form.effective_from.data,
                lines=lines,
                weekly_contribution=form.weekly_contribution.data,
                contribution_basis=form.contribution_basis.data,
                reason=form.reason.data,
                actor=current_user,
            )
        except RuleError as exc:
            form.effective_from.errors = [str(exc)]
        else:
            flash(
                f"Budget version {budget.version} has been proposed. "
                "Another officer must approve it.",
                "success",
            )
            return redirect(url_for("payments.budget", account_id=account.id))
    return render_template("payments/budget_form.html", form=form, account=account)


@bp.route("/budgets")
@roles_required(*PROPOSERS)
def pending_budgets():
    return render_template(
        "payments/pending_budgets.html", budgets=services.pending_budgets(), ceiling=_ceiling()
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
    book = services.rate_book()
    try:
        summary = services.summarise(budget, book, budget.effective_from)
    except LookupError:
        summary = None
    return render_template(
        "payments/decide_budget.html",
        budget=budget,
        form=form,
        summary=summary,
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
        page=services.payments_page(account.id, local_today()),
        today=local_today(),
    )


@bp.route("/payments/<int:payment_id>")
@signed_in
def remittance(payment_id: int):
    payment = scope.load_payment(viewer(), payment_id)
    account = payment.account
    related, corrections = services.remittance_parts(payment)
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


# --- Letters and downloads -----------------------------------------------------------------


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
    page = db.paginate(letter_email.undelivered(), per_page=50, error_out=False)
    accounts = account_scope.load_accounts_by_id(
        viewer(), {letter.account_id for letter in page.items}
    )
    return render_template(
        "payments/undelivered_letters.html",
        page=page,
        accounts=accounts,
        max_attempts=letter_email.MAX_ATTEMPTS,
    )


@bp.route("/letters/<int:letter_id>/email-again", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER, Role.ADMIN)
def email_letter_again(letter_id: int):
    letter = account_scope.load_letter(viewer(), letter_id)
    email = correspondents([letter.account_id])[letter.account_id].email
    if letter.email_status != "failed":
        flash("That letter's email has not failed, so there is nothing to retry.", "error")
    elif not email:
        flash(
            "There is no email address on file for who receives this account's letters. "
            "Add one to their details first; the letter itself is on the account.",
            "error",
        )
    else:
        letter_email.retry(letter, email)
        audit.record(
            current_user,
            "letter.email_retried",
            letter,
            account_id=letter.account_id,
            summary=f"Email of '{letter.subject}' to be tried again, to {email}",
        )
        flash(f"The letter will be emailed again to {email} within 10 minutes.", "success")
    return redirect(url_for("payments.undelivered_letters"))


@bp.route("/letters/<int:letter_id>.pdf")
@signed_in
def letter_pdf(letter_id: int):
    letter = account_scope.load_letter(viewer(), letter_id)
    pdf = render_letter(letter)
    name = f"{letter.kind}-letter-{letter.letter_date.isoformat()}.pdf"
    return attachment(pdf, name, PDF)


@bp.route("/payments/<int:payment_id>.pdf")
@signed_in
def remittance_pdf(payment_id: int):
    payment = scope.load_payment(viewer(), payment_id)
    account = payment.account
    recipient = correspondents([account.id])[account.id]
    today = local_today()
    paid = payment.pay_date <= today
    html = render_html(
        "remittance",
        recipient.letter_format,
        payment=payment,
        paid=paid,
        recipient_name=recipient.name,
        address_lines=recipient.address_lines,
        # Advice of a payment still to come is dated the day it is given, not the pay date.
        letter_date=payment.pay_date if paid else today,
        subject="Remittance advice",
        reference=account.reference,
    )
    name = f"remittance-{account.reference}-{payment.pay_date.isoformat()}.pdf"
    return attachment(html_to_pdf(html), name, PDF)
