"""Financial monitoring: returns, their review, reminders and escalation.

Rules (pure: no Flask, no session)
    periods.py      tiers, return periods and due dates
    reconcile.py    a return's figures checked into plain-English flags; the surplus
    reminders.py    the reminder stages and the dates they fall on
    lifecycle.py    the return's and the escalation task's states and allowed moves
    template.py     the XLSX return template, and reading it back strictly
Use cases (load through scope.py, apply the rules, write, audit; never commit)
    tiers.py        an account's tier, its periods and its returns page
    drafts.py       drafts, new versions after a question, amendments, saving
    sending.py      sending a return: reconciled, earlier versions superseded
    return_form.py  the form page, saving or sending it, the template and its upload
    evidence.py     files sent with a return
    review.py       the queue, questions, acceptance (never by who took part)
    review_page.py  the review page: lines with their flags, the last two returns, the record
    recoveries.py   the conversation before any recovery, and the recovery
    exports.py      returns as spreadsheets, each download audited
    timetable.py    the published reminder timetable
    escalations.py  the tasks after the last reminder: suspend, reinstate, close
    expected.py     which returns are owed, kept in a table for the reminder report
    jobs.py         the daily reminder run
    services.py     what the home pages count (read only)
Web: forms.py, views.py, review_views.py, escalation_views.py; tables in models.py.
Payments never imports monitoring: recoveries go through payments' services.
"""

from flask import Blueprint

bp = Blueprint("monitoring", __name__)

from . import (  # noqa: E402, F401
    escalation_views,
    forecast_views,
    review_views,
    statement_views,
    views,
)
