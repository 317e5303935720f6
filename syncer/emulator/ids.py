"""Identifiers Grafana generates: dashboard/folder uids, numeric ids, slugs, k8s object uids.

Role: pure helpers used by the store and the route modules. No I/O, no state except the
random generator passed in.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
import uuid

UID_PATTERN = re.compile(r"^[a-zA-Z0-9\-_]*$")
MAX_UID_LENGTH = 40
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_SLUG_KEEP = set("abcdefghijklmnopqrstuvwxyz0123456789_-")
_SLUG_DROP = set(",\"'\n\r\0?.()")
_SLUG_MAP = {" ": "-", "&": "and", "@": "at"}
_MAX_SLUG_LENGTH = 50
# Grafana's snowflake epoch (ms): keeps generated numbers in the same range as real ones.
_SNOWFLAKE_EPOCH_MS = 1288834974657


def _base36(number: int) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 36)
        digits.append(_BASE36[rest])
    return "".join(reversed(digits)) or "0"


def generate_uid(rng: random.Random) -> str:
    """`a-f` + snowflake id in base36 + `a-f`, 14 chars (Grafana >= 10.3, PR #79843)."""
    millis = int(time.time() * 1000) - _SNOWFLAKE_EPOCH_MS
    snowflake = (millis << 22) | rng.getrandbits(22)
    return rng.choice("abcdef") + _base36(snowflake)[-12:].rjust(12, "0") + rng.choice("abcdef")


def random_internal_id(rng: random.Random) -> int:
    """A large 52-bit id, as unified storage hands out (profile 13)."""
    return rng.getrandbits(52) | (1 << 51)


def k8s_object_uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def slugify(title: str) -> str:
    """Grafana's slugify: map a few runes, keep [a-z0-9_-], drop punctuation, hex the rest."""
    parts: list[str] = []
    for char in title.strip().lower():
        if char in _SLUG_MAP:
            parts.append(_SLUG_MAP[char])
        elif char in _SLUG_KEEP:
            parts.append(char)
        elif char in _SLUG_DROP:
            continue
        else:
            parts.append(char.encode().hex())
    slug = "".join(parts)
    if not slug or len(slug) > _MAX_SLUG_LENGTH:
        return str(uuid.uuid5(uuid.NAMESPACE_OID, title))
    return slug


def short_hash(secret: str) -> str:
    """A stable, non-reversible label for a secret (used to name token identities)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:8]
