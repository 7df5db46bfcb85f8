"""Every URL rule, for every role (and a visitor), for whose object it names, for GET and POST,
with the exact status expected.

The objects a URL names hang off one of five accounts, seen from the recipient's and the
organisation staff member's side:
- own: linked to the recipient user, and the organisation holds a "manage the money" mandate;
- other: not the recipient's, and another organisation manages its money;
- view_only: the organisation holds a "view only" mandate;
- expired: the organisation's mandate ended yesterday, and the recipient's link was removed;
- prepares_returns: the organisation holds a "prepare returns" mandate.
A route missing from ROUTES fails the first test, so nothing ships unprotected by accident.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from dp_portal.accounts.models import BankDetailsChange
from dp_portal.accounts.scope import Need
from dp_portal.auth.models import Role
from dp_portal.core import storage
from dp_portal.core.audit import record
from dp_portal.core.calendar_models import CalendarOverride
from dp_portal.core.letters import Letter, LetterRecipient, letter_row
from dp_portal.core.permissions import PUBLIC, SIGNED_IN, TOKEN, access_of
from dp_portal.core.types import local_today, utcnow
from dp_portal.employers.models import (
    Answer,
    Application,
    Award,
    ChecklistTick,
    CriteriaVersion,
    EmployerFile,
    HandbookSection,
    HandbookVersion,
)
from dp_portal.monitoring.models import EscalationTask, Evidence, MonitoringReturn
from dp_portal.monitoring.statement_models import StatementImport
from dp_portal.payments.ledger_models import Payment, Recovery
from dp_portal.payments.models import Budget
from dp_portal.payments.rate_models import RateRow
from dp_portal.payments.run_models import PaymentRun
from dp_portal.third_party.models import PooledAccountChange
from dp_portal.third_party.money_models import (
    ClientBalance,
    ClientPosting,
    PooledReconciliation,
    ReconciliationDifference,
)
from dp_portal.third_party.money_statement_models import PooledStatement, PooledStatementLine

from ..conftest import sign_in_as
from ..factories import UPLIFT_CONTEXT

ALL = frozenset(Role)
STAFF = frozenset({Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN})
FINANCE = frozenset({Role.FINANCE_OFFICER})
ADMIN = frozenset({Role.ADMIN})
FINANCE_ADMIN = frozenset({Role.FINANCE_OFFICER, Role.ADMIN})
PROPOSERS = frozenset({Role.FINANCE_OFFICER, Role.TEAM_LEADER})
SUBMITTERS = frozenset({Role.RECIPIENT, Role.BROKERAGE_STAFF, Role.FINANCE_OFFICER})
ORG = frozenset({Role.BROKERAGE_STAFF})
PROVIDER = frozenset({Role.PROVIDER_STAFF})
ISF_READERS = STAFF | PROVIDER | {Role.RECIPIENT}
ISF_CONFIRMERS = FINANCE | PROVIDER | {Role.RECIPIENT}
STATEMENT_READERS = STAFF | ORG | {Role.RECIPIENT}
OPEN = "public"
# The integration API: a bearer token only. A session, signed in or not, gets 401 everywhere.
BEARER = "token"

OWN, OTHER, VIEW_ONLY, EXPIRED = "own", "other", "view_only", "expired"
PREPARES = "prepares_returns"
SCENARIOS = (OWN, OTHER, VIEW_ONLY, EXPIRED, PREPARES)


@dataclass(frozen=True)
class Route:
    """Who may use a route, what it needs on the account its URL names (None: it names no
    account's object), and the status a permitted request gets for GET and POST."""

    who: frozenset | str
    need: Need | None = None
    get: int | dict = 200
    post: int | dict = 200
    methods: frozenset = field(default=frozenset())


def r(who, need=None, get=200, post=200) -> Route:
    return Route(who, need, get, post)


V, W, E, M = Need.VIEW, Need.RETURNS, Need.EMPLOYER, Need.CLIENT_MONEY
ORG_STAFF = frozenset({Role.BROKERAGE_STAFF})
ROUTES: dict[str, Route] = {
    # Public pages. Signing in when already signed in goes home.
    "pages.home": r(OPEN, get={None: 200, Role.PROVIDER_STAFF: 302, "*": 200}),  # to /provider
    "pages.accessibility": r(OPEN),
    "pages.cookies": r(OPEN),
    "pages.healthz": r(OPEN),
    "pages.menu": r(ALL),
    "auth.sign_in": r(OPEN, get={None: 200, "*": 302}, post={None: 200, "*": 302}),
    "auth.reset_password": r(OPEN),
    "auth.set_password": r(OPEN, get=410, post=410),  # the token in the URL is not valid
    "monitoring.timetable": r(OPEN),
    # The integration API (issue 16): its description is public; its data needs a token.
    "api.openapi": r(OPEN),
    "api.docs": r(OPEN),
    "api.journal": r(BEARER, get=401),
    "api.payment_runs": r(BEARER, get=401),
    "api.returns": r(BEARER, get=401),
    "api.recoveries": r(BEARER, get=401),
    "api.import_people": r(BEARER, post=401),
    "api.past_import": r(BEARER, get=401),
    # Signed in, any role.
    "auth.sign_out": r(ALL, post=302),
    "auth.change_password": r(ALL),
    "auth.account": r(ALL),
    "auth.sign_out_everywhere": r(ALL, post=302),
    "accounts.index": r(ALL),
    "payments.rates": r(ALL),
    # Administration.
    "admin.users": r(ADMIN),
    "admin.invite": r(ADMIN),
    "admin.user": r(ADMIN),
    "admin.send_link": r(ADMIN, post=302),
    "admin.unlock": r(ADMIN, post=302),
    "admin.calendar": r(ADMIN),
    "admin.remove_override": r(ADMIN, post=302),
    "admin.bank_checking": r(ADMIN),
    # Integration clients: an empty form re-shows with its errors (200); a new token is shown
    # on the page that answers (200).
    "api_clients.index": r(ADMIN),
    "api_clients.new": r(ADMIN),
    "api_clients.client": r(ADMIN),
    "api_clients.rotate": r(ADMIN),
    "api_clients.revoke": r(ADMIN),
    "api_clients.officer": r(ADMIN),  # the walk's client imports nothing: told so on its page
    "payments.new_rate": r(ADMIN),
    "payments.uplift_preview": r(ADMIN),
    "payments.uplift_apply": r(ADMIN),
    "payments.uplift_export": r(ADMIN, get=302),  # no figures given: back to the form
    "monitoring.publish_timetable": r(ADMIN),
    # Whole-book staff pages.
    "third_party.organisations": r(STAFF),
    "third_party.new_organisation": r(FINANCE_ADMIN),
    "third_party.organisation": r(STAFF),
    "third_party.council_set_administrator": r(ADMIN, post=302),
    "third_party.pooled_changes_waiting": r(FINANCE),
    "third_party.pooled_change": r(FINANCE),
    # An organisation's own pages (the world's organisation member is its administrator; an
    # empty form re-shows with its errors, 200).
    "third_party.my_organisation": r(ORG),
    "third_party.org_contact": r(ORG),
    "third_party.org_invite": r(ORG),
    "third_party.org_remove_staff": r(ORG, post=302),
    "third_party.org_administrator": r(ORG, post=302),
    "third_party.org_activity": r(ORG),
    "third_party.org_pooled_account": r(ORG),
    "third_party.org_withdraw_pooled_change": r(ORG, post=302),
    "reports.audit_log": r(FINANCE_ADMIN),
    "monitoring.forecast_watch": r(STAFF),
    "reports.audit_event": r(FINANCE_ADMIN),
    "reports.reminders": r(STAFF),
    "reports.reminders_export": r(STAFF),
    "reports.sds_index": r(STAFF),
    "reports.sds_report": r(STAFF),
    "reports.sds_export": r(STAFF),
    "reports.sds_return_export": r(STAFF),
    "payments.undelivered_letters": r(FINANCE_ADMIN),
    "payments.provider_rates": r(STAFF),
    "payments.pending_budgets": r(PROPOSERS),
    "payments.payment_runs": r(FINANCE),
    "payments.over_ceiling": r(PROPOSERS),
    "payments.recoveries": r(FINANCE),
    "payments.payment_run": r(FINANCE),
    "payments.approve_run": r(FINANCE, post=302),
    "payments.commit_run": r(FINANCE, post=302),  # GET: the confirmation page
    "payments.cancel_run": r(FINANCE, post=302),
    "payments.bank_file": r(FINANCE),
    "payments.run_report": r(FINANCE),
    "monitoring.queue": r(FINANCE),
    "monitoring.accept_clean": r(FINANCE, post=302),
    "monitoring.export_queue": r(FINANCE),
    "monitoring.escalation_queue": r(FINANCE),
    "monitoring.escalation": r(FINANCE),
    "accounts.new_person": r(FINANCE),
    # An account's people and settings.
    "accounts.show": r(ALL, V),
    "accounts.person": r(STAFF, V),
    "accounts.edit_person": r(FINANCE, V),
    "accounts.new_account": r(FINANCE, V),
    "accounts.edit_account": r(FINANCE, V),
    "accounts.bank_details": r(FINANCE, V),
    "accounts.bank_changes_waiting": r(FINANCE),
    "accounts.bank_change": r(FINANCE, V),
    "accounts.withdraw_bank_change": r(FINANCE, V, post=302),
    "accounts.correspondent": r(FINANCE, V),
    "accounts.new_representative": r(FINANCE, V),
    "accounts.edit_representative": r(FINANCE, V),
    "accounts.access": r(FINANCE, V),
    "accounts.remove_access": r(FINANCE, V, post=302),
    "accounts.new_mandate": r(FINANCE, V),
    "accounts.withdraw_mandate": r(FINANCE, V, post=302),
    # The world's mandates already have consent: the page says so (the person's own login).
    "accounts.confirm_mandate": r(frozenset({Role.RECIPIENT}), V),
    "accounts.consent_form": r(FINANCE, V),
    # An account's money.
    "payments.budget": r(ALL, V),
    "payments.propose_budget": r(PROPOSERS, V),
    "payments.decide_budget": r(PROPOSERS, V),
    "payments.account_payments": r(ALL, V),
    "monitoring.account_forecast": r(ALL, V),
    "payments.remittance": r(ALL, V),
    "payments.remittance_pdf": r(ALL, V),
    "payments.correct_payment": r(FINANCE, V),
    "payments.recovery": r(ALL, V),
    "payments.record_repayment": r(FINANCE, V, post=400),  # nothing entered: the form's errors
    "payments.account_ledger": r(ALL, V),
    "payments.aged_recoveries": r(PROPOSERS),
    "payments.aged_recoveries_xlsx": r(PROPOSERS),
    "payments.letters": r(ALL, V),
    "payments.letter_pdf": r(ALL, V),
    "payments.email_letter_again": r(FINANCE_ADMIN, V, post=302),
    # An account's returns. The world's return has been sent, so the form says so and goes
    # back to the list (302) for those who may fill one in.
    "monitoring.returns": r(ALL, V),
    "monitoring.view_return": r(ALL, V),
    "monitoring.evidence": r(ALL, V),
    "monitoring.return_form": r(SUBMITTERS, W, get=302, post=302),
    "monitoring.template": r(SUBMITTERS, W),
    "monitoring.upload": r(SUBMITTERS, W, post=302),
    "monitoring.amend": r(SUBMITTERS, W, post=302),
    "monitoring.add_evidence": r(SUBMITTERS, W, post=302),
    # Bank statements: an empty upload or column choice shows its errors (200); an empty
    # list of lines goes back to the statement page.
    "monitoring.statement": r(SUBMITTERS, W),
    "monitoring.statement_columns": r(SUBMITTERS, W),
    "monitoring.statement_lines": r(SUBMITTERS, W, post=302),
    "monitoring.accept_return": r(FINANCE, V, post=302),
    "monitoring.record_conversation": r(FINANCE, V),
    "monitoring.raise_recovery": r(FINANCE, V),
    "monitoring.tier": r(FINANCE, V),
    "monitoring.export_history": r(frozenset({Role.FINANCE_OFFICER, Role.TEAM_LEADER}), V),
    # PA employers: the cost calculator and the employer checklist. An empty tick form shows
    # its errors (200).
    "employers.calculator": r(OPEN),
    "employers.cost_rates": r(ADMIN),
    "employers.checklist_guide": r(OPEN),
    "employers.checklist": r(ALL, V),
    "employers.tick": r(SUBMITTERS, E),
    "employers.checklist_file": r(ALL, V),
    # The Charter Mark. The world's holder application has been sent, so its answers cannot
    # change (the form says so; a POST is refused and goes back to the application).
    "employers.charter_mark": r(OPEN),
    "employers.charter_verify": r(OPEN),
    "employers.charter_account": r(ALL, V),
    "employers.charter_apply": r(ALL, E),
    "employers.charter_application": r(ALL, V),
    "employers.charter_answers": r(ALL, E, post=302),
    "employers.charter_withdraw": r(ALL, E, post=302),
    "employers.charter_file": r(ALL, V),
    "employers.charter_award": r(ALL, V),
    "employers.charter_certificate": r(ALL, V),
    "employers.charter_queue": r(PROPOSERS),
    "employers.charter_review_application": r(PROPOSERS, V),
    "employers.charter_criteria_versions": r(ADMIN),
    "employers.charter_publish_criteria": r(ADMIN),
    "employers.charter_reports_page": r(STAFF),
    "employers.charter_reports_export": r(STAFF),
    # The PA Employer Handbook: anyone reads it; administrators edit it. An empty POST to a
    # form re-shows it with its errors.
    "employers.handbook": r(OPEN),
    "employers.handbook_section": r(OPEN),
    "employers.handbook_search": r(OPEN),
    "employers.handbook_print": r(OPEN),
    "employers.handbook_pdf": r(OPEN),
    "employers.handbook_changes": r(OPEN),
    "employers.handbook_admin": r(ADMIN),
    "employers.handbook_new_section": r(ADMIN),
    "employers.handbook_edit": r(ADMIN),
    "employers.handbook_preview": r(ADMIN),
    # Client money (issue 13): the organisation's home, sub-ledgers, returns built from them,
    # and the monthly pooled reconciliation. An empty POST to a form re-shows it (200); the
    # world's month is not ready, so sending or signing it off goes back to it (302).
    "client_money.money_home_page": r(ORG_STAFF),
    "client_money.clients_export": r(ORG_STAFF),
    "client_money.money_overview": r(STAFF),
    "client_money.client_money": r(ALL, V),
    "client_money.client_money_export": r(ALL, V),
    "client_money.new_posting": r(ORG_STAFF, M),
    "client_money.correct_posting": r(ORG_STAFF, M),
    "client_money.ledger_return": r(ORG_STAFF, M, post=302),  # the world's return was sent
    "client_money.reconciliations": r(ORG_STAFF),
    "client_money.reconciliation": r(STAFF | ORG_STAFF),
    "client_money.reconciliation_closing": r(ORG_STAFF),
    "client_money.reconciliation_difference": r(ORG_STAFF),
    "client_money.explain_difference": r(ORG_STAFF),
    "client_money.send_reconciliation": r(ORG_STAFF, post=302),
    "client_money.sign_off_reconciliation": r(ORG_STAFF, post=302),
    "client_money.send_back_reconciliation": r(ORG_STAFF),
    # The pooled account's statements (the organisation's own; none exists in this world).
    "client_money.pooled_statements": r(ORG_STAFF),
    "client_money.pooled_columns": r(ORG_STAFF, get=404, post=404),  # it is not waiting
    "client_money.pooled_statement": r(ORG_STAFF),
    "client_money.pooled_statement_lines": r(ORG_STAFF, post=302),
    "client_money.fees": r(ORG_STAFF),
    "client_money.fee_policy_page": r(FINANCE_ADMIN, get=404, post=404),  # org_id: a provider
    # Option 2 individual service funds (issue 14). The world's provider staff member works
    # for the provider of an agreement on the own account (version 1 in force, version 2
    # waiting for confirmations); empty forms re-show with their errors (200).
    "isf.providers": r(STAFF),
    "isf.provider": r(STAFF),
    "isf.provider_contacts": r(FINANCE),
    "isf.provider_services_page": r(FINANCE),
    "isf.provider_bank": r(FINANCE),
    "isf.provider_invite": r(FINANCE),
    "isf.provider_home": r(PROVIDER),
    "isf.statement_page": r(STATEMENT_READERS, V),
    "isf.new_agreement": r(FINANCE, V),
    "isf.agreement": r(ISF_READERS),
    "isf.agreement_pdf": r(ISF_READERS),
    "isf.confirm": r(ISF_CONFIRMERS),
    "isf.change_agreement": r(FINANCE),
    "isf.withdraw_agreement": r(FINANCE, post=302),
    "isf.end_agreement": r(FINANCE),
    # Part B: the world's provider has an invoice (one held line) on the own account's
    # agreement, paid by a payment, for a sealed period with an open change request.
    "isf.provider_invoices": r(PROVIDER),
    "isf.invoice_template": r(PROVIDER),
    "isf.new_invoice": r(PROVIDER),
    "isf.upload_invoice": r(PROVIDER),
    "isf.provider_export": r(PROVIDER),
    "isf.remittance_csv": r(PROVIDER),
    "isf.remittance_pdf": r(PROVIDER),
    "isf.invoice": r(STAFF | PROVIDER),
    "isf.invoice_file": r(FINANCE | PROVIDER),  # the workbook the provider uploaded
    "isf.decide_line": r(FINANCE),
    "isf.approve_invoice": r(FINANCE, post=302),
    "isf.reject_invoice": r(FINANCE),
    "isf.new_change_request": r(FINANCE | PROVIDER),
    "isf.change_request": r(STAFF | PROVIDER),
    "isf.reply_change": r(FINANCE | PROVIDER),
    "isf.decide_change": r(FINANCE),
    "isf.finance_work": r(STAFF),
    "isf.finance_export": r(STAFF),
    "isf.year_end": r(STAFF),
    "isf.year_end_export": r(STAFF),
    # Bulk import (issue 16): the world's import is checked with no problems. Its columns page
    # needs the sheets chosen (none given: back to the sheets page); applying it finds the
    # walk's rows wanting (the import fails, nothing changes), and then checking or
    # cancelling goes back to its page.
    "imports.index": r(FINANCE),
    "imports.new": r(FINANCE),
    "imports.sheets": r(FINANCE),
    "imports.columns": r(FINANCE, get=302, post=302),
    "imports.show": r(FINANCE),
    "imports.apply": r(FINANCE, post=302),
    "imports.check_again": r(FINANCE, post=302),
    "imports.cancel": r(FINANCE, post=302),
}

# What each role may do on each scenario's account (the rules accounts.scope implements,
# written out independently here).
WHOLE_BOOK = {
    Role.FINANCE_OFFICER: {V, W, E, M},
    Role.TEAM_LEADER: {V},
    Role.ADMIN: {V},
}
SIDE = {
    Role.RECIPIENT: {OWN: {V, W, E}},
    Role.BROKERAGE_STAFF: {OWN: {V, W, E, M}, VIEW_ONLY: {V}, PREPARES: {V, W}},
}


def allowed(role: Role, scenario: str) -> set[Need]:
    if role in WHOLE_BOOK:
        return WHOLE_BOOK[role]
    return SIDE.get(role, {}).get(scenario, set())


def expected(route: Route, role: Role | None, scenario: str, method: str) -> int:
    ok = route.get if method == "GET" else route.post
    if isinstance(ok, dict):
        ok = ok[None] if role is None else ok.get(role, ok["*"])
    if route.who in (OPEN, BEARER):
        return ok
    if role is None:
        return 302  # to the sign-in page
    if role not in route.who:
        return 403
    if route.need is not None:
        may = allowed(role, scenario)
        if V not in may:
            return 404  # a guessed id reveals nothing
        if route.need not in may:
            return 403
    return ok


# --- The world -------------------------------------------------------------------------------


def _account_objects(factory, db_session, account, run, author) -> dict:
    """One of each thing a URL can name, hanging off `account`."""
    rep = factory.representative(account.person)
    other_user = factory.user(Role.RECIPIENT)
    link = factory.access(other_user, account)
    mandate = factory.mandate(
        account,
        factory.organisation(),
        scope="view_only",
        consent_file_name="consent.pdf",
        consent_stored_name=f"routes-walk-consent-{account.id}.pdf",
        consent_content_type="application/pdf",
    )
    budget = Budget(
        account_id=account.id,
        version=1,
        effective_from=date(2026, 4, 6),
        weekly_at_proposal_pence=100,
        proposed_by_id=author.id,
    )
    payment = Payment(
        account_id=account.id,
        run_id=run.id,
        period_index=0,
        period_start=run.period_start,
        period_end=run.period_end,
        payee_type="person",
        amount_pence=100,
        pay_date=run.pay_date,
        breakdown_json='{"segments": [], "arrears": []}',
        payee_name="A",
        sort_code="089999",
        account_number="66374958",
    )
    returned = MonitoringReturn(
        account_id=account.id,
        period_start=date(2026, 4, 6),
        period_end=date(2026, 6, 30),
        due_date=date(2026, 7, 28),
        status="submitted",
        submitted_by_id=author.id,
        surplus_pence=5000,  # so the underspend section renders for finance
    )
    task = EscalationTask(
        account_id=account.id,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        due_date=date(2026, 10, 28),
        opened_on=date(2026, 12, 16),
        status="open",
    )
    change = BankDetailsChange(
        account_id=account.id,
        payee_name="NEW PAYEE",
        sort_code="089999",
        account_number="66374958",
        bank_check="not_checked",
        correspondent_json='{"name": "A", "address_lines": [], "letter_format": "standard"}',
        reason="New account",
        requested_by_id=author.id,
    )
    recovery = Recovery(
        account_id=account.id,
        amount_pence=5000,
        method="invoice",
        reason="A surplus in the return",
        source="Return",
        created_by_id=author.id,
    )
    db_session.add_all([budget, payment, returned, task, change, recovery])
    db_session.flush()
    to = LetterRecipient("A", [], "standard")
    letter_id = db_session.execute(
        insert(Letter).returning(Letter.id),
        [
            letter_row(
                account_id=account.id, kind="uplift", subject="S", to=to, context=UPLIFT_CONTEXT
            )
        ],
    ).scalar()
    stored = f"routes-walk-{account.id}.pdf"
    evidence = Evidence(
        account_id=account.id,
        period_start=date(2026, 4, 6),
        kind="bank_statement",
        original_name="statement.pdf",
        stored_name=stored,
        content_type="application/pdf",
        sha256="0" * 64,
        size=13,
        uploaded_by_id=author.id,
    )
    db_session.add(evidence)
    db_session.flush()
    checklist_file = _checklist_tick_with_file(db_session, account, author)
    return {
        "account_id": account.id,
        "person_id": account.person.id,
        "rep_id": rep.id,
        "link_id": link.id,
        "mandate_id": mandate.id,
        "budget_id": budget.id,
        "payment_id": payment.id,
        "recovery_id": recovery.id,
        "letter_id": letter_id,
        "return_id": returned.id,
        "evidence_id": evidence.id,
        "task_id": task.id,
        "change_id": change.id,
        "stored": stored,
        "file_id": checklist_file.id,
        "item_key": "insurance",
    }


def _checklist_tick_with_file(db_session, account, author) -> EmployerFile:
    """An employer checklist tick with its evidence file (stored in the world fixture)."""
    file = EmployerFile(
        account_id=account.id,
        purpose="checklist",
        original_name="insurance certificate.pdf",
        stored_name=f"routes-walk-checklist-{account.id}.pdf",
        content_type="application/pdf",
        sha256="0" * 64,
        size=13,
        uploaded_by_id=author.id,
    )
    db_session.add(file)
    db_session.flush()
    db_session.add(
        ChecklistTick(
            account_id=account.id,
            item_key="insurance",
            done_on=date(2026, 4, 6),
            renews_on=date(2027, 4, 6),
            file_id=file.id,
            recorded_by_id=author.id,
        )
    )
    db_session.flush()
    return file


def _charter_objects(db_session, account, author) -> dict:
    """A holder's application waiting for review (with an evidence file) and a Supporter's
    award, on `account`."""
    version = (
        db_session.execute(select(CriteriaVersion).order_by(CriteriaVersion.version.desc()))
        .scalars()
        .first()
    )
    stored = f"charter-walk-{account.id}.pdf"
    evidence = EmployerFile(
        account_id=account.id,
        purpose="charter",
        original_name="contract.pdf",
        stored_name=stored,
        content_type="application/pdf",
        sha256="0" * 64,
        size=13,
        uploaded_by_id=author.id,
    )
    held = Application(
        account_id=account.id,
        criteria_version_id=version.id,
        tier="holder",
        status="submitted",
        display_name="Walk Employer",
        declaration=True,
        created_by_id=author.id,
        submitted_at=utcnow(),
    )
    supported = Application(
        account_id=account.id,
        criteria_version_id=version.id,
        tier="supporter",
        status="awarded",
        display_name="Walk Supporter",
        declaration=True,
        created_by_id=author.id,
    )
    db_session.add_all([evidence, held, supported])
    db_session.flush()
    db_session.add_all(
        Answer(application_id=held.id, criterion_id=c.id, answer="Yes", file_id=evidence.id)
        for c in version.criteria
    )
    award = Award(
        number=f"CM-2026-{account.id:04d}",
        application_id=supported.id,
        account_id=account.id,
        tier="supporter",
        display_name="Walk Supporter",
        starts_on=date(2026, 1, 5),
        expires_on=date(2028, 1, 4),
    )
    db_session.add(award)
    db_session.flush()
    return {
        "application_id": held.id,
        "charter_file_id": evidence.id,
        "award_id": award.id,
        "number": award.number,
        "charter_stored": stored,
    }


def _handbook_section(db_session, admin) -> str:
    """A handbook section that readers see (version 1) with a draft waiting (version 2)."""
    section = HandbookSection(slug="routes-walk", stage="deciding", position=1)
    db_session.add(section)
    db_session.flush()
    for number, published_at in ((1, utcnow()), (2, None)):
        db_session.add(
            HandbookVersion(
                section_id=section.id,
                version=number,
                title=f"Walk version {number}",
                summary="S",
                body_markdown="Text.",
                change_note="N",
                published_at=published_at,
                created_by_id=admin.id,
            )
        )
    db_session.flush()
    return section.slug


def _client_money(db_session, org, account) -> int:
    """£100 paid in to the person's sub-ledger in `org`'s pooled account."""
    balance = ClientBalance(organisation_id=org.id, account_id=account.id, balance_pence=10000)
    db_session.add(balance)
    db_session.flush()
    posting = ClientPosting(
        balance_id=balance.id,
        organisation_id=org.id,
        account_id=account.id,
        entry_date=date(2026, 5, 1),
        kind="contribution",
        amount_pence=10000,
        balance_after_pence=10000,
        description="Paid in",
    )
    db_session.add(posting)
    db_session.flush()
    return posting.id


def _reconciliation(db_session, org) -> dict:
    """A month of `org`'s pooled account being prepared, with a difference to explain."""
    rec = PooledReconciliation(organisation_id=org.id, month=date(2026, 10, 1), status="open")
    db_session.add(rec)
    db_session.flush()
    item = ReconciliationDifference(
        reconciliation_id=rec.id,
        kind="statement_line_not_in_ledger",
        amount_pence=500,
        description="Bank line",
    )
    db_session.add(item)
    db_session.flush()
    return {"rec_id": rec.id, "item_id": item.id}


def _pooled_statement(db_session, org, author) -> int:
    """A statement of `org`'s pooled account, imported, with one line given to no client."""
    row = PooledStatement(
        organisation_id=org.id,
        status="imported",
        source="CSV",
        original_name="pooled.csv",
        stored_name="routes-walk-pooled.csv",
        sha256="0" * 64,
        size=1,
        imported_by_id=author.id,
    )
    db_session.add(row)
    db_session.flush()
    db_session.add(
        PooledStatementLine(
            statement_id=row.id,
            organisation_id=org.id,
            row_number=2,
            line_date=date(2026, 10, 5),
            description="BANK CHARGES",
            amount_pence=-500,
            fingerprint="f" * 64,
            category="bank_charges",
            reason="The description says CHARGES",
        )
    )
    db_session.flush()
    return row.id


def _put(app, key: str, data: bytes) -> None:
    """A stored file for the walk (replacing one a rolled-back earlier run left)."""
    with app.app_context():
        store = storage.current()
        store.delete(key)
        store.put(key, data, "application/octet-stream")


def _statement_waiting(db_session, account, author, app) -> int:
    """A bank statement waiting for its columns to be chosen, with its file."""
    stored = f"routes-walk-statement-{account.id}.csv"
    _put(app, f"statements/{stored}", b"2026-04-07,WAGES,-1.00,5.00\n2026-04-08,TESCO,-1.00,4.00\n")
    row = StatementImport(
        account_id=account.id,
        status="awaiting_columns",
        source="CSV",
        original_name="statement.csv",
        stored_name=stored,
        sha256="0" * 64,
        size=1,
        imported_by_id=author.id,
    )
    db_session.add(row)
    db_session.flush()
    return row.id


def _isf_agreement(factory, db_session, account, provider_member) -> dict:
    """An agreement between the own account and the provider staff member's provider:
    version 1 in force, version 2 waiting for confirmations."""
    from dp_portal.isf.models import IsfAgreementVersion

    from ..isf.helpers import agreement, budget_for

    org = provider_member.organisation
    budget, line = budget_for(factory, account, org, version=99)
    row, first = agreement(
        factory, account, org, budget, line, status="active", activated_at=utcnow()
    )
    second = IsfAgreementVersion(
        agreement_id=row.id,
        version=2,
        status="awaiting",
        starts_on=first.starts_on,
        annual_budget_pence=first.annual_budget_pence,
        budget_id=budget.id,
        money_holder="council",
        payment_basis="scheduled",
        contribution_to="none",
        reporting_frequency="monthly",
        underspend="reviewed",
        created_by_id=row.created_by_id,
        change_note="More hours",
    )
    db_session.add(second)
    db_session.flush()
    return {"agreement_id": row.id, "version_number": 1} | _isf_invoice(
        db_session, account, row, provider_member
    )


def _bulk_import(db_session, officer) -> int:
    """An import of one person, checked with no problems and waiting to be applied."""
    from dp_portal.imports.models import Import, ImportSheet

    report = {
        "ok": True,
        "rows": {"people": 1},
        "problem_count": 0,
        "problems": [],
        "counts": {"people": {"create": 1, "update": 0, "unchanged": 0}},
        "outcomes": [
            {
                "kind": "people",
                "row": 2,
                "key": "SWWALK",
                "action": "create",
                "changes": [],
                "note": "",
            }
        ],
    }
    row = Import(
        source="Walk",
        file_name="walk.csv",
        file_type="csv",
        state="checked",
        created_by_id=officer.id,
        row_count=1,
        created_count=1,
        report_json=json.dumps(report),
    )
    db_session.add(row)
    db_session.flush()
    db_session.add(
        ImportSheet(
            import_id=row.id,
            position=0,
            name="walk.csv",
            kind="people",
            row_count=1,
            headings_json='["Client"]',
            rows_json='[[2, ["SWWALK"]]]',
            mapping_json='{"0": "client_reference"}',
        )
    )
    db_session.flush()
    return row.id


INVOICE_STORED = "routes-walk-invoice.xlsx"


def _isf_invoice(db_session, account, agreement, member) -> dict:
    """A held line on an invoice from the member's provider, a sealed period, a payment
    the provider was paid for a line, and an open change request."""
    from dp_portal.isf.delivery_models import (
        IsfChangeRequest,
        IsfInvoice,
        IsfInvoiceLine,
        IsfPeriod,
    )

    start, end = date(2026, 4, 6), date(2026, 5, 3)
    period = IsfPeriod(
        agreement_id=agreement.id,
        account_id=agreement.account_id,
        period_start=start,
        period_end=end,
        status="sealed",
        sealed_at=utcnow(),
    )
    invoice = IsfInvoice(
        organisation_id=member.organisation_id,
        provider_reference="ROUTES-1",
        period_start=start,
        period_end=end,
        source="upload",
        original_name="invoice.xlsx",
        stored_name=INVOICE_STORED,
        submitted_by_id=member.id,
    )
    payment = Payment(
        account_id=account.id,
        period_index=5,
        period_start=start,
        period_end=end,
        payee_type="organisation",
        amount_pence=100,
        pay_date=start,
        breakdown_json="{}",
    )
    db_session.add_all([period, invoice, payment])
    db_session.flush()
    line = IsfInvoiceLine(
        invoice_id=invoice.id,
        agreement_id=agreement.id,
        period_id=period.id,
        account_id=account.id,
        service_type="day",
        hours_hundredths=100,
        rate_pence=100,
        amount_pence=100,
        state="held",
        hold_reason="Over the cap",
        payment_id=payment.id,
    )
    change = IsfChangeRequest(
        agreement_id=agreement.id,
        period_id=period.id,
        raised_by_id=member.id,
        raised_by_party="provider",
        subject="More hours",
        due_on=end,
    )
    db_session.add_all([line, change])
    db_session.flush()
    return {
        "invoice_id": invoice.id,
        "line_id": line.id,
        "period_id": period.id,
        "request_id": change.id,
        "provider_payment_id": payment.id,
    }


def _api_client(db_session, admin) -> int:
    from dp_portal.api.models import ApiClient
    from dp_portal.api.tokens import new_token, token_digest, token_prefix

    token = new_token()
    row = ApiClient(
        name="Routes walk system",
        scopes="ledger:read",
        token_hash=token_digest(token),
        token_prefix=token_prefix(token),
        created_by_id=admin.id,
    )
    db_session.add(row)
    db_session.flush()
    return row.id


@pytest.fixture
def world(app, factory, db_session):
    org = factory.organisation()
    users = {role: factory.user(role) for role in Role}
    users[Role.BROKERAGE_STAFF].organisation_id = org.id
    users[Role.BROKERAGE_STAFF].is_organisation_admin = True
    colleague = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id)
    admin = users[Role.ADMIN]
    db_session.add(
        RateRow(kind="living_wage", effective_from=date(2025, 4, 1), value=1260, source_note="t")
    )
    run = PaymentRun(
        period_index=0,
        period_start=date(2026, 4, 6),
        period_end=date(2026, 5, 3),
        pay_date=date(2026, 4, 2),
        status="committed",
        built_by_id=admin.id,
    )
    override = CalendarOverride(day=date(2026, 9, 21), region="scotland", kind="closed", reason="x")
    db_session.add_all([run, override])
    db_session.flush()

    yesterday = local_today() - timedelta(days=1)
    accounts = {scenario: factory.account() for scenario in SCENARIOS}
    factory.access(users[Role.RECIPIENT], accounts[OWN])
    factory.mandate(accounts[OWN], org, scope="manage_money")
    factory.mandate(accounts[VIEW_ONLY], org, scope="view_only")
    factory.mandate(accounts[PREPARES], org, scope="prepare_returns")
    # Another organisation manages the money on the other account: none of it is ours to see.
    factory.mandate(accounts[OTHER], factory.organisation(), scope="manage_money")
    factory.mandate(accounts[EXPIRED], org, scope="manage_money", ends_on=yesterday)
    factory.access(users[Role.RECIPIENT], accounts[EXPIRED]).is_current = False
    objects = {
        scenario: _account_objects(factory, db_session, account, run, admin)
        | _charter_objects(db_session, account, admin)
        for scenario, account in accounts.items()
    }
    for named in objects.values():
        _put(app, named["stored"], b"%PDF-1.4 test")
        _put(app, named["charter_stored"], b"%PDF-1.4 test")
    for account in accounts.values():
        _put(app, f"consent/routes-walk-consent-{account.id}.pdf", b"%PDF-1.4 test")
        _put(app, f"employers/routes-walk-checklist-{account.id}.pdf", b"%PDF-1.4 test")
    for scenario, account in accounts.items():
        objects[scenario]["import_id"] = _statement_waiting(db_session, account, admin, app)
    event = record(
        admin, "test.event", accounts[OWN], account_id=accounts[OWN].id, session=db_session
    )
    provider = factory.organisation(kind="provider")
    pooled = PooledAccountChange(
        organisation_id=org.id,
        payee_name="TEST BROKERAGE",
        sort_code="089999",
        account_number="66374958",
        bank_check="not_checked",
        reason="New client account",
        requested_by_id=users[Role.BROKERAGE_STAFF].id,
    )
    db_session.add(pooled)
    db_session.flush()
    holder = factory.organisation(kind="money_management")
    for scenario, account in accounts.items():
        objects[scenario]["posting_id"] = _client_money(
            db_session, org if scenario == OWN else holder, account
        )
    isf = _isf_agreement(factory, db_session, accounts[OWN], users[Role.PROVIDER_STAFF])
    _put(app, f"invoices/{INVOICE_STORED}", b"PK\x03\x04 test")
    month = _reconciliation(db_session, org)
    month["statement_id"] = _pooled_statement(db_session, org, users[Role.BROKERAGE_STAFF])
    slug = _handbook_section(db_session, admin)
    api_client_id = _api_client(db_session, admin)
    shared = {
        "user_id": users[Role.FINANCE_OFFICER].id,
        "override_id": override.id,
        "event_id": event.id,
        "token": "not-a-valid-token",
        "org_id": provider.id,
        "member_id": colleague.id,
        "pooled_change_id": pooled.id,
        "run_id": run.id,
        "start": "2026-04-06",
        "fmt": "csv",
        "filename": "app.js",
        "slug": slug,
        "name": "options",
        "group": "money",
        "bulk_import_id": _bulk_import(db_session, users[Role.FINANCE_OFFICER]),
        "client_id": api_client_id,
        **isf,
        **month,
    }
    return users, {scenario: shared | named for scenario, named in objects.items()}


