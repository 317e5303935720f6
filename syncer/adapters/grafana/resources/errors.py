"""Refine the shared HTTP error mapping for k8s `Status` failures of the resources API.

Who calls it: `syncer.adapters.grafana.resources.client` around each request. The shared layer
(`errors.error_for_response`) maps every 409 to `AlreadyExists`, which is right for the legacy
folder API but not here. On `/apis` a 409 is always a race with another writer:

- `Conflict` on update or delete ("... the object has been modified; please apply your changes to
  the latest version", or the storage's own optimistic-locking wording): the resourceVersion we
  read is stale;
- `AlreadyExists` on create: someone created the object since we read.

Both become `VersionConflict`, so the executor re-reads, re-plans and retries (bounded) instead of
failing, like a legacy 412. The status decides, not the wording, which differs between versions.
It must not retry or log; it only reclassifies.
"""

from __future__ import annotations

from syncer.model.errors import GrafanaError, VersionConflict

CONFLICT = 409


def refine(error: GrafanaError, *, creating: bool = False) -> GrafanaError:
    """The error to raise instead of `error` (which may be returned unchanged)."""
    if error.status != CONFLICT or isinstance(error, VersionConflict):
        return error
    note = " (created by someone else since it was read; re-reading)" if creating else ""
    return VersionConflict(f"{error}{note}", status=error.status, method=error.method, route=error.route)
