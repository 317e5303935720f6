"""A loopback HTTPS front for the emulator, and throwaway self-signed certificates.

Role: the emulator speaks plain HTTP, so TLS tests put this small TLS-terminating proxy in front
of it: it accepts TLS on 127.0.0.1 with a certificate made at test time by the `openssl` CLI, and
pipes the decrypted bytes to the emulator. A client that refuses the certificate never gets an HTTP
request through, which the tests observe in the emulator's request counters.

Who calls it: tests/security/test_tls.py. Not a product component; never used outside tests.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CertPair:
    cert: Path
    key: Path


def self_signed(directory: Path, *, names: str = "IP:127.0.0.1,DNS:localhost") -> CertPair:
    """A fresh self-signed EC certificate for `names` (subjectAltName syntax), valid one day."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise FileNotFoundError("openssl CLI not found")
    directory.mkdir(parents=True, exist_ok=True)
    pair = CertPair(directory / "cert.pem", directory / "key.pem")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(pair.key),
            "-out",
            str(pair.cert),
            "-days",
            "1",
            "-subj",
            "/CN=syncer-test",
            "-addext",
            f"subjectAltName={names}",
        ],
        check=True,
        capture_output=True,
    )
    return pair


class TlsProxy:
    """TLS on a free loopback port -> plain TCP to `upstream_port`. Counts failed handshakes."""

    def __init__(self, upstream_port: int, pair: CertPair) -> None:
        self._upstream_port = upstream_port
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(pair.cert, pair.key)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self.url = f"https://127.0.0.1:{self.port}"
        self.failed_handshakes = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        try:
            secure = self._context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            self.failed_handshakes += 1  # the client refused our certificate (or gave up)
            conn.close()
            return
        upstream = socket.create_connection(("127.0.0.1", self._upstream_port), timeout=30)
        threading.Thread(target=_pump, args=(upstream, secure), daemon=True).start()
        _pump(secure, upstream)

    def close(self) -> None:
        self._stopping.set()
        self._listener.close()
        self._thread.join(timeout=5)


def _pump(source: socket.socket, sink: socket.socket) -> None:
    """Copy bytes until either side closes, then close both (the other pump then ends too)."""
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.close()
