"""Value checks of the settings model whose errors must name the problem without echoing a secret
(a password in a URL, a token): URLs, tokens bound for an HTTP header, closed choices.
Used by `settings.model` validators only; pure functions, no I/O.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import SecretStr

from syncer.model.errors import ConfigError


def check_url(url: str) -> None:
    shown = re.sub(r"//[^/@]*@", "//***@", url)  # why: user:password@ must not reach an error message
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number in range
    except ValueError as exc:
        # from None: the cause names the URL as given, user:password@ included
        raise ValueError(f"{shown!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{shown!r} is not an http:// or https:// URL with a host")
    if not url.isprintable() or " " in url:
        raise ValueError(f"{shown!r} contains spaces or control characters")


def header_safe(token: SecretStr, origin: str) -> SecretStr:
    """A token goes into an HTTP header: non-ASCII or control characters would crash the client
    (or be refused by Grafana as a confusing 401). Said without echoing the token."""
    value = token.get_secret_value()
    if not (value.isascii() and value.isprintable()):
        raise ConfigError(
            f"the token from {origin} contains non-ASCII or control characters; it cannot be sent "
            "in an HTTP header (copy it again?)"
        )
    return token


def one_of(value: str, allowed: tuple[str, ...]) -> str:
    """A misspelt choice in the config file is an error, not a silent fallback to the default."""
    if value.lower() not in allowed:
        raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
    return value.lower()
