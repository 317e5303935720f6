"""Source trees on disk: walking, .syncignore, parsing JSON/YAML/Jsonnet, loader, watcher, pull writers.
Used by `syncer.app` (loaders, writers) and the daemon (watcher, through a factory).
It must not speak to Grafana (independent of `adapters.grafana`) and never deletes a source file."""
