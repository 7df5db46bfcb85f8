"""Council settings an administrator looks after: calendar overrides and bank-check tables."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import views  # noqa: E402, F401
