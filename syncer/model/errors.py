"""The error tree at the Grafana edge, classified for retry decisions (design.md, Habits)."""

from __future__ import annotations

from enum import StrEnum


class FailureClass(StrEnum):
    PERMANENT = "permanent"  # bad input, 401/403: do not hammer
    TRANSIENT = "transient"  # 5xx, 429, timeouts, 412/409: back off and retry
    WAITING = "waiting"  # Grafana not up yet


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

    failure_class = FailureClass.TRANSIENT


class AlreadyExists(GrafanaError):
    failure_class = FailureClass.TRANSIENT


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
