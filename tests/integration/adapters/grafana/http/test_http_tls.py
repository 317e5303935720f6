"""TLS in the shared HTTP layer: verification against --ca-cert, mutual TLS with a client
certificate, refusal of an unknown CA, and --insecure-skip-verify. A small HTTPS server on
loopback with certificates made by the `openssl` command stands in for Grafana behind TLS."""

from __future__ import annotations

import asyncio
import http.server
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from syncer.adapters.grafana.http.session import GrafanaHttp
from syncer.model.errors import Unreachable
from syncer.ports import NullMetrics
from syncer.settings.model import GrafanaSettings

pytestmark = [
    pytest.mark.security,
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed"),
]


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA."""
    d = tmp_path_factory.mktemp("pki")
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=test-ca",
        cwd=d,
    )
    (d / "san.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    for name in ("server", "client"):
        openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            f"{name}.key",
            "-out",
            f"{name}.csr",
            "-subj",
            f"/CN={name}",
            cwd=d,
        )
        extra = ["-extfile", "san.cnf"] if name == "server" else []
        openssl(
            "x509",
            "-req",
            "-in",
            f"{name}.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            f"{name}.pem",
            "-days",
            "2",
            *extra,
            cwd=d,
        )
    return d


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"[]"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


def serve(pki: Path, *, require_client_cert: bool) -> Iterator[str]:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki / "server.pem", pki / "server.key")
    if require_client_cert:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(pki / "ca.pem")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def https_url(pki: Path) -> Iterator[str]:
    yield from serve(pki, require_client_cert=False)


@pytest.fixture
def mtls_url(pki: Path) -> Iterator[str]:
    yield from serve(pki, require_client_cert=True)


def search(**settings: object) -> object:
    async def go() -> object:
        http = GrafanaHttp(
            GrafanaSettings(token=SecretStr("glsa_x"), retries=0, timeout_s=5, **settings),  # type: ignore[arg-type]
            metrics=NullMetrics(),
        )
        try:
            return await http.get_json("/api/search", route="/api/search")
        finally:
            await http.aclose()

    return asyncio.run(go())


def test_verifies_against_the_given_ca(https_url: str, pki: Path) -> None:
    assert search(url=https_url, ca_cert=pki / "ca.pem") == []


def test_refuses_an_unknown_ca(https_url: str) -> None:
    with pytest.raises(Unreachable):
        search(url=https_url)


def test_insecure_skip_verify_connects_and_warns(https_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert search(url=https_url, insecure_skip_verify=True) == []
    assert "verification is DISABLED" in capsys.readouterr().err


def test_mutual_tls_with_a_client_certificate(mtls_url: str, pki: Path) -> None:
    with pytest.raises(Unreachable):
        search(url=mtls_url, ca_cert=pki / "ca.pem")
    ok = search(
        url=mtls_url, ca_cert=pki / "ca.pem", client_cert=pki / "client.pem", client_key=pki / "client.key"
    )
    assert ok == []
