"""Refine the shared HTTP error mapping for k8s `Status` failures of the resources API.

Who calls it: `syncer.adapters.grafana.resources` around each request. The shared layer
(`errors.error_for_response`) maps every 409 to `AlreadyExists`; on `/apis` a 409 is one of two
apimachinery reasons, told apart by their standard Status messages:

- `Conflict` ("... the object has been modified; please apply your changes to the latest version")
  -> `VersionConflict`: the executor re-reads, re-plans and retries (bounded), like a legacy 412.
- `AlreadyExists` (`dashboards.dashboard.grafana.app "<uid>" already exists`) on create -> also a
  race (someone created it since we read): reported as `VersionConflict` so the executor re-reads
  and re-plans instead of failing; the message says what happened.

It must not retry or log; it only reclassifies.
"""

from __future__ import annotations

from syncer.model.errors import AlreadyExists, GrafanaError, VersionConflict

_MODIFIED = "the object has been modified"


def is_stale_write(error: GrafanaError) -> bool:
    return isinstance(error, VersionConflict) or (error.status == 409 and _MODIFIED in str(error).lower())


def refine(error: GrafanaError, *, creating: bool = False) -> GrafanaError:
    """The error to raise instead of `error` (which may be returned unchanged)."""
    if is_stale_write(error) and not isinstance(error, VersionConflict):
        return _conflict(str(error), error)
    if creating and isinstance(error, AlreadyExists):
        return _conflict(f"{error} (created concurrently since it was read; re-reading)", error)
    return error


def _conflict(message: str, cause: GrafanaError) -> VersionConflict:
    return VersionConflict(message, status=cause.status, method=cause.method, route=cause.route)
