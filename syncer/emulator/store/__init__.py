"""The emulator's state and the one place it is written: records, ids, managers, writes, codecs, dumps.

Used by the route packages, `control` and `app`; must not import routes or the app (it knows no HTTP).
"""
