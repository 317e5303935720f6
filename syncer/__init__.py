"""syncer: keep Grafana dashboards equal to a directory of dashboard files."""

__version__ = "0.1.0"
