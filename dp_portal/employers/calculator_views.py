"""The PA cost calculator: a public GET form (bookmarkable), answering in HTML or, with
`Accept: application/json`, with the weekly figures as JSON."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_login import current_user

from ..auth.models import Role
from ..core.permissions import public, viewer
from ..core.types import local_today
from . import bp, calculator_services
from .calculator_forms import MAX_PAS, CalculatorQuery
from .pa_costs import CostResult


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _money(value) -> str:
    return f"{value:.2f}"


def result_json(result: CostResult) -> dict:
    """The weekly figures in pounds (strings, 2 decimals), the yearly total and the tax year.
    With several PAs, each PA's own weekly figures follow under `pas`."""
    body = {
        "wages": _money(result.wages.amount),
        "holiday_pay": _money(result.holiday.amount),
        "gross_pay": _money(result.gross.amount),
        "employer_ni": _money(result.ni.amount),
        "employer_pension": _money(result.pension.amount),
        "total_weekly": _money(result.total_weekly.amount),
        "hourly": _money(result.hourly.amount),
        "total_yearly": _money(result.total_yearly.amount),
        "tax_year": result.rates.tax_year,
    }
    if len(result.pas) > 1:
        body["pas"] = [
            {
                "wages": _money(pa.wages.amount),
                "holiday_pay": _money(pa.holiday.amount),
                "gross_pay": _money(pa.gross.amount),
                "employer_ni_before_allowance": _money(pa.ni.amount),
                "employer_pension": _money(pa.pension.amount),
                "total_weekly_before_allowance": _money(pa.total.amount),
            }
            for pa in result.pas
        ]
    return body


@bp.route("/employers/calculator")
@public
def calculator():
    query = CalculatorQuery.from_args(request.args, local_today())
    reader = (
        viewer() if current_user.is_authenticated and current_user.role == Role.RECIPIENT else None
    )
    page = calculator_services.calculator_page(query, reader) if query.submitted else None
    if _wants_json():
        if page is None:
            messages = [{"field": p.field, "message": p.message} for p in query.problems]
            if not messages:
                messages = [{"field": "hours_per_week", "message": "Enter the hours a week"}]
            return jsonify(errors=messages), 400
        return jsonify(result_json(page.result))
    status = 400 if query.problems else 200
    return render_template(
        "employers/calculator.html", query=query, page=page, max_pas=MAX_PAS
    ), status
