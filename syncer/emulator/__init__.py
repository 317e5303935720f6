"""A Grafana-compatible HTTP API server (legacy `/api`, k8s-style `/apis`), in memory, for tests and CI.

Used by syncer's tests, demo and benchmarks; `cli` starts it (`app.lifecycle.run`); see docs/emulator.md.
Stands alone: it must import nothing from the rest of syncer (the client it tests).
"""
