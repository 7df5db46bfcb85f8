"""Reports: the audit log and the reminder report. Read only (a download is itself audited);
reports may read any package's tables, and nothing imports reports.

    services.py   the pages' data: the audit log filtered, one event, the reminder report
    reminders.py  the reminder report's figures, from what monitoring keeps as it goes
    forms.py, views.py
"""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from . import views  # noqa: E402, F401
