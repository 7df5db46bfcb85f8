"""Finding accounts by what staff type: a name (first name first, or the surname), the
council's client reference, or the account reference.

Every match goes through an index, so a search costs the same at 100,000 accounts as at 100:
- PostgreSQL: any part of the name or client reference (`people.search_text`, a generated
  column with a pg_trgm trigram index: "leod" finds MacLeod), or the start of an account
  reference;
- SQLite: the start of the full name, the surname, the client reference or the account
  reference (B-tree range scans on the same generated columns: "mac" finds MacLeod and
  MacKay, "morag mac" finds Morag MacLeod).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select, union

from ..core.text_search import like_escaped, starts_with_range
from .models import Account, Person


def normalised(text: str) -> str:
    """Lower case (as the generated search columns are), with runs of spaces as one."""
    return " ".join(text.lower().split())


def _people_matching(term: str, dialect: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        return Person.search_text.like(f"%{like_escaped(term)}%", escape="\\")
    return or_(
        starts_with_range(Person.search_text, term),
        starts_with_range(Person.search_surname, term),
        starts_with_range(Person.client_reference, term.upper()),
    )


def matching_accounts(text: str, dialect: str) -> ColumnElement[bool] | None:
    """A condition on Account for the accounts `text` finds; None when there is nothing to
    search for. One set of ids from each index, joined by UNION, so that an OR across two
    tables does not turn into a scan of both."""
    term = normalised(text)
    if not term:
        return None
    by_reference = select(Account.id).where(starts_with_range(Account.reference, term.upper()))
    people = select(Person.id).where(_people_matching(term, dialect))
    by_person = select(Account.id).where(Account.person_id.in_(people))
    return Account.id.in_(union(by_reference, by_person))
