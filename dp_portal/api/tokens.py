"""Integration clients' bearer tokens: made, shown once, and kept only as a hash.

A token is `dpk_` and 43 characters from `secrets.token_urlsafe(32)`: 256 random bits. The
table keeps the SHA-256 of it (and the first 12 characters, which identify the token on the
admin pages and are no help in guessing the rest). A fast hash is right here, unlike for
passwords: a slow hash (argon2, as auth uses) exists to make guessing a low-entropy secret
expensive, but nobody can guess 256 random bits, and a slow hash would cost every API call
tens of milliseconds. Being a plain digest, it can also be looked up by an index.
"""

from __future__ import annotations

import re
import secrets
from hashlib import sha256

TOKEN_MARK = "dpk_"  # noqa: S105 - marks our tokens; not a secret
PREFIX_LENGTH = 12  # "dpk_" and 8 characters of the random part
MAX_TOKEN_LENGTH = 200  # anything longer is not one of ours; refuse before hashing


def new_token() -> str:
    return TOKEN_MARK + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the table keeps of a token."""
    return sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_prefix(token: str) -> str:
    """The part of a token that is shown to identify it (not secret, not enough to use)."""
    return token[:PREFIX_LENGTH]


def plausible(token: str) -> bool:
    """Whether `token` could be one of ours (saves a lookup for obvious junk)."""
    return len(token) <= MAX_TOKEN_LENGTH and re.fullmatch(r"dpk_[A-Za-z0-9_-]+", token) is not None