# --- The tests -------------------------------------------------------------------------------


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_every_route_declares_its_access_and_is_listed(app):
    for rule in _rules(app):
        view = app.view_functions[rule.endpoint]
        assert access_of(view) is not None, f"{rule.endpoint} declares no access rule"
        assert rule.endpoint in ROUTES, f"{rule.endpoint} is missing from ROUTES"
        declared, who = access_of(view), ROUTES[rule.endpoint].who
        if who == OPEN:
            assert declared == PUBLIC, rule.endpoint
        elif who == BEARER:
            assert declared == TOKEN, rule.endpoint
        elif who == ALL:
            assert declared in (SIGNED_IN, ALL), rule.endpoint
        else:
            assert declared == frozenset(str(r) for r in who), rule.endpoint
    assert set(ROUTES) == {rule.endpoint for rule in _rules(app)}, "ROUTES lists a stale route"


def test_routes_that_name_an_account_object_say_what_they_need(app):
    names_an_account = re.compile(
        r"<(?:int:)?(account_id|person_id|rep_id|link_id|mandate_id|budget_id|payment_id|recovery_id"
        r"|letter_id|return_id|evidence_id|change_id)>"
    )
    for rule in _rules(app):
        if names_an_account.search(rule.rule):
            assert ROUTES[rule.endpoint].need is not None, rule.endpoint


