"""Grafana's k8s-style `/apis` routes ("resources", as the client's `--api resources` calls them).

Registered by `app.server`; works on `store` through `config`'s context; must not import `legacy`.
"""
