"""Option 2 individual service funds (issue 14): providers, three-party agreements,
scheduled payment to the provider, and the person's statement.

Modules: models.py and delivery_models.py (tables); agreements.py (the agreement's state
machine and terms), lifecycles.py (part B's state machines), invoices.py (paying on invoice):
the pure rules; scope.py and invoice_scope.py (the scoped loaders); services.py (agreements),
ending.py (ending one), provider_services.py (providers), invoice_checks.py with
invoice_queries.py and invoice_services.py (a provider's invoice), invoice_upload.py (its
spreadsheet), sealing.py (sealed periods, banked hours), change_requests.py (corrections),
invoice_payments.py and payees.py (the payment runs' hooks); statement.py and
invoice_pages.py (what each party reads), documents.py (labels and PDFs); forms, views and
templates/isf/.
"""

from flask import Blueprint

bp = Blueprint("isf", __name__)

from . import change_views, invoice_views, payees, provider_views, views  # noqa: E402, F401
