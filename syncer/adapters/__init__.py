"""The outside world behind the ports: `grafana` (HTTP APIs) and `files` (source trees, pull writers).
Used by `syncer.app`, which wires them into the engine; the engine sees only `syncer.ports`.
Adapters must not decide what to do (the planner does) nor import each other (an import contract)."""
