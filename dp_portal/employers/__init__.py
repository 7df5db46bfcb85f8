"""PA employers: the PA Employer Handbook, the PA cost calculator, the employer checklist and
the Charter Mark (shared/design.md 2.6)."""

from flask import Blueprint

bp = Blueprint("employers", __name__)

# The Charter Mark (its pages register themselves on the blueprint).
from . import charter_staff_views, charter_views  # noqa: E402, F401
