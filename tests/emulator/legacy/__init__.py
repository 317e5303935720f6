"""Tests of `syncer.emulator.legacy`: the `/api` routes."""
