"""`GET /api/search` and `GET /api/search/sorting`: Grafana's legacy search semantics.

Role: filter dashboards and folders of the caller's org by the documented query parameters,
page, order (folders first when no `sort` is given) and render hits with the omitempty folder
fields. Registered by `app/server.py`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from syncer.emulator.config import EmulatorContext, org_of
from syncer.emulator.store import ids
from syncer.emulator.store.state import DashboardRecord, FolderRecord, OrgStore
from syncer.emulator.web.routes import Route
from syncer.emulator.web.values import HttpError, Request, Response, json_response

DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000
SORT_OPTIONS = [
    {
        "name": "alpha-asc",
        "displayName": "Alphabetically (A\u2013Z)",
        "description": "Sort results in an alphabetically ascending order",
        "meta": "",
    },
    {
        "name": "alpha-desc",
        "displayName": "Alphabetically (Z\u2013A)",
        "description": "Sort results in an alphabetically descending order",
        "meta": "",
    },
]


class SearchFilter:
    def __init__(self, request: Request) -> None:
        self.query = request.arg("query").lower()
        self.tags = [tag for tag in request.args("tag") if tag]
        self.kind = request.arg("type")
        self.dashboard_uids = set(request.args("dashboardUIDs") or request.args("dashboardUID"))
        self.dashboard_ids = {int(v) for v in request.args("dashboardIds") if v.lstrip("-").isdecimal()}
        folder_uids = request.args("folderUIDs")
        self.folder_uids = {"" if uid == "general" else uid for uid in folder_uids} if folder_uids else None
        folder_ids = [int(v) for v in request.args("folderIds") if v.lstrip("-").isdecimal()]
        self.folder_ids = set(folder_ids) if folder_ids else None
        self.starred = request.arg("starred").lower() == "true"
        self.edit_only = request.arg("permission").lower() == "edit"
        if (self.dashboard_ids and self.dashboard_uids) or (self.folder_ids and self.folder_uids is not None):
            raise HttpError.message(400, "search supports UIDs or IDs, not both")

    def _common(self, title: str, parent_uid: str, org: OrgStore) -> bool:
        if self.query and self.query not in title.lower():
            return False
        if self.folder_uids is not None and parent_uid not in self.folder_uids:
            return False
        if self.folder_ids is not None:
            parent = org.folders.get(parent_uid)
            if (parent.id if parent else 0) not in self.folder_ids:
                return False
        return not self.starred

    def dashboard(self, record: DashboardRecord, org: OrgStore) -> bool:
        if self.kind not in ("", "dash-db"):
            return False
        if self.dashboard_uids and record.uid not in self.dashboard_uids:
            return False
        if self.dashboard_ids and record.id not in self.dashboard_ids:
            return False
        if self.tags and not set(self.tags) <= set(record.tags):
            return False
        return self._common(record.title, record.folder_uid, org)

    def folder(self, record: FolderRecord, org: OrgStore) -> bool:
        if self.kind not in ("", "dash-folder") or self.tags or self.dashboard_uids or self.dashboard_ids:
            return False
        return self._common(record.title, record.parent_uid, org)


def _folder_fields(org: OrgStore, parent_uid: str) -> dict[str, Any]:
    parent = org.folders.get(parent_uid)
    if parent is None:
        return {}
    return {
        "folderId": parent.id,
        "folderUid": parent.uid,
        "folderTitle": parent.title,
        "folderUrl": f"/dashboards/f/{parent.uid}/{ids.slugify(parent.title)}",
    }


def dashboard_hit(org: OrgStore, record: DashboardRecord) -> dict[str, Any]:
    slug = ids.slugify(record.title)
    hit: dict[str, Any] = {
        "id": record.id,
        "uid": record.uid,
        "orgId": org.org_id,
        "title": record.title,
        "uri": f"db/{slug}",
        "url": f"/d/{record.uid}/{slug}",
        "slug": slug,
        "type": "dash-db",
        "tags": sorted(record.tags),
        "isStarred": False,
    }
    hit.update(_folder_fields(org, record.folder_uid))
    hit["sortMeta"] = 0
    return hit


def folder_hit(org: OrgStore, record: FolderRecord) -> dict[str, Any]:
    slug = ids.slugify(record.title)
    hit: dict[str, Any] = {
        "id": record.id,
        "uid": record.uid,
        "orgId": org.org_id,
        "title": record.title,
        "uri": f"db/{slug}",
        "url": f"/dashboards/f/{record.uid}/{slug}",
        "slug": slug,
        "type": "dash-folder",
        "tags": [],
        "isStarred": False,
    }
    hit.update(_folder_fields(org, record.parent_uid))
    hit["sortMeta"] = 0
    return hit


def _limit(request: Request) -> int:
    raw = request.arg("limit")
    try:
        limit = int(raw) if raw else DEFAULT_LIMIT
    except ValueError:
        return DEFAULT_LIMIT
    if limit > MAX_LIMIT:
        raise HttpError.message(
            422, "Limit is above maximum allowed (5000), use page parameter to access hits beyond limit"
        )
    return limit if limit > 0 else DEFAULT_LIMIT


def search(ctx: EmulatorContext, request: Request) -> Response:
    limit = _limit(request)
    page = max(request.int_arg("page", 1), 1)
    sort = request.arg("sort")
    wanted = SearchFilter(request)
    if request.arg("deleted").lower() == "true":  # soft-deleted dashboards: admins only, none kept here
        if request.caller.role != "Admin":
            raise HttpError.message(401, "Unauthorized")
        return json_response(200, [])
    if wanted.edit_only and not request.caller.can_write:
        return json_response(200, [])
    with ctx.store.lock:
        org = org_of(ctx, request)
        found: list[DashboardRecord | FolderRecord] = [
            f for f in org.folders.values() if wanted.folder(f, org)
        ]
        found += [d for d in org.dashboards.values() if wanted.dashboard(d, org)]
        found.sort(key=lambda item: (item.title.lower(), item.uid), reverse=sort == "alpha-desc")
        # Render only the requested page: a 20,000-dashboard org stays cheap to page through.
        window = [
            folder_hit(org, item) if isinstance(item, FolderRecord) else dashboard_hit(org, item)
            for item in found[(page - 1) * limit : page * limit]
        ]
    if not sort:
        window.sort(key=lambda hit: (hit["type"] != "dash-folder", hit["title"].lower()))
    return json_response(200, window)


def sorting(ctx: EmulatorContext, request: Request) -> Response:
    return json_response(200, {"sortOptions": SORT_OPTIONS})


def routes(ctx: EmulatorContext) -> list[Route]:
    return [
        Route("GET", "/api/search/sorting", partial(sorting, ctx)),
        Route("GET", "/api/search", partial(search, ctx)),
    ]
