"""TLS verification is on by default: a self-signed Grafana certificate is refused unless it is
trusted with `--ca-cert`; a certificate for another host name is refused even then;
`--insecure-skip-verify` connects but warns loudly. A refused connection never carries a request
(so never the token): the emulator behind the TLS proxy counts zero requests.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault.kit import API, assert_server_has, run_syncer, running_daemon, wait_for, write_tree
from support.emulator import Emulator

from security.tls_proxy import CertPair, TlsProxy, self_signed

pytestmark = [
    pytest.mark.security,
    pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI to make a certificate"),
]


@pytest.fixture
def pair(tmp_path: Path) -> CertPair:
    return self_signed(tmp_path / "tls")


@pytest.fixture
def proxy(emulator: Emulator, pair: CertPair) -> Iterator[TlsProxy]:
    port = int(emulator.url.rsplit(":", 1)[1])
    front = TlsProxy(port, pair)
    try:
        yield front
    finally:
        front.close()


def syncer(command: str, source: Path, url: str, token: str, *extra: str) -> tuple[int, str]:
    done = run_syncer(command, str(source), "--url", url, "--token", token, *API, *extra, timeout=180)
    output = done.stdout + done.stderr
    assert token not in output
    return done.returncode, output


def test_self_signed_certificate_is_refused_by_default(
    emulator: Emulator, proxy: TlsProxy, tmp_path: Path
) -> None:
    write_tree(tmp_path / "src", 2)

    code, output = syncer("apply", tmp_path / "src", proxy.url, emulator.token)

    assert code == 1, output
    assert "certificate" in output.lower() or "verify" in output.lower(), output
    assert "Traceback" not in output
    assert proxy.failed_handshakes >= 1
    assert emulator.requests()["total"] == 0, "no request may pass an unverified connection"


def test_self_signed_certificate_is_accepted_with_ca_cert(
    emulator: Emulator, proxy: TlsProxy, pair: CertPair, tmp_path: Path
) -> None:
    expected = write_tree(tmp_path / "src", 3)

    code, output = syncer("apply", tmp_path / "src", proxy.url, emulator.token, "--ca-cert", str(pair.cert))

    assert code == 0, output
    assert_server_has(emulator, expected)


def test_certificate_for_another_host_is_refused_even_when_trusted(
    emulator: Emulator, tmp_path: Path
) -> None:
    wrong = self_signed(tmp_path / "wrong", names="DNS:grafana.other.example")
    port = int(emulator.url.rsplit(":", 1)[1])
    front = TlsProxy(port, wrong)
    try:
        write_tree(tmp_path / "src", 1)
        code, output = syncer(
            "plan", tmp_path / "src", front.url, emulator.token, "--ca-cert", str(wrong.cert)
        )
    finally:
        front.close()
    assert code == 1, output
    assert emulator.requests()["total"] == 0


def test_insecure_skip_verify_connects_and_warns(emulator: Emulator, proxy: TlsProxy, tmp_path: Path) -> None:
    expected = write_tree(tmp_path / "src", 2)

    code, output = syncer("apply", tmp_path / "src", proxy.url, emulator.token, "--insecure-skip-verify")

    assert code == 0, output
    assert "insecure" in output.lower() or "verif" in output.lower(), "skipping verification must warn"
    assert_server_has(emulator, expected)


def test_daemon_refuses_untrusted_tls_and_accepts_trusted(
    emulator: Emulator, proxy: TlsProxy, pair: CertPair, tmp_path: Path
) -> None:
    expected = write_tree(tmp_path / "src", 2)
    log = tmp_path / "untrusted.log"
    with running_daemon(emulator, tmp_path / "src", log, "--interval", "1", url=proxy.url) as daemon:
        wait_for(lambda: proxy.failed_handshakes >= 1, timeout=30, what="a refused handshake")
        assert not daemon.ready()
        assert daemon.alive()
    assert emulator.requests()["total"] == 0

    log = tmp_path / "trusted.log"
    with running_daemon(
        emulator, tmp_path / "src", log, "--ca-cert", str(pair.cert), url=proxy.url
    ) as daemon:
        wait_for(daemon.ready, timeout=60, what="daemon ready over verified TLS")
    assert_server_has(emulator, expected)
