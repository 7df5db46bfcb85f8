"""PA employers: the PA Employer Handbook, the PA cost calculator, the employer checklist and
the Charter Mark (shared/design.md 2.6)."""

from flask import Blueprint

bp = Blueprint("employers", __name__)
