"""The error tree at the Grafana edge, classified for retry decisions (design.md, Habits)."""

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
