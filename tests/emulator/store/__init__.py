"""Tests of `syncer.emulator.store`: stored bytes, the content codec and Go-compatible JSON."""
