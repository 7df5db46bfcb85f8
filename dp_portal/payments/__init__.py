from flask import Blueprint

bp = Blueprint("payments", __name__)

from . import home_views, letter_views, run_views, views  # noqa: E402, F401
