"""A Grafana-compatible HTTP API server (legacy `/api`, k8s-style `/apis`), in memory, for tests and CI.

Used by syncer's tests, demo and benchmarks (`cli` runs `app.lifecycle.run`); imports nothing else of syncer.
"""
