"""Prefixed random ids from a CSPRNG, as long as the native API's examples."""

from __future__ import annotations

import secrets
import string

ALPHABET = string.ascii_letters + string.digits
BODY_LENGTH = 16  # "ljb_A1b2C3d4E5f6G7h8": prefix plus 16 characters, about 95 bits


def new_id(prefix: str, length: int = BODY_LENGTH) -> str:
    """Return `prefix_` followed by `length` random letters and digits."""
    return f"{prefix}_" + "".join(secrets.choice(ALPHABET) for _ in range(length))


def has_prefix(value: str, prefix: str) -> bool:
    """True when `value` looks like an id with this prefix (cheap shape check, not a lookup)."""
    body = value[len(prefix) + 1 :]
    return (
        value.startswith(prefix + "_")
        and 0 < len(body) <= 64
        and all(c in ALPHABET for c in body)
    )
