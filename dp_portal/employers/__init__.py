"""PA employers: the PA Employer Handbook, the PA cost calculator, the employer checklist and
the Charter Mark (shared/design.md 2.6)."""

from flask import Blueprint

bp = Blueprint("employers", __name__)

# The PA cost calculator and the employer checklist (with its reminder job and command).
# The Charter Mark (its pages register themselves on the blueprint).
from . import calculator_views, charter_staff_views, charter_views, checklist_views, jobs  # noqa: E402, F401  # noqa: E402, F401
