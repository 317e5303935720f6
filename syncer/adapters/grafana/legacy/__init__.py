"""`GrafanaPort` on Grafana's classic `/api/...` HTTP API, and the library elements client.
Used by `syncer.app` to build the port for `api: legacy` (and by auto when resources are absent).
It must not import the resources adapter (an import contract): shared pieces live one level up."""
