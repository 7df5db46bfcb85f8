"""Client money (issue 13): each managed person's sub-ledger inside the organisation's pooled
client account, the monthly pooled reconciliation, and returns built from a sub-ledger.

Rules (no Flask)
    ledger.py          postings, balances, never below zero under concurrent postings
    reconciliation.py  a month's figures, its differences, its lifecycle and sealing
Use cases (load through scope.py, apply the rules, write, audit; never commit)
    scope.py           the scoped loaders: an organisation sees only its own clients and months
    services.py        a sub-ledger page, entering and correcting lines, council payments
                       posted when a run commits (registered with payments.hooks)
    reconcile.py       starting a month, differences, sign-off by a second member of staff
    home.py            the organisation's home, the finance overview, the spreadsheets
    returns.py         a monitoring return built from the sub-ledger, sent into the review
Web: forms.py, views.py, reconcile_views.py; templates in templates/third_party/money_*.
The tables are third_party/models.py's (below "Client money"). This package sits above
third_party, accounts, payments and monitoring (they import third_party.models), and nothing
but the app factory imports it.
"""

from flask import Blueprint

bp = Blueprint("client_money", __name__)

from . import fee_views, pooled_views, reconcile_views, views  # noqa: E402, F401
