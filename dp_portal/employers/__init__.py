"""PA employers: the PA Employer Handbook, the PA cost calculator, the employer checklist and
the Charter Mark (shared/design.md 2.6)."""

from flask import Blueprint

bp = Blueprint("employers", __name__)

# The PA Employer Handbook (its `flask dp handbook-defaults` command registers itself).
from . import handbook_admin_views, handbook_cli, handbook_views  # noqa: E402, F401
