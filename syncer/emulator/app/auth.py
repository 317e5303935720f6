"""Who is calling: bearer tokens and basic auth, as Grafana authenticates API requests.

Role: `app/server.py` calls `Authenticator.identify` for every `/api` and `/apis` request; route
modules read the resulting `Identity` (role for 403s, login for createdBy/updatedBy).
Token syntax (`--token`):  `[NAME=]TOKEN[:ROLE]`, ROLE one of admin (default), editor, viewer.
Secrets are compared and never logged, stored in errors or echoed back; an unnamed token's
identity is named after a hash of the token, not after the token itself.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass

from syncer.emulator.identity import Identity
from syncer.emulator.store.ids import short_hash

ROLES = ("Viewer", "Editor", "Admin")


@dataclass(frozen=True)
class TokenSpec:
    name: str
    token: str
    role: str

    def __repr__(self) -> str:  # never let a token reach a log line through repr()
        return f"TokenSpec(name={self.name!r}, role={self.role!r})"


class TokenSyntaxError(ValueError):
    pass


def parse_token_spec(text: str) -> TokenSpec:
    """`glsa_x` -> admin "token-<hash>"; `ci=glsa_x` -> admin "ci"; `ro=glsa_x:viewer` -> viewer "ro"."""
    name, sep, rest = text.partition("=")
    if not sep:
        name, rest = "", text
    token, sep, role_text = rest.partition(":")
    role = role_text.strip().capitalize() if sep else "Admin"
    if role not in ROLES:
        raise TokenSyntaxError(f"unknown role {role_text!r} (use admin, editor or viewer)")
    if not token:
        raise TokenSyntaxError("empty token")
    return TokenSpec(name=name or f"token-{short_hash(token)}", token=token, role=role)


def parse_basic_auth(text: str) -> tuple[str, str]:
    user, sep, password = text.partition(":")
    if not sep or not user:
        raise TokenSyntaxError("basic auth must be USER:PASS")
    return user, password


class Authenticator:
    def __init__(self, tokens: list[TokenSpec], basic: tuple[str, str] | None) -> None:
        self._tokens = [(spec.token.encode(), self._token_identity(spec, n)) for n, spec in enumerate(tokens)]
        self._basic = basic
        self._basic_identity = (
            Identity(id=1, uid="admin", login=basic[0], name=basic[0], role="Admin", is_service_account=False)
            if basic
            else None
        )

    @staticmethod
    def _token_identity(spec: TokenSpec, index: int) -> Identity:
        return Identity(
            id=100 + index,
            uid=f"sa-{index + 1}-{spec.name}",
            login=f"sa-{spec.name}",
            name=spec.name,
            role=spec.role,
            is_service_account=True,
        )

    def identify(self, authorization: str) -> Identity | None:
        scheme, _, credentials = authorization.strip().partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "bearer":
            return self._by_token(credentials)
        if scheme.lower() == "basic":
            return self._by_basic(credentials)
        return None

    def _by_token(self, token: str) -> Identity | None:
        presented = token.encode()
        for secret, identity in self._tokens:
            if hmac.compare_digest(secret, presented):
                return identity
        return None

    def _by_basic(self, credentials: str) -> Identity | None:
        try:
            user, _, password = base64.b64decode(credentials, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        if user == "api_key":  # Grafana also takes a token as the password of user "api_key"
            return self._by_token(password)
        if self._basic is None:
            return None
        user_ok = hmac.compare_digest(user.encode(), self._basic[0].encode())
        password_ok = hmac.compare_digest(password.encode(), self._basic[1].encode())
        return self._basic_identity if user_ok and password_ok else None


def presented_credential(authorization: str) -> str:
    """What kind of credential a request presents, as Grafana's authn clients see it.

    "token": a non-empty bearer token, or a basic-auth password for the user `api_key` (the
    API-key client, pkg/services/authn/clients/api_key.go); "basic": other basic auth; "none":
    anything else (no header, an empty bearer, an unknown scheme), which no client claims.
    """
    scheme, _, credentials = authorization.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        return "token" if credentials else "none"
    if scheme.lower() == "basic":
        try:
            user = base64.b64decode(credentials, validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            return "basic"
        return "token" if user == "api_key" else "basic"
    return "none"
