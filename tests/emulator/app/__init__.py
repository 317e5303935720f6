"""Tests of `syncer.emulator.app`: auth, process lifecycle, HTTP framing on the wire."""
