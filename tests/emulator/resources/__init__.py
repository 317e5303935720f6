"""Tests of `syncer.emulator.resources`: the k8s-style `/apis` routes."""
