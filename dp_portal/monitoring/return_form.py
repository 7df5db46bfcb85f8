"""The return form page: what it shows, saving it (and sending it), and the pre-filled XLSX
template that can be downloaded, filled in and uploaded instead. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..accounts.models import Account
from ..auth.models import User
from ..core.errors import RuleError
from . import drafts, sending
from .evidence import evidence_for
from .models import Evidence, MonitoringReturn
from .periods import ReturnPeriod
from .reconcile import Figures
from .reminders import Stage
from .template import build_template, read_return
from .timetable import reminder_dates


@dataclass(frozen=True)
class FormPage:
    draft: MonitoringReturn  # not yet saved when nobody has saved this version
    figures: Figures
    evidence: list[Evidence]
    reminders: list[tuple[Stage, date]]
    sendable_from: date  # a return can be sent once its period has ended
    question: str | None = None  # the officer's question this version answers

    def may_send(self, today: date) -> bool:
        return today >= self.sendable_from

    def form_values(self) -> dict[str, Decimal]:
        return {name: self.draft.money(f"{name}_pence") for name in drafts.FIELDS}


def form_page(account: Account, period: ReturnPeriod) -> FormPage:
    """What the form shows; RuleError when the return cannot be changed (sent, accepted)."""
    draft = drafts.draft_for(account, period, create=False)
    return FormPage(
        draft,
        drafts.figures_of(draft),
        evidence_for(account.id, period.start),
        reminder_dates(period.due),
        sending.sendable_from(period.end),
        drafts.question_for(account.id, period.start),
    )


def save_form(
    account: Account,
    period: ReturnPeriod,
    values: dict[str, Decimal],
    explanation: str,
    *,
    send: bool,
    actor: User,
) -> MonitoringReturn:
    """Save the figures typed in (only now is a new draft stored: a look, or a form with
    mistakes, saves nothing), and send the return if asked to."""
    draft = drafts.draft_for(account, period)
    drafts.save_draft(draft, values, explanation, actor=actor)
    if send:
        sending.submit(draft, account=account, actor=actor)
    return draft


def save_upload(
    account: Account, period: ReturnPeriod, data: bytes, filename: str, *, actor: User
) -> MonitoringReturn:
    """Read an uploaded template strictly (UploadError naming the sheet and cell, saving
    nothing) and save its figures to the draft."""
    drafts.draft_for(account, period, create=False)  # RuleError first: sent or accepted
    values = read_return(
        data,
        filename=filename,
        reference=account.reference,
        period_start=period.start,
        period_end=period.end,
    )
    draft = drafts.draft_for(account, period)
    drafts.save_draft(draft, values, draft.explanation, actor=actor)
    return draft


def template_workbook(account: Account, period: ReturnPeriod) -> bytes:
    """The template pre-filled with the draft's opening balance and council payments; once
    the return is sent, with what was sent."""
    try:
        draft = drafts.draft_for(account, period, create=False)
    except RuleError:
        draft = drafts.versions(account.id, period.start)[0]
    return build_template(
        reference=account.reference,
        period_start=period.start,
        period_end=period.end,
        opening=draft.money("opening_pence"),
        council_payments=draft.money("council_payments_pence"),
    )
