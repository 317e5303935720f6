"""Fault injection: latency, error statuses, dropped connections and "down" periods.

Role: `app/server.py` asks `FaultBook.decide` before routing every API request (faults act like a
broken proxy in front of Grafana, so they apply before authentication); `control/routes.py` edits the
rules. Rules are consumed in order; a rule with `count` stops after that many hits.
Thread-safe; knows nothing about HTTP beyond the numbers it returns.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

DOWN_MODES = ("close", "503")


class FaultRuleError(ValueError):
    pass


@dataclass(frozen=True)
class FaultDecision:
    latency_s: float = 0.0
    status: int | None = None
    retry_after: float | None = None
    message: str | None = None
    drop: bool = False


@dataclass
class FaultRule:
    route: str = "*"  # "*", "METHOD /template", "/template" (any method) or "METHOD *"
    status: int | None = None
    count: int | None = None  # None = until cleared
    retry_after: float | None = None
    latency_ms: int = 0
    drop: bool = False
    down_until: float | None = None  # monotonic deadline of a down period
    down_mode: str = "close"
    message: str | None = None
    hits: int = 0

    def matches(self, method: str, template: str) -> bool:
        if self.route in ("*", ""):
            return True
        want_method, _, want_path = self.route.partition(" ")
        if not want_path:
            return self.route == template
        return want_method.upper() in (method, "*") and want_path in (template, "*")

    @property
    def decisive(self) -> bool:
        """True for rules that refuse the request (status, drop, down), not only delay it."""
        return self.status is not None or self.drop or self.down_until is not None

    def consume(self) -> None:
        self.hits += 1
        if self.count is not None:
            self.count -= 1

    def decision(self, latency_s: float) -> FaultDecision:
        if self.down_until is not None:
            return FaultDecision(latency_s, 503, None, "Service Unavailable", drop=self.down_mode == "close")
        return FaultDecision(latency_s, self.status, self.retry_after, self.message, self.drop)

    def describe(self) -> dict[str, Any]:
        document: dict[str, Any] = {"route": self.route, "hits": self.hits}
        for key in ("status", "count", "retry_after", "message"):
            if getattr(self, key) is not None:
                document[key] = getattr(self, key)
        if self.latency_ms:
            document["latency_ms"] = self.latency_ms
        if self.drop:
            document["drop"] = True
        if self.down_until is not None:
            document["down_for_s"] = round(max(self.down_until - time.monotonic(), 0.0), 3)
            document["mode"] = self.down_mode
        return document


def _number(document: dict[str, Any], key: str) -> float | None:
    value = document.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise FaultRuleError(f"{key} must be a non-negative number")
    return float(value)


def parse_rule(document: object) -> FaultRule:
    if not isinstance(document, dict):
        raise FaultRuleError("each fault rule must be a JSON object")
    unknown = set(document) - {
        "route",
        "status",
        "count",
        "retry_after",
        "latency_ms",
        "drop",
        "down_for_s",
        "mode",
        "message",
    }
    if unknown:
        raise FaultRuleError(f"unknown fault keys: {sorted(unknown)}")
    status, count, down = (
        _number(document, "status"),
        _number(document, "count"),
        _number(document, "down_for_s"),
    )
    rule = FaultRule(
        route=str(document.get("route", "*")),
        status=int(status) if status is not None else None,
        count=int(count) if count is not None else None,
        retry_after=_number(document, "retry_after"),
        latency_ms=int(_number(document, "latency_ms") or 0),
        drop=bool(document.get("drop", False)),
        down_until=time.monotonic() + down if down is not None else None,
        down_mode=str(document.get("mode", "close")),
        message=str(document["message"]) if "message" in document else None,
    )
    if rule.status is not None and not 100 <= rule.status <= 599:
        raise FaultRuleError("status must be an HTTP status code")
    if rule.down_mode not in DOWN_MODES:
        raise FaultRuleError(f"mode must be one of {DOWN_MODES}")
    if not (rule.status or rule.latency_ms or rule.drop or rule.down_until is not None):
        raise FaultRuleError("a rule needs status, latency_ms, drop or down_for_s")
    return rule


@dataclass
class FaultBook:
    rules: list[FaultRule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, rules: list[FaultRule]) -> None:
        with self._lock:
            self.rules.extend(rules)

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            self._expire()
            return [rule.describe() for rule in self.rules]

    def decide(self, method: str, template: str) -> FaultDecision | None:
        """What to do with this request: None (serve it) or a delay and/or a refusal.

        The first matching status/drop/down rule decides the outcome; latency rules that match
        all add their delay. Only applied rules are counted and consume their `count`.
        """
        if not self.rules:  # the common case: no lock, no work
            return None
        with self._lock:
            self._expire()
            matching = [rule for rule in self.rules if rule.matches(method, template)]
            decisive = next((rule for rule in matching if rule.decisive), None)
            applied = [rule for rule in matching if rule is decisive or not rule.decisive]
            for rule in applied:
                rule.consume()
            latency = sum(rule.latency_ms for rule in applied) / 1000
            self._expire()
        if decisive is None:
            return FaultDecision(latency_s=latency) if latency else None
        return decisive.decision(latency)

    def _expire(self) -> None:
        now = time.monotonic()
        self.rules = [
            rule
            for rule in self.rules
            if (rule.count is None or rule.count > 0) and (rule.down_until is None or rule.down_until > now)
        ]
