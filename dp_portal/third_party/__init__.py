from flask import Blueprint

bp = Blueprint("third_party", __name__)

from . import views  # noqa: E402, F401
