"""The `/__emulator/` test-control API: its routes, who may call it, and the CLI's client for it.

Registered by `app.server`, client used by `cli`; tests and benchmarks drive the emulator through it.
"""
