from flask import Blueprint

bp = Blueprint("third_party", __name__)

from . import views  # noqa: E402, F401


def load_money_views() -> None:
    """Client money's pages (and the hook that posts a committed run to the sub-ledgers) use
    payments and monitoring, which import accounts, which imports this package's models: they
    are loaded by create_app once every package is in place, to keep the imports acyclic."""
    from . import money_rec_views, money_views  # noqa: F401
