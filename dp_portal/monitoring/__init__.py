from flask import Blueprint

bp = Blueprint("monitoring", __name__)

from . import escalation_views, review_views, views  # noqa: E402, F401
