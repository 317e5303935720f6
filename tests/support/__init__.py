"""Test support shared by every suite (importable as `support` because tests/ is on sys.path)."""
