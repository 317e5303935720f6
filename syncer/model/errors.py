"""The error tree: every error syncer raises on purpose, each Grafana one classified (`FailureClass`).

    SyncerError                   messages never contain secrets
    +-- SourceError               the source root is unusable (vanished, not a directory)
    +-- ConfigError               bad settings or flags (settings/, cli/)
    +-- GrafanaError              the Grafana edge; `failure_class` says what to do (default PERMANENT)
        +-- Unauthorized, Forbidden, NotFound, Invalid         PERMANENT: do not hammer
        +-- VersionConflict (412/409), AlreadyExists            CONFLICT: the executor re-reads, re-plans
        +-- RateLimited (429), ServerError (5xx)                TRANSIENT: back off, resend
        +-- Unreachable (refused, reset, DNS, TLS, timeout)     WAITING: back off, resend
    ValueError subclasses for pure parsing: durations.DurationError, core.jsonvalues.NestedTooDeep,
    adapters.grafana.resources.pages.MalformedPage (each turned into one of the above at its edge)

The emulator shares no code with the client and has its own: `emulator.web.values.HttpError` (an
HTTP answer), `emulator.app.lifecycle.StartupError`, `emulator.control.client.ControlError`.

Causes are chained (`raise ... from exc`); `from None` only where the cause could carry a secret
(a URL with user:password@, a body echoing a header, a token file's bytes, a quoted config line),
with a `# from None:` comment there saying which.
"""

from __future__ import annotations

from enum import StrEnum


class FailureClass(StrEnum):
    """What to do about a failure: the one classification (the HTTP retry policy reads it too)."""

    PERMANENT = "permanent"  # bad input, 401/403, 404: do not hammer
    TRANSIENT = "transient"  # 5xx, 429: back off and resend
    WAITING = "waiting"  # connection refused, timeouts: Grafana not up yet; back off and resend
    CONFLICT = "conflict"  # 412/409, already exists: re-read and re-plan (the executor), never resend as is

    @property
    def resend(self) -> bool:
        """Whether the same request may simply be sent again after a backoff."""
        return self in (FailureClass.TRANSIENT, FailureClass.WAITING)


class SyncerError(Exception):
    """Base of every error syncer raises on purpose. Messages never contain secrets."""


class SourceError(SyncerError):
    """The source directory cannot be read at all (vanished, not a directory)."""


class ConfigError(SyncerError):
    """Invalid configuration or command-line options."""


class GrafanaError(SyncerError):
    failure_class = FailureClass.PERMANENT
    retry_after: float | None = None  # seconds from a Retry-After header (429, and 503 from proxies)

    def __init__(self, message: str, *, status: int | None = None, method: str = "", route: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.method = method
        self.route = route


class Unauthorized(GrafanaError):
    pass


class Forbidden(GrafanaError):
    pass


class NotFound(GrafanaError):
    pass


class Invalid(GrafanaError):
    """400/422: the server rejected the payload."""


class VersionConflict(GrafanaError):
    """412 (legacy) / 409 Conflict (k8s): the object changed between read and write."""

    failure_class = FailureClass.CONFLICT


class AlreadyExists(GrafanaError):
    failure_class = FailureClass.CONFLICT


class RateLimited(GrafanaError):
    failure_class = FailureClass.TRANSIENT

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ServerError(GrafanaError):
    failure_class = FailureClass.TRANSIENT


class Unreachable(GrafanaError):
    """Connection refused, reset, DNS, TLS handshake or timeout."""

    failure_class = FailureClass.WAITING
