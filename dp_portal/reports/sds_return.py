"""The quarterly SDS return, in the layout of the Source social care data collection's SDS
file (Public Health Scotland for the Scottish Government; docs/sds-return.md gives the source
and why this layout): one row for each account open during the quarter, with the SDS option
flags and the dates, and the council's summary of people and direct-payment spend by option.
The rows are read from SQL and written as they are read (core/spreadsheets writes row by row)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select

from ..accounts.models import Account, Person
from ..auth.models import User
from ..core.audit import record_download
from ..core.spreadsheets import workbook_bytes
from ..extensions import db
from . import sds_figures as figures

SDS_COLUMNS = [
    "sending_location",
    "social_care_id",
    "period",
    "sds_option_1",
    "sds_option_2",
    "sds_option_3",
    "sds_option_4",
    "sds_start_date",
    "sds_end_date",
]
# Option 4 is a mix of options 1 and 2 in this portal (Option 3 accounts are not paid here).
FLAGS = {1: (1, 0, 0, 0), 2: (0, 1, 0, 0), 4: (1, 1, 0, 1)}


def _sds_rows(quarter: figures.Quarter, sending_location: str) -> Iterator[list]:
    result = db.session.execute(
        select(Person.client_reference, Account.sds_option, Account.start_date, Account.end_date)
        .join(Person, Person.id == Account.person_id)
        .where(figures.open_during(quarter.period))
        .order_by(Person.client_reference, Account.start_date)
        .execution_options(yield_per=5_000)
    )
    for reference, option, start, end in result:
        ended = end if end is not None and end <= quarter.period.end else None
        yield [sending_location, reference, quarter.code, *FLAGS[option], start, ended]


def _summary(quarter: figures.Quarter) -> list[list]:
    # People counted from the accounts now, as the SDS sheet's rows are (the report pages
    # read the morning's totals); spend is the morning's totals, as on the pages.
    people = figures.people_open_in(quarter)
    spend = figures.option_trend([quarter]).spend
    rows = [[f"Option {o}", people[o], spend[o][0]] for o in figures.OPTIONS]
    rows.append(
        [
            "All options",
            sum(people.values()),
            sum(spend[o][0] for o in figures.OPTIONS),
        ]
    )
    return rows


def quarterly_return(
    quarter: figures.Quarter, *, council: str, sending_location: str, today: date, actor: User
) -> tuple[bytes, str]:
    """The return as a workbook and its file name; the download is audited."""
    about = [
        ["Council", council],
        ["Sending location", sending_location or "Not set (SOURCE_SENDING_LOCATION)"],
        ["Quarter", f"{quarter.code} ({quarter.months})"],
        ["Produced on", today],
        ["Layout", "Source social care data collection, SDS file (Public Health Scotland)"],
        ["Rows", "One for each account open on any day of the quarter"],
        ["Option flags", "1 or 0; Option 4 (a mix) sets options 1, 2 and 4"],
        ["sds_end_date", "Blank while the account is open at the quarter's end"],
    ]
    data = workbook_bytes(
        {
            "About this return": (["Item", "Value"], about),
            "SDS": (SDS_COLUMNS, _sds_rows(quarter, sending_location)),
            "Summary": (["SDS option", "People", "Direct payments paid"], _summary(quarter)),
        }
    )
    name = f"sds-quarterly-return-{quarter.code}.xlsx"
    record_download(actor, "sds_return", name, detail=f"the SDS quarterly return {quarter.code}")
    return data, name
