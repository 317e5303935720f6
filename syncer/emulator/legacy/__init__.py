"""Grafana's legacy `/api` routes: dashboards, folders, search, versions, library elements, misc.

Registered by `app.server`; works on `store` through `config`'s context; must not import `resources`.
"""
