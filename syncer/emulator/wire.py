"""HTTP/1.1 request framing for the emulator: request line, headers, body.

Role: `server.py`'s handler calls `parse_head` instead of the stdlib's email-based header
parser (which costs more than the whole dashboard GET) and `read_body` for Content-Length or
chunked bodies. Pure functions over a binary file object; no routing, no auth.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BufferedIOBase

MAX_LINE = 65536
MAX_HEADERS = 100


class FramingError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class RequestHead:
    method: str
    target: str
    version: str
    headers: dict[str, str]  # lower-cased names; a repeated header keeps its last value

    @property
    def keep_alive(self) -> bool:
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return connection == "keep-alive"
        return connection != "close"


def parse_head(request_line: bytes, rfile: BufferedIOBase) -> RequestHead:
    parts = request_line.decode("iso-8859-1").split()
    if len(parts) != 3:
        raise FramingError(400, "bad request line")
    method, target, version = parts
    if not version.startswith("HTTP/1."):
        raise FramingError(505, "HTTP version not supported")
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADERS + 1):
        raw = rfile.readline(MAX_LINE + 1)
        if len(raw) > MAX_LINE:
            raise FramingError(431, "header line too long")
        if raw in (b"\r\n", b"\n", b""):
            return RequestHead(method, target, version, headers)
        name, sep, value = raw.decode("iso-8859-1").partition(":")
        if not sep:
            raise FramingError(400, "malformed header")
        headers[name.strip().lower()] = value.strip()
    raise FramingError(431, "too many headers")


def read_body(head: RequestHead, rfile: BufferedIOBase) -> bytes:
    if head.headers.get("transfer-encoding", "").lower() == "chunked":
        return _read_chunked(rfile)
    try:
        length = int(head.headers.get("content-length") or 0)
    except ValueError:
        raise FramingError(400, "bad Content-Length") from None
    return rfile.read(length) if length > 0 else b""


def _read_chunked(rfile: BufferedIOBase) -> bytes:
    chunks: list[bytes] = []
    while True:
        size_line = rfile.readline(MAX_LINE).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise FramingError(400, "bad chunk size") from None
        if size == 0:
            while rfile.readline(MAX_LINE) not in (b"\r\n", b"\n", b""):
                pass  # trailers are ignored
            return b"".join(chunks)
        chunks.append(rfile.read(size))
        rfile.readline(MAX_LINE)
