"""Users and their roles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, ForeignKeyConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.audit import AuditEvent
from ..core.calendar_models import CalendarOverride
from ..core.modulus_models import ModulusTableVersion
from ..core.types import UTCDateTime, utcnow
from ..extensions import db


class Role(StrEnum):
    RECIPIENT = "recipient"
    FINANCE_OFFICER = "finance_officer"
    TEAM_LEADER = "team_leader"
    BROKERAGE_STAFF = "brokerage_staff"
    PROVIDER_STAFF = "provider_staff"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.RECIPIENT: "Supported person or representative",
    Role.FINANCE_OFFICER: "Finance officer",
    Role.TEAM_LEADER: "Team leader",
    Role.BROKERAGE_STAFF: "Brokerage or money management staff",
    Role.PROVIDER_STAFF: "Care provider staff",
    Role.ADMIN: "Administrator",
}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    full_name: Mapped[str] = mapped_column(String(120), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # An organisation's administrator: a flag on the staff member's membership (not a role),
    # so an administrator is still a member of staff and every staff rule holds for them.
    is_organisation_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # In every set-password link; a new link or a new password replaces it, so older links die
    # without touching the user's sessions.
    password_link_nonce: Mapped[str | None] = mapped_column(String(43))
    is_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The sign-in before the last one: the home page's "since your last visit".
    previous_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    organisation = relationship("Organisation", lazy="joined")

    __table_args__ = (
        CheckConstraint(
            "role IN ('recipient', 'finance_officer', 'team_leader', 'brokerage_staff', "
            "'provider_staff', 'admin')",
            name="role",
        ),
        CheckConstraint(
            "role != 'brokerage_staff' OR organisation_id IS NOT NULL",
            name="brokerage_has_organisation",
        ),
        CheckConstraint(
            "role != 'provider_staff' OR organisation_id IS NOT NULL",
            name="provider_has_organisation",
        ),
        CheckConstraint(
            "NOT is_organisation_admin OR role = 'brokerage_staff'", name="organisation_admin"
        ),
    )

    # The token of the browser session this object was loaded for (never stored on the row).
    session_token = None  # str once loaded for a session

    def get_id(self) -> str:
        # Flask-Login keeps this in the signed cookie; the loader checks the token against
        # user_sessions, so a signed-out cookie stops working.
        return f"{self.id}:{self.session_token or ''}"

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def status_label(self) -> str:
        """Switched off, invited (no password chosen yet) or active."""
        if not self.is_enabled:
            return "Switched off"
        return "Active" if self.has_password else "Invited"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(db.Model):
    """One signed-in browser. Only a hash of its token is stored, so a copy of this table
    cannot be used to sign in."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


# The kernel's tables name the user who acted by a plain id (core knows no domain). The users
# table is this package's, so the foreign keys that keep those ids honest are declared here.
for _table, _column in (
    (AuditEvent.__table__, "actor_id"),
    (CalendarOverride.__table__, "created_by_id"),
    (ModulusTableVersion.__table__, "uploaded_by_id"),
):
    _table.append_constraint(ForeignKeyConstraint([_column], ["users.id"]))
