"""Use cases with I/O through ports: reconcile (plan+apply), execute, pull, source identity, the daemon.
Used by `syncer.app` and the CLI; it reaches Grafana and files only through `syncer.ports` callables.
It must not import an adapter (the layers contract): `syncer.app` wires adapters in."""
