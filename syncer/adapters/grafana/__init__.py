"""Grafana over HTTP: `http` (client, retries), discovery, markers, and two ports: `legacy` and `resources`.
Used by `syncer.app`, which builds the port for the configured `api`; the CLI reads its errors.
It must not read source files (independent of `adapters.files`) nor plan: it does what it is told."""
