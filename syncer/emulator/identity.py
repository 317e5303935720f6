"""Who a request acts as: the value auth produces and the routes and store writes read.

It sits apart from `app.auth` (which decides it) so that the store, which stamps
createdBy/updatedBy, and the request values need not import the application.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Identity:
    id: int
    uid: str
    login: str
    name: str
    role: str  # Viewer | Editor | Admin
    is_service_account: bool

    @property
    def can_write(self) -> bool:
        return self.role != "Viewer"

    @property
    def k8s_ref(self) -> str:
        """The `grafana.app/createdBy` form: `user:<uid>` or `service-account:<uid>`."""
        kind = "service-account" if self.is_service_account else "user"
        return f"{kind}:{self.uid}"
