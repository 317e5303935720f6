"""A data source as far as `__inputs` resolution cares: identity, name and plugin type.

Pure value. The engine converts `syncer.ports.DataSource` (read from Grafana) into this, so the core
never depends on the ports layer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataSourceRef:
    uid: str
    name: str
    type: str  # plugin id, e.g. "prometheus"
    is_default: bool = False  # Grafana's default data source wins among several of one type
