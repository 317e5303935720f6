"""Every command that talks to Grafana, against every way a server can fail: one line naming the
problem, exit 1, no traceback, and no credential in any encoding.

The server is a misbehaving proxy on loopback: it answers every request with the status under test
and a body that echoes the request's headers back (as some proxies and debug endpoints do), so a
credential that is not scrubbed from error text shows up in the output. `unreachable` is a closed
port, `tls` is `https://` against that plain-HTTP server.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fault.kit import run_syncer, write_tree

pytestmark = pytest.mark.security

TOKEN = "glsa_EchoedBack_5c2b9e1f7a3d4c6b8e0f"
USER, PASSWORD = "admin", "Echo-Pa55word-Q7x"
PAIR_B64 = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
FAILURES = ("401", "403", "500", "unreachable", "tls")
COMMANDS = ("plan", "apply", "pull")
# (--api, credentials): each API with basic auth (the base64 pair is what leaked) and auto with a token
CASES = (("legacy", "basic"), ("resources", "basic"), ("auto", "token"))


class _EchoHandler(BaseHTTPRequestHandler):
    status = 500

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        echoed = "; ".join(f"{k}={v}" for k, v in self.headers.items())
        body = json.dumps({"message": f"upstream failed, request headers: {echoed}"}).encode()
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def echo_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    server.status = 500  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _url(server: ThreadingHTTPServer, failure: str) -> str:
    port = server.server_address[1]
    if failure == "unreachable":
        return f"http://127.0.0.1:{_closed_port()}"
    if failure == "tls":
        return f"https://127.0.0.1:{port}"
    server.status = int(failure)  # type: ignore[attr-defined]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(("api", "credentials"), CASES, ids=[f"{a}-{c}" for a, c in CASES])
@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("command", COMMANDS)
def test_failure_is_one_line_exit_1_no_traceback_no_secret(  # noqa: PLR0917 - pytest parameters
    echo_server: ThreadingHTTPServer, tmp_path: Path, command: str, failure: str, api: str, credentials: str
) -> None:
    source = tmp_path / "src"
    write_tree(source, 2)
    config = tmp_path / "syncer.yaml"
    config.write_text("grafana: {retries: 0, timeout_s: 5}\n", encoding="utf-8")
    auth = ("--token", TOKEN) if credentials == "token" else ("--user", USER, "--password", PASSWORD)
    directory = str(tmp_path / "pulled") if command == "pull" else str(source)
    done = run_syncer(
        command, directory, "--config", str(config), "--url", _url(echo_server, failure), "--api", api, *auth
    )

    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output, output
    for secret in (TOKEN, PASSWORD, PAIR_B64, PAIR_B64.rstrip("="), f"{USER}:{PASSWORD}"):
        assert secret not in output, f"{secret!r} leaked:\n{output}"
    errors = [line for line in done.stderr.splitlines() if line.startswith("syncer: error:")]
    assert len(errors) == 1, output
    expected = {"unreachable": "cannot reach", "tls": "cannot reach"}.get(failure, failure)
    assert expected in errors[0], output
