"""Writing live Grafana content into a source tree (`syncer pull`): layout, placement, names, writers.
Used by `syncer.engine.pull` through callables wired in `syncer.app`.
It must not overwrite a file it did not place, nor decide what to pull (the engine does)."""
