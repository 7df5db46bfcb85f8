"""Client money pages: the organisation's home, a person's sub-ledger (lines entered and
corrected), returns built from it, the finance officers' overview, and the spreadsheets.
Each view parses the request, calls one service and renders."""

from flask import flash, redirect, render_template, request, url_for

from ..auth.models import Role
from ..core.downloads import XLSX, attachment
from ..core.errors import RuleError
from ..core.permissions import roles_required, signed_in, viewer
from ..core.types import local_today
from . import bp, home, returns, services
from .forms import CorrectionForm, PostingForm

ORG_STAFF = (Role.BROKERAGE_STAFF,)
COUNCIL = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)


@bp.route("/money")
@roles_required(*ORG_STAFF)
def money_home_page():
    reader = viewer()
    return render_template(
        "third_party/money_home.html", home=home.home(reader), today=reader.today
    )


@bp.route("/money/clients.xlsx")
@roles_required(*ORG_STAFF)
def clients_export():
    data, name = home.clients_workbook(viewer())
    return attachment(data, name, XLSX)


@bp.route("/money/overview")
@roles_required(*COUNCIL)
def money_overview():
    today = local_today()
    return render_template(
        "third_party/money_overview.html", rows=home.overview(today), today=today
    )


@bp.route("/accounts/<int:account_id>/client-money")
@signed_in
def client_money(account_id: int):
    page = services.ledger_page(viewer(), account_id)
    return render_template("third_party/money_ledger.html", page=page)


@bp.route("/accounts/<int:account_id>/client-money.xlsx")
@signed_in
def client_money_export(account_id: int):
    data, name = home.ledger_workbook(viewer(), account_id)
    return attachment(data, name, XLSX)


@bp.route("/accounts/<int:account_id>/client-money/new", methods=["GET", "POST"])
@roles_required(*ORG_STAFF)
def new_posting(account_id: int):
    reader = viewer()
    account = services.writable_account(reader, account_id)
    form = PostingForm()
    if form.validate_on_submit():
        try:
            services.enter(reader, account.id, form.data)
        except RuleError as exc:
            form.amount.errors = [str(exc)]
        else:
            flash("The line has been added to the sub-ledger.", "success")
            return redirect(url_for("client_money.client_money", account_id=account.id))
    return render_template("third_party/money_posting_form.html", form=form, account=account)


@bp.route(
    "/accounts/<int:account_id>/client-money/<int:posting_id>/correct", methods=["GET", "POST"]
)
@roles_required(*ORG_STAFF)
def correct_posting(account_id: int, posting_id: int):
    reader = viewer()
    original = services.posting_for_correction(reader, account_id, posting_id)
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            services.correct(reader, account_id, posting_id, form.data)
        except RuleError as exc:
            form.amount.errors = [str(exc)]
        else:
            flash("The correction has been recorded beside the line it corrects.", "success")
            return redirect(url_for("client_money.client_money", account_id=account_id))
    return render_template("third_party/money_correct_form.html", form=form, original=original)


@bp.route("/accounts/<int:account_id>/client-money/returns/<start>", methods=["GET", "POST"])
@roles_required(*ORG_STAFF)
def ledger_return(account_id: int, start: str):
    reader = viewer()
    try:
        page = returns.build(reader, account_id, start)
        if request.method == "POST":
            sent = returns.send(reader, account_id, start)
            flash("The return has been sent for review, built from the sub-ledger.", "success")
            return redirect(url_for("monitoring.view_return", return_id=sent.id))
    except RuleError as exc:
        flash(str(exc), "error")
        return redirect(url_for("client_money.client_money", account_id=account_id))
    return render_template("third_party/money_return.html", page=page)
