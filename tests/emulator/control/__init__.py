"""Tests of `syncer.emulator.control`: the `/__emulator/` API, fault rules, its access rule, limits."""
