"""The resources adapter's transport: paths, paging, bounded concurrency, versions, last-read cache.

Who calls it: `syncer.adapters.grafana.resources.adapter` and `folders`. It sends everything through
the shared `GrafanaHttp` (auth, TLS, retries, counting, metrics) and refines 409s into what they mean
on `/apis` (`errors`). It must not interpret dashboards or folders: that is the codec's and
the adapter's job.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Mapping
from typing import Any, TypeGuard

from syncer.adapters.grafana.discovery import (
    DASHBOARD_GROUP,
    FOLDER_GROUP,
    RESOURCES,
    ResourceVersions,
    choose_api,
    fetch_catalogue,
)
from syncer.adapters.grafana.gather import BoundedGather
from syncer.adapters.grafana.http.session import GrafanaHttp, Params
from syncer.adapters.grafana.resources import codec
from syncer.adapters.grafana.resources.errors import refine
from syncer.adapters.grafana.resources.head import members_before
from syncer.adapters.grafana.resources.meta import foreign_annotations
from syncer.adapters.grafana.resources.pages import ListPage, MalformedPage
from syncer.model import jsontext
from syncer.model.errors import ConfigError, GrafanaError, NotFound, ServerError
from syncer.model.limits import DEFAULT_CONCURRENCY
from syncer.model.state import JSON

PAGE_SIZE = 500  # objects per list page: ~15 MB of JSON at 30 kB a dashboard
# `syncer run`: a page's text is held twice while it is decoded (~45 MB at 500 realistic dashboards),
# the largest transient of a daemon holding 10,000 of them; its passes run in the background, so
# five times the LIST requests cost it nothing that matters, and a burst of up to 100 changed
# dashboards is then read by name rather than by listing them all (reads.SMALL_SCOPE)
DAEMON_PAGE_SIZE = 100
ANN_GRANT_PERMISSIONS = "grafana.app/grant-permissions"  # create-only request, never stored
GRANT_REFUSED = "may not grant permissions"  # "managed resource may not grant permissions"

Obj = Mapping[str, Any]


class ResourceClient:
    """One namespace of one Grafana's `/apis`."""

    def __init__(
        self,
        http: GrafanaHttp,
        *,
        namespace: str,
        versions: ResourceVersions | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.http = http
        self.namespace = namespace
        self.page_size = page_size
        self._versions = versions
        self._discovery = asyncio.Lock()
        self.gather = BoundedGather(concurrency)  # `fn` over items, at most `concurrency` at a time
        # (kind, uid) -> metadata of the object as last read or written. Only used to carry other
        # tools' annotations and labels over on update, and only while its resourceVersion is current.
        self._seen: dict[tuple[str, str], Obj] = {}
        self._grant_permissions = True

    async def versions(self) -> ResourceVersions:
        """The versions in use: given, or discovered once (`GET /apis`) on first need."""
        async with self._discovery:
            if self._versions is None:
                choice = choose_api(await fetch_catalogue(self.http), RESOURCES)
                if choice.versions is None:  # choose_api raises for RESOURCES; kept for the type
                    raise ConfigError(choice.reason)
                self._versions = choice.versions
            return self._versions

    # ---- paths ---------------------------------------------------------------------------------

    def dashboards_path(self, version: str, name: str = "") -> str:
        base = f"/apis/{DASHBOARD_GROUP}/{version}/namespaces/{self.namespace}/dashboards"
        return f"{base}/{name}" if name else base

    def folders_path(self, versions: ResourceVersions, name: str = "") -> str:
        base = f"/apis/{FOLDER_GROUP}/{versions.folders}/namespaces/{self.namespace}/folders"
        return f"{base}/{name}" if name else base

    @staticmethod
    def route(path: str) -> str:
        """Route template for metrics and messages: namespace and object name replaced."""
        parts = path.split("/")
        if len(parts) > 5 and parts[4] == "namespaces":  # /apis/<group>/<version>/namespaces/<ns>
            parts[5] = ":namespace"
        if len(parts) > 7:  # .../<resource>/<name>
            parts[7] = ":name"
        return "/".join(parts)

    # ---- requests ------------------------------------------------------------------------------

    async def get(self, path: str, *, params: Params | None = None) -> Any:
        try:
            return await self.http.get_json(path, route=self.route(path), params=params)
        except GrafanaError as error:
            raise refine(error) from error

    async def read(self, path: str) -> Obj | None:
        """One object, or None when it does not exist."""
        try:
            obj = await self.get(path)
        except NotFound:
            return None
        if not _is_object(obj):
            # why: read as "absent", a gateway's JSON page would make syncer create what exists
            raise ServerError(
                f"GET {self.route(path)}: HTTP 200 but the body is not a k8s object (no metadata)",
                status=200,
                method="GET",
                route=self.route(path),
            )
        return obj

    async def send(
        self, method: str, path: str, body: JSON, *, creating: bool = False, spec: bool = True
    ) -> Any:
        """The answer, parsed; `spec=False`: the caller needs its metadata only, so the stored spec
        it carries back is left unparsed where the text allows (`head.members_before`)."""
        route = self.route(path)
        try:
            response = await self.http.request(method, path, route=route, json=body)
        except GrafanaError as error:
            raise refine(error, creating=creating) from error
        answer = _answer(response.content, spec=spec)
        if method != "DELETE" and not _is_object(answer):
            # why: a gateway answering 200 with its own page saved nothing; never report it as written
            raise ServerError(
                f"{method} {route}: HTTP {response.status_code} but the body is not the saved k8s object",
                status=response.status_code,
                method=method,
                route=route,
            )
        return answer if answer is not None else {}

    async def create(self, path: str, body: Mapping[str, Any], *, at_root: bool, spec: bool = True) -> Any:
        """POST a new object. At the root, ask Grafana for the default permissions (Editors edit,
        Viewers view) as its own UI does: without them only admins could see what syncer created there.
        Some Grafana versions refuse that request for managed objects; then create without it, and
        stop asking for the rest of the run."""
        if at_root and self._grant_permissions:
            meta = dict(codec.metadata_of(body))
            meta["annotations"] = {**codec.annotations_of(body), ANN_GRANT_PERMISSIONS: "default"}
            try:
                return await self.send("POST", path, {**body, "metadata": meta}, creating=True, spec=spec)
            except GrafanaError as error:
                if GRANT_REFUSED not in str(error):
                    raise
                self._grant_permissions = False
        return await self.send("POST", path, dict(body), creating=True, spec=spec)

    async def delete(self, path: str, resource_version: str | None) -> None:
        # why: the precondition makes a delete optimistic too: an object edited since it was read
        # answers 409 and the executor re-reads instead of deleting someone's fresh edit
        body: JSON = None
        if resource_version:
            body = {
                "kind": "DeleteOptions",
                "apiVersion": "v1",
                "preconditions": {"resourceVersion": resource_version},
            }
        try:
            await self.send("DELETE", path, body)
        except NotFound:
            return  # already gone: the goal is reached

    async def iter_items(self, path: str) -> AsyncGenerator[Obj, None]:
        """Every item of a collection, one at a time: one request per page, following `continue`
        tokens. Only the current page's text and the item handed out are alive; the page is dropped
        before the next one is requested. Numbers come normalised (see pages)."""
        params: dict[str, str | int | list[str]] = {"limit": self.page_size}
        seen_tokens: set[str] = set()
        while True:
            page = await self._page(path, params)
            try:
                for item in page.items():
                    yield item
            except MalformedPage as error:
                raise _not_json(self.route(path), error) from error
            token = page.continue_token
            del page
            if token is None:
                return
            if token in seen_tokens:  # a server bug must not become an endless loop
                raise GrafanaError(f"GET {self.route(path)}: the server repeated a continue token")
            seen_tokens.add(token)
            params = {"limit": self.page_size, "continue": token}

    async def _page(self, path: str, params: Params) -> ListPage:
        route = self.route(path)
        try:
            response = await self.http.request("GET", path, route=route, params=params)
        except GrafanaError as error:
            raise refine(error) from error
        try:
            content = response.content
            return ListPage(content.decode("utf-8"), long_numbers=jsontext.may_hold_long_numbers(content))
        except UnicodeDecodeError as error:
            raise _not_json(route, error) from error

    # ---- last-read cache -------------------------------------------------------------------------

    def remember(self, kind: str, obj: Obj) -> None:
        """Keep what an update must carry over, not the object: the spec may be megabytes, and a
        daemon holds this for every dashboard between passes. Of the annotations only other people's
        (an update re-stamps syncer's own and Grafana sets its own), usually none."""
        meta = codec.metadata_of(obj)
        kept: dict[str, Any] = {
            "metadata": {
                "resourceVersion": meta.get("resourceVersion"),
                "annotations": foreign_annotations(codec.annotations_of(obj)),
                "labels": codec.labels_of(obj),
            }
        }
        description = codec.spec_of(obj).get("description") if kind == "folder" else None
        if isinstance(description, str):
            kept["spec"] = {"description": description}
        key = (kind, str(meta.get("name", "")))
        if self._seen.get(key) != kept:  # unchanged: the daemon's resync keeps the old entry, no new one
            self._seen[key] = kept

    def raw_if_current(self, kind: str, uid: str, resource_version: str | None) -> Obj:
        """What was kept of the object last seen, if it is still the version about to be written
        over, else `{}`."""
        raw = self._seen.get((kind, uid))
        if raw is None or resource_version is None or codec.resource_version(raw) != resource_version:
            return {}
        return raw


def _is_object(answer: object) -> TypeGuard[Obj]:
    """A k8s object (what a create or update answers), not some other JSON."""
    return isinstance(answer, Mapping) and isinstance(answer.get("metadata"), Mapping)


def _not_json(route: str, error: ValueError) -> ServerError:
    """A 2xx listing that is not a JSON object (a proxy's HTML page, a cut body): a server failure,
    reported like any other, never a silently empty listing."""
    return ServerError(f"GET {route}: the list response is not JSON ({error})", method="GET", route=route)


def _answer(content: bytes, *, spec: bool) -> Any:
    """A write's answer: its JSON value, or None when it is not JSON."""
    if not content:
        return {}
    if not spec:
        try:
            head = members_before(content.decode("utf-8"), "spec")
        except UnicodeDecodeError:
            head = None  # the full parse below says what is wrong
        if head is not None and _is_object(head):
            return head
    try:
        return jsontext.loads(content)
    except ValueError:
        return None
