"""The emulator's own HTTP vocabulary: request/response values and route declarations.

Used by every route package and by `app`, which adapts them to aiohttp; knows no aiohttp, route or app.
"""
