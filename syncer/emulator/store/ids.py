"""Identifiers Grafana generates: dashboard/folder uids, numeric ids, slugs, k8s object uids.

Role: pure helpers used by the store and the route modules. No I/O, no state except the
random generator passed in.
"""

# ruff: noqa: RUF001 - the transliteration tables below are Cyrillic/Hebrew letters on purpose

from __future__ import annotations

import functools
import hashlib
import random
import re
import time
import unicodedata
import uuid

UID_PATTERN = re.compile(r"^[a-zA-Z0-9\-_]*$")
MAX_UID_LENGTH = 40
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_SLUG_KEEP = set("abcdefghijklmnopqrstuvwxyz0123456789_-")
_SLUG_DROP = set(",\"'\n\r\0?.()")
_MAX_SLUG_LENGTH = 50
_SLUG_MAP = {" ": "-", "&": "and", "@": "at", "©": "c", "®": "r", "™": "tm"}
# Letters Grafana's slugify transliterates beyond "strip the accent" (which `_strip_accent` does).
# fmt: off
_LATIN_SPECIAL = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ĳ": "ij", "ø": "o", "ǿ": "o", "þ": "p", "đ": "d", "ħ": "h",
    "ı": "i", "ł": "l", "ŀ": "l", "ŋ": "n", "ŧ": "t", "ĸ": "k", "ſ": "z", "ƒ": "f",
    "ə": "e", "ü": "ue",
}
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "-",
    "ы": "y", "ь": "-", "э": "je", "ю": "ju", "я": "ja", "ё": "jo", "є": "e", "і": "i", "ї": "i",
    "ґ": "g",
}
_HEBREW = {
    "א": "a", "ב": "b", "ג": "g", "ד": "d", "ה": "h", "ו": "v", "ז": "z", "ח": "h", "ט": "t",
    "י": "i", "ך": "k", "כ": "k", "ל": "l", "ם": "m", "מ": "m", "ן": "n", "נ": "n", "ס": "s",
    "ע": "e", "ף": "p", "פ": "p", "ץ": "C", "צ": "c", "ק": "q", "ר": "r", "ש": "w", "ת": "t",
}
# fmt: on
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


def _strip_accent(char: str) -> str | None:
    """`é` -> `e`: a Latin letter whose decomposition is one ASCII letter plus combining marks."""
    base = unicodedata.normalize("NFD", char)[0]
    return base if base != char and base in _SLUG_KEEP else None


def _slug_part(char: str) -> str:
    for table in (_SLUG_MAP, _LATIN_SPECIAL, _CYRILLIC, _HEBREW):
        if char in table:
            return table[char]
    if char in _SLUG_KEEP:
        return char
    if char in _SLUG_DROP:
        return ""
    # Go prints each UTF-8 byte with %x: no zero padding.
    return _strip_accent(char) or "".join(f"{byte:x}" for byte in char.encode())


@functools.lru_cache(maxsize=65536)  # pure, and every GET/search hit needs one or two
def slugify(title: str) -> str:
    """Grafana's slugify: transliterate, keep [a-z0-9_-], drop some punctuation, hex the rest.

    Falls back to a SHA-1 name-based UUID of the untrimmed title when the slug is empty or
    longer than 50 characters.
    """
    slug = "".join(_slug_part(char) for char in title.strip().lower())
    if not slug or len(slug) > _MAX_SLUG_LENGTH:
        return str(uuid.uuid5(uuid.NAMESPACE_OID, title))
    return slug


def short_hash(secret: str) -> str:
    """A stable, non-reversible label for a secret (used to name token identities)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:8]
