"""What an administrator looks after: users, calendar overrides and bank-checking tables."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import user_views, views  # noqa: E402, F401
