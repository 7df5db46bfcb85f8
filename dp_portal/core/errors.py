"""The three ways a use case says no, shared by every domain. Views turn them into pages:
a broken rule is shown on the form; NotFound is a 404 and NotAllowed a 403 (the error
handlers in dp_portal/errors.py)."""

from __future__ import annotations


class RuleError(ValueError):
    """A request that breaks a rule; the message says which, in plain English."""


class NotFound(LookupError):
    """No such object for this reader. The same answer whether it does not exist or belongs
    to someone else, so a guessed id reveals nothing."""


class NotAllowed(PermissionError):
    """The reader may see the object but not do this to it (a view-only mandate, say)."""
