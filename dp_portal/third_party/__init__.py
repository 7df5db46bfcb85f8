from flask import Blueprint

bp = Blueprint("third_party", __name__)

from . import org_views, views  # noqa: E402, F401
