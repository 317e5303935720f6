"""The daemon (`syncer run`): per-target loop, trigger coalescing, backoff, status and reports.
Used by `syncer.cli.run` and the endpoints (through the control object); it calls the engine and ports.
It must not parse files or speak HTTP itself: adapters do that, injected by `syncer.app`."""
