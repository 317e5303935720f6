"""Reading Grafana's data sources (for `${DS_*}` input resolution), shared by both adapters.

The classic `/api/datasources` endpoint is used by the resources adapter too: the data source
resource API is not on every 12.x server, and this endpoint is.
"""

from __future__ import annotations

from syncer.adapters.grafana.http.session import GrafanaHttp
from syncer.ports import DataSource


async def list_datasources(http: GrafanaHttp) -> list[DataSource]:
    items = await http.get_json("/api/datasources", route="/api/datasources")
    return [
        DataSource(
            uid=str(i.get("uid", "")),
            name=str(i.get("name", "")),
            type=str(i.get("type", "")),
            is_default=bool(i.get("isDefault", False)),
        )
        for i in items
        if isinstance(i, dict)
    ]
