"""Payments: rates, budgets, payment runs, the bank file, payments and the account ledger.

Tables: `models.py` (rates, uplifts, budgets and their lines), `run_models.py` (payment runs,
their lines, and what the build keeps for the run's page), `ledger_models.py` (committed
payments, ledger entries, recoveries; append-only where money moved).
Rules: `rates.py`, `pricing.py`, `schedule.py`, `arrears.py`, `run_lines.py`, `run_periods.py`,
`lifecycles.py` (the runs' state machine), `bankfile.py` (Bacs Standard 18), `uplift.py`.
Use cases: `services.py` (rates, budgets), `run_build.py`, `run_summary.py` (totals, changes
since the last run), `run_review.py` (what an approver must know: stale, who may not
approve), `run_pages.py` (what the run pages list), `run_decisions.py`
(approve, commit, cancel), `run_files.py`, `corrections.py`, `recoveries.py`, `remittance.py`,
`budget_proposals.py`, `uplift_pages.py`, `hooks.py` (what other packages do when a run
commits), `plans.py` and `budgets.py` (loading what runs price), `account_letters.py`,
`council_scale.py` (whole-council inserts), `home.py` (what the home pages count, and the
lists behind the figures). Scoped loader: `scope.py`. Forms: `forms.py`.
Views: `views.py`, `run_views.py`, `letter_views.py`, `home_views.py`, `recovery_views.py`
(recoveries paid back, the aged list, an account's ledger: `ledger.py`; rules in
`repayments.py`).
"""

from flask import Blueprint

bp = Blueprint("payments", __name__)

from . import home_views, letter_views, recovery_views, run_views, views  # noqa: E402, F401
