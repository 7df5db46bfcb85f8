from flask import Blueprint

bp = Blueprint("monitoring", __name__)

from . import views  # noqa: E402, F401
