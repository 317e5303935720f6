"""Request bodies from the kept text of a desired dashboard, without parsing it again.

Who calls it: the legacy save body (legacy/body.py) and the resources adapter's `spec`. Why: a pass
keeps every desired dashboard as compressed compact JSON; parsing it again only to add or drop a few
top-level members, then encoding it again, cost more CPU on a cold apply than the HTTP exchange
itself (docs/benchmarks.md). The loader keeps `uid` (and `id`, when the file had one) as the last
members of that text and never keeps `version` or the ownership marker, so both bodies are the kept
text with a known ending replaced. A text that does not end that way (a content resolved from
`__inputs`, a v2 spec) gets None, and the caller builds the body from the parsed content as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syncer.model import jsontext
from syncer.model.state import CompactJSON


def without_identity(content: Mapping[str, Any], uid: str) -> tuple[bytes, bool] | None:
    """The kept text of `content` without its trailing `uid` (and `id`) members, and whether it had
    an `id`; None when `content` is not kept text ending in exactly those members.

    A compact object's text ending in `,"uid":U}` or `,"uid":U,"id":null}` holds them as its last
    top-level members: only one closing brace follows, so nothing nested ends there, and the keys of
    an object are unique."""
    if not isinstance(content, CompactJSON):
        return None
    text = content.json_bytes()
    member = b',"uid":' + jsontext.dumps(uid)
    for ending, had_id in ((member + b"}", False), (member + b',"id":null}', True)):
        if text.endswith(ending):
            return text[: -len(ending)] + b"}", had_id
    return None
