"""The aiohttp application: server and routing adapter, auth, faults, counters, process lifecycle.

Started by `cli`; the wiring: the only package that imports both route packages, `legacy` and `resources`.
"""