def _url(rule, values):
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def _walk(app, client, users, values, role, scenario, methods) -> list[str]:
    wrong = []
    for method in methods:  # every GET first, then the POSTs that may change the world
        for rule in _rules(app):
            if method not in rule.methods:
                continue
            route = ROUTES[rule.endpoint]
            if route.need is None and scenario != OWN:
                continue  # names nobody's account: one scenario is enough
            client.delete_cookie("session")
            if role is not None:
                sign_in_as(client, users[role])
            response = client.open(_url(rule, values[scenario]), method=method, data={})
            want = expected(route, role, scenario, method)
            if response.status_code != want:
                wrong.append(f"{method} {rule.rule}: {response.status_code}, expected {want}")
            elif want == 302 and role is None and route.who != OPEN:
                assert response.location.startswith("/sign-in"), rule.rule
    return wrong


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_every_route_for_every_role_and_scope(app, client, world, role, scenario):
    users, values = world
    wrong = _walk(app, client, users, values, role, scenario, ("GET", "POST"))
    assert not wrong, f"as {role or 'anonymous'} on the {scenario} account:\n" + "\n".join(wrong)


_HREF = re.compile(r'href="(/[^"#]*)"')


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_links_lead_only_where_the_reader_may_go(app, client, world, role):
    """Every link on every page a role can open, followed: none answers 403 or 404.
    (Before, the account page's "Recent changes" sent team leaders to audit pages they may
    not open.)"""
    users, values = world
    sign_in_as(client, users[role])
    pages = []
    for rule in _rules(app):
        if "GET" in rule.methods and expected(ROUTES[rule.endpoint], role, OWN, "GET") == 200:
            pages.append(_url(rule, values[OWN]))
    seen, broken = set(pages), []
    for page in pages:
        response = client.get(page)
        if not response.content_type.startswith("text/html"):
            continue
        for href in set(_HREF.findall(response.get_data(as_text=True))):
            href = href.replace("&amp;", "&")
            if href in seen or href.startswith(("/static/", "/sign-out")):
                continue
            seen.add(href)
            status = client.get(href).status_code
            if status in (403, 404) or status >= 500:
                broken.append(f"{page} links to {href}: {status}")
    assert not broken, "\n".join(broken)
