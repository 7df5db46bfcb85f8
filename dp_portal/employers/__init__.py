"""PA employers: the PA Employer Handbook, the PA cost calculator, the employer checklist and
the Charter Mark (shared/design.md 2.6)."""

from flask import Blueprint

bp = Blueprint("employers", __name__)

# The PA cost calculator and the employer checklist (with its reminder job and command), the
# Charter Mark, and the PA Employer Handbook (with `flask dp handbook-defaults`).
from . import (  # noqa: E402, F401
    calculator_views,
    charter_staff_views,
    charter_views,
    checklist_views,
    cost_rate_views,
    handbook_admin_views,
    handbook_cli,
    handbook_views,
    jobs,
)
