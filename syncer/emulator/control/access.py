"""Who may use the test-control API (`/__emulator/*`): loopback clients, or the control token.

Role: `app/server.py` asks `refusal` before every control request. The control API can wipe the
store and inject faults, so an emulator bound to a non-loopback address must not hand it to
anyone who can reach the port: without `--control-token` only loopback peers are served (403
for others); with it, every control request must carry `Authorization: Bearer <control token>`
(401 otherwise), wherever it comes from. The token is compared in constant time and never
echoed.
"""

from __future__ import annotations

import hmac
import ipaddress

from syncer.emulator.config import EmulatorConfig
from syncer.emulator.web.values import Response, message_response

LOOPBACK_ONLY = (
    "the emulator's control API answers loopback clients only; "
    "start the emulator with --control-token to use it from elsewhere"
)
TOKEN_NEEDED = "the emulator's control API needs its control token (Authorization: Bearer <control token>)"


def refusal(config: EmulatorConfig, remote: str | None, authorization: str) -> Response | None:
    """None when the caller may use the control API, else the response that refuses it."""
    if config.control_token is not None:
        scheme, _, presented = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            presented.strip().encode(), config.control_token.encode()
        ):
            return None
        return message_response(401, TOKEN_NEEDED)
    return None if is_loopback(remote) else message_response(403, LOOPBACK_ONLY)


def is_loopback(remote: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and IPv4-mapped loopback; False for anything unparsable."""
    if not remote:
        return False
    try:
        address = ipaddress.ip_address(remote.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback
