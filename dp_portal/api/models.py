"""Integration clients: the systems (case management, finance) that call the API, each with
one bearer token kept only as a hash (tokens.py) and the scopes an administrator gave it; and
the imports a client applied, with a digest of what it sent (so a reused idempotency key with
different rows is refused instead of answered with another import's result)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import UTCDateTime, utcnow
from ..extensions import db


class ApiClient(db.Model):
    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    # Space-separated scope names (rules.Scope), in the order of the fixed list.
    scopes: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    # The token itself is never stored: its SHA-256 (looked up on every call) and its first
    # characters, so an administrator can tell which token a system holds.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    token_prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    token_issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(String(300))
    # The finance officer in whose name a client with people:import imports (a client is no
    # user, and the four-eyes rules compare users): named by the administrator who creates
    # the client, and needed before it can import (api/imports.py).
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by = relationship("User", foreign_keys=[created_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])
    officer = relationship("User", foreign_keys=[officer_id])

    __table_args__ = (
        CheckConstraint("status IN ('active', 'revoked')", name="status"),
        CheckConstraint("(status = 'revoked') = (revoked_at IS NOT NULL)", name="revoked_when"),
    )

    @property
    def label(self) -> str:
        """How the audit log names the client when it calls (it is no user)."""
        return f"API client {self.id}: {self.name}"[:254]


class ApiImport(db.Model):
    """An import applied (or checked and refused) through the API: the client that sent it,
    so that only that client reads it back, and the SHA-256 of the rows it sent."""

    __tablename__ = "api_imports"

    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"), nullable=False)
    body_digest: Mapped[str] = mapped_column(String(64), nullable=False)

    __table_args__ = (Index("ix_api_imports_client_id", "client_id"),)
