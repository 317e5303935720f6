"""A Grafana-compatible HTTP API server (legacy `/api` and k8s-style `/apis`), in memory.

Used by every syncer test, the demo and the benchmarks, and by users in their own CI.
It stands alone: it imports nothing from the rest of syncer (the client it tests).
Entry point: `syncer.emulator.lifecycle.run(EmulatorConfig(...))`; see docs/emulator.md.
"""
