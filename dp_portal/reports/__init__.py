"""Reports: the audit log and the reminder report. Read only (a download is itself audited);
reports may read any package's tables, and nothing imports reports.

    services.py   the pages' data: the audit log filtered, one event, the reminder report
    reminders.py  the reminder report's figures, from what monitoring keeps as it goes
    sds_figures.py  SDS reports: people and spend by option, quarter and locality; recoveries
    sds_money.py    SDS reports: spend against budget, reminders on time, living-wage compliance
    sds_chart.py    a trend as SVG coordinates (pure)
    sds_services.py each SDS report's page data and spreadsheet
    sds_return.py   the quarterly return in the Source social care SDS layout
    forms.py, views.py, sds_views.py
"""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from . import sds_views, views  # noqa: E402, F401
