"""How hard syncer may press one Grafana: shared by the settings, the CLI's help and the adapters.

A leaf with no imports, so that `syncer --help` can show the default without loading the model.
"""

DEFAULT_CONCURRENCY = 10
"""Requests to one Grafana at once, unless `sync.concurrency` says otherwise. Why 10: it is what
grafanactl (`--max-concurrent`) and Terraform (`-parallelism`) use, so Grafanas that take those take
this; and a run waits mostly on latency. A cold apply of 500 dashboards in 287 folders at 25 ms per
request took 3.76 s at 8, 3.16 s at 10 and 2.38 s at 16 (2026-12-07, docs/benchmarks.md). Lower it
for a Grafana on SQLite that answers "database is locked"."""
