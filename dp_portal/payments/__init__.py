from flask import Blueprint

bp = Blueprint("payments", __name__)

from . import letter_views, run_views, views  # noqa: E402, F401
