from flask import Blueprint

bp = Blueprint("accounts", __name__)

from . import bank_views, mandate_views, views  # noqa: E402, F401
