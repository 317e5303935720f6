"""The daemon's own HTTP endpoints: /healthz, /readyz, /metrics (Prometheus), POST /sync.
Used by `syncer.cli.run`, which serves them next to the daemon (the emulator's server is another thing).
They must not apply anything themselves: they read status and wake the daemon through its control."""
