"""Jsonnet sources: finding `.jsonnet` entry points, their import tree, and evaluating them (rjsonnet).
Used by the file loader and the watcher (which files a change affects).
It must not touch Grafana nor write files."""
