"""One page of a k8s list response (`{"kind": ..., "metadata": {...}, "items": [...]}`), decoded one
item at a time.

Who calls it: `client.ResourceClient.iter_items` for every listing. Why not `json.loads` of
the page: a page holds up to 500 dashboards (tens of MB of JSON); decoded at once it costs about three
times its text in Python objects, and a 10,000-dashboard resync held every page's objects at once
(1.6 GB). Here only the page's text and the one item being handed out are alive; the caller turns
each item into its compact live form before asking for the next. Pure: no I/O. It must not
interpret items (the codec does).

Numbers come out as a float64 round trip leaves them (`core.jsonvalues.normalise_numbers`): the
decoder turns an integral float into an int as it reads it (a hook called for floats only), and
integers of 16 digits or more too when the page may hold one. So an item's checksum needs no
second walk over every value (`numbers_normal`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from syncer.core.jsonvalues import normalise_number

_SPACE = re.compile(r"[ \t\n\r]*")


def _go_float(text: str) -> float | int:
    return normalise_number(float(text))


def _go_int(text: str) -> float | int:
    return normalise_number(int(text))


_DECODER = json.JSONDecoder(parse_float=_go_float)
_DECODER_LONG_NUMBERS = json.JSONDecoder(parse_float=_go_float, parse_int=_go_int)


class MalformedPage(ValueError):
    """The text is not a JSON object (a proxy's HTML page, a truncated body)."""


class ListPage:
    """Iterate `items()` once; `continue_token` is known once the iteration has ended (k8s servers
    send `metadata` first, but JSON does not promise an order)."""

    def __init__(self, text: str, *, long_numbers: bool = True) -> None:
        """`long_numbers`: the text may hold an integer of 16 digits or more (see
        `jsontext.may_hold_long_numbers`); then every integer goes through a hook, else none."""
        self._text = text
        self._decoder = _DECODER_LONG_NUMBERS if long_numbers else _DECODER
        self._pos = 0
        self.continue_token: str | None = None

    def items(self) -> Iterator[Mapping[str, Any]]:
        """Each object of the top-level `items` array (other entries are skipped), in order."""
        self._expect("{")
        if self._peek() == "}":
            return
        listed = False  # why: an object with other keys but no `items` (a gateway's error) is no list
        while True:
            key = self._value()
            self._expect(":")
            listed = listed or key == "items"
            if key == "items" and self._peek() == "[":
                yield from self._array_items()
            else:
                self._note(key, self._value())
            if self._separator("}"):
                break
        if not listed:
            raise MalformedPage('the JSON object has no "items": not a list response')
        self._text = ""  # why: release the page as soon as it is consumed, not when the caller drops us

    def _array_items(self) -> Iterator[Mapping[str, Any]]:
        self._expect("[")
        if self._peek() == "]":
            self._pos += 1
            return
        while True:
            item = self._value()
            if isinstance(item, Mapping):
                yield item
            if self._separator("]"):
                return

    def _note(self, key: object, value: object) -> None:
        if key == "metadata" and isinstance(value, Mapping):
            token = value.get("continue")
            self.continue_token = str(token) if token else None

    def _value(self) -> Any:
        try:
            value, self._pos = self._decoder.raw_decode(self._text, self._skip_space())
        except ValueError as error:
            raise MalformedPage(str(error)) from error
        return value

    def _peek(self) -> str:
        self._pos = self._skip_space()
        return self._text[self._pos : self._pos + 1]

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            raise MalformedPage(f"expected {char!r} at offset {self._pos}")
        self._pos += 1

    def _separator(self, closing: str) -> bool:
        """Consume `,` (False: more follow) or `closing` (True: the container ended)."""
        char = self._peek()
        if char not in (",", closing):
            raise MalformedPage(f"expected ',' or {closing!r} at offset {self._pos}")
        self._pos += 1
        return char == closing

    def _skip_space(self) -> int:
        match = _SPACE.match(self._text, self._pos)
        return match.end() if match else self._pos
