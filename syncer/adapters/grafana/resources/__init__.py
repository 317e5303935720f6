"""`GrafanaPort` on Grafana 12+'s k8s-style resource API, plus `auto` (choosing it by discovery).
Used by `syncer.app` to build the port for `api: resources|auto`.
It must not import the legacy adapter (an import contract): shared pieces live one level up."""
