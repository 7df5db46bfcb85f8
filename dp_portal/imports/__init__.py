"""Bulk import (issue 16): people, representatives, accounts, bank details and budgets from a
case-management system's exports (CSV or XLSX), for finance officers, and the engine the JSON
API calls.

Modules, by what they decide:
- fields.py: the kinds of record and their canonical fields (pure);
- values.py: a cell as text, and text as a form's input (pure);
- rows.py: one row checked with the officers' own form for that kind;
- plan.py, plan_people.py, plan_accounts.py, plan_money.py, plan_budgets.py: the dry run,
  matching rows to what we hold and building the report and the plan (reads only);
- report.py: the report and result, as JSON (pure);
- writes.py: applying a plan through the accounts and payments services;
- engine.py: check_rows / apply_rows, the contract the API uses;
- lifecycle.py: the import's states and the one table of moves;
- files.py, mapping.py: reading an upload into sheets, and mapping its columns;
- models.py, scope.py, services.py, jobs.py: the import records and the use cases;
- report_pages.py, forms.py, views.py: the pages.

docs/bulk-import.md describes it for officers, operators and the API.
"""

from flask import Blueprint

bp = Blueprint("imports", __name__)

from . import views  # noqa: E402, F401
