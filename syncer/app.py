"""Composition root: the one place that builds real adapters from settings (filled in by issue 3)."""
