"""What each Charter Mark page shows, gathered in one call per page (views stay thin): the
public page, an account's Charter Mark, an application, and an award's certificate page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..accounts import scope as account_scope
from ..accounts.models import Account
from ..accounts.scope import Need
from ..core.permissions import Viewer
from ..extensions import db
from . import scope
from .charter_awards import AwardView, award_for, award_view, load_award
from .charter_criteria import current_version
from .charter_review import REVIEWERS, why_not_reviewer
from .charter_rules import LIVE, Status
from .charter_services import account_charter, editable_keys
from .models import Application, CriteriaVersion

MAX_LISTED_ACCOUNTS = 50


@dataclass(frozen=True)
class PublicPage:
    version: CriteriaVersion
    accounts: list[Account]  # the signed-in employer's own accounts (not staff's whole book)


def public_page(viewer: Viewer | None) -> PublicPage:
    accounts: list[Account] = []
    if viewer is not None and not account_scope.sees_whole_book(viewer):
        accounts = list(
            db.session.execute(
                account_scope.visible_accounts(viewer).limit(MAX_LISTED_ACCOUNTS)
            ).scalars()
        )
    return PublicPage(current_version(), accounts)


def account_page(viewer: Viewer, account_id: int):
    account = scope.load_employer(viewer, account_id)
    charter = account_charter(account, viewer.today)
    charter.may_apply = account_scope.allows(viewer, account.id, Need.EMPLOYER)
    return charter


def apply_page(viewer: Viewer, account_id: int):
    account = scope.load_employer(viewer, account_id, Need.EMPLOYER)
    return account_charter(account, viewer.today), current_version()


@dataclass(frozen=True)
class ApplicationPage:
    application: Application
    account: Account
    award: AwardView | None
    may_act: bool  # may act as the employer: answer, send, withdraw
    editable: set[str]
    review_refusal: str | None  # for reviewers: why not them (None: they may review)
    today: date

    @property
    def may_withdraw(self) -> bool:
        return self.may_act and self.application.status in LIVE

    @property
    def may_answer(self) -> bool:
        return self.may_act and bool(self.editable)

    @property
    def may_review(self) -> bool:
        return self.review_refusal is None and self.application.status == Status.SUBMITTED


def application_page(viewer: Viewer, application_id: int, need: Need = Need.VIEW):
    application = scope.load_application(viewer, application_id, need)
    award = award_for(application.id)
    reviewer = viewer.role in REVIEWERS
    return ApplicationPage(
        application,
        scope.load_employer(viewer, application.account_id),
        award_view(award, viewer.today) if award else None,
        account_scope.allows(viewer, application.account_id, Need.EMPLOYER),
        editable_keys(application),
        why_not_reviewer(application, viewer.user) if reviewer else "not a reviewer",
        viewer.today,
    )


def award_page(viewer: Viewer, award_id: int) -> AwardView:
    return award_view(load_award(viewer, award_id), viewer.today)
