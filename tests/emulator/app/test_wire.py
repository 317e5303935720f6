"""HTTP framing over raw sockets: keep-alive, chunked bodies, Expect: 100-continue, bad requests."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

from support.emulator import Emulator


def connect(emulator: Emulator) -> socket.socket:
    parts = urlsplit(emulator.url)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before a response")
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        rest += sock.recv(65536)
    return status, headers, rest[:length]


def auth_line(emulator: Emulator) -> bytes:
    return f"Authorization: Bearer {emulator.token}\r\n".encode()


def test_many_requests_on_one_keep_alive_connection(emulator: Emulator) -> None:
    with connect(emulator) as sock:
        for _ in range(20):
            sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
            status, headers, body = read_response(sock)
            assert status == 200 and json.loads(body)["database"] == "ok"
            assert headers["content-length"] == str(len(body))


def test_chunked_request_body(emulator: Emulator) -> None:
    payload = json.dumps({"dashboard": {"uid": "chunked", "title": "Chunked"}}).encode()
    half = len(payload) // 2
    chunks = b"".join(
        f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (payload[:half], payload[half:])
    )
    request = (
        b"POST /api/dashboards/db HTTP/1.1\r\nHost: x\r\n"
        + auth_line(emulator)
        + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + chunks
        + b"0\r\n\r\n"
    )
    with connect(emulator) as sock:
        sock.sendall(request)
        status, _, body = read_response(sock)
    assert status == 200, body
    assert json.loads(body)["uid"] == "chunked"


def test_expect_100_continue(emulator: Emulator) -> None:
    payload = json.dumps({"dashboard": {"uid": "cont", "title": "Continue"}}).encode()
    with connect(emulator) as sock:
        sock.sendall(
            b"POST /api/dashboards/db HTTP/1.1\r\nHost: x\r\n"
            + auth_line(emulator)
            + f"Content-Length: {len(payload)}\r\nExpect: 100-continue\r\n\r\n".encode()
        )
        interim = sock.recv(64)
        assert interim.startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(payload)
        status, _, _ = read_response(sock)
    assert status == 200


def test_http_1_0_closes_after_the_response(emulator: Emulator) -> None:
    with connect(emulator) as sock:
        sock.sendall(b"GET /api/health HTTP/1.0\r\n\r\n")
        status, _, _ = read_response(sock)
        assert status == 200
        assert sock.recv(10) == b""


def test_malformed_request_line_is_400(emulator: Emulator) -> None:
    """Answered by the HTTP server before any handler, in plain text, as Go's net/http does for
    Grafana (so not Grafana's JSON `message` body: no Grafana handler ever sees such a request)."""
    with connect(emulator) as sock:
        sock.sendall(b"NONSENSE\r\n\r\n")
        status, headers, body = read_response(sock)
    assert status == 400 and headers["content-type"].startswith("text/plain") and body


def test_head_request_has_no_body(emulator: Emulator) -> None:
    with connect(emulator) as sock:
        sock.sendall(b"HEAD /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        data = sock.recv(65536)
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and rest == b""
