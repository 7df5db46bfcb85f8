"""Option 2 individual service funds (issue 14): providers, three-party agreements,
scheduled payment to the provider, and the person's statement.

Modules: models.py and delivery_models.py (tables), agreements.py (the agreement's state
machine and terms, pure), lifecycles.py (part B's state machines, pure), scope.py (the scoped
loader), services.py (agreements), provider_services.py (providers), statement.py (what each
party reads), documents.py (labels and the PDF), payees.py (the payment run's hook), forms.py,
views.py and provider_views.py, templates/isf/.
"""

from flask import Blueprint

bp = Blueprint("isf", __name__)

from . import change_views, invoice_views, payees, provider_views, views  # noqa: E402, F401
