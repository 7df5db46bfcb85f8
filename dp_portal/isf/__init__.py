"""Option 2 individual service funds (issue 14): providers, three-party agreements,
scheduled payment to the provider, and the person's statement.

Modules: models.py and delivery_models.py (tables), agreements.py (the agreement's state
machine and terms, pure), lifecycles.py (part B's state machines, pure), provider_rules.py
(service types and agreed rates, pure), scope.py (the scoped loader), services.py and
provider_services.py (use cases), payees.py (the payment run's hook), forms.py, views.py and
provider_views.py, templates/isf/.
"""
