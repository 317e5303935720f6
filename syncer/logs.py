"""structlog configuration for every syncer process, with a processor that redacts secrets.

Who calls it: the CLI entry points (`syncer run` first of all) call `configure_logging` once at start-up;
every other module only does `log = logs.get_logger(__name__)` and logs key/value events.
Why `get_logger` here and not structlog's: structlog is imported on the first log call, not at
import. Importing it imports `rich` wherever rich is installed (45 ms of a one-shot command's
start-up, measured with `python -X importtime`), and a one-shot command that logs nothing need not.
Output: JSON lines when stdout is not a terminal (containers, CI, tests), a readable console renderer on
a terminal. It must not import anything from the rest of syncer (it sits outside the layers and any layer
may use it) and must never let a token or password reach the output.
"""

from __future__ import annotations

import base64
import logging
import re
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from structlog.typing import EventDict, Processor, WrappedLogger

REDACTED = "[REDACTED]"
# Very short strings would mask ordinary words; real tokens and passwords are longer.
_MIN_SECRET = 6

# Keys whose values are secrets whatever they hold.
_SECRET_KEY = re.compile(r"(token|password|passwd|secret|authorization|api[_-]?key|cookie)", re.IGNORECASE)
# Secrets that sneak into free text (exception messages, URLs): bearer credentials, Grafana service-account
# tokens, basic-auth userinfo in URLs.
_SECRET_TEXT = (
    (re.compile(r"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 " + REDACTED),
    (
        re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(?!bearer\b|basic\b)[^\s\"',;]+"),
        r"\1" + REDACTED,
    ),
    (re.compile(r"\bglsa_[A-Za-z0-9_]+"), REDACTED),
    (re.compile(r"\bglc_[A-Za-z0-9_=+/-]+"), REDACTED),
    (re.compile(r"(https?://)[^/\s:@]+:[^/\s@]+@"), r"\1" + REDACTED + "@"),
)


def credential_forms(token: str | None, user: str | None, password: str | None) -> list[str]:
    """Every spelling in which a credential can come back in a server's answer or an exception:
    the token, the password, `user:password` and its base64 (standard and URL-safe, with and
    without padding) as a Basic `Authorization` header carries it. Longest first, so a replacement
    never leaves a tail of a longer form behind."""
    forms = {token or "", password or ""}
    if user and password:
        pair = f"{user}:{password}".encode()
        forms.add(pair.decode())
        for encoded in (base64.b64encode(pair), base64.urlsafe_b64encode(pair)):
            text = encoded.decode("ascii")
            forms.update({text, text.rstrip("=")})
    return sorted((f for f in forms if len(f) >= _MIN_SECRET), key=len, reverse=True)


def scrub_text(text: str, secrets: list[str]) -> str:
    """`text` with each of `secrets` and every secret-looking pattern masked."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    for pattern, replacement in _SECRET_TEXT:
        text = pattern.sub(replacement, text)
    return text


class SecretRedactor:
    """A structlog processor: masks secret-looking keys, known secret values and secret patterns in text.

    Known values are registered by whoever reads a credential (e.g. the daemon after reading a token file),
    so a token that appears in an unexpected place (an upstream error message) is still masked.
    """

    def __init__(self) -> None:
        self._known: set[str] = set()

    def register(self, secret: str | None) -> None:
        if secret and len(secret) >= _MIN_SECRET:
            self._known.add(secret)

    def register_credentials(self, token: str | None, user: str | None, password: str | None) -> None:
        for form in credential_forms(token, user, password):
            self.register(form)

    def scrub(self, text: str) -> str:
        return scrub_text(text, sorted(self._known, key=len, reverse=True))

    def _value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, BaseException):
            return self.scrub(f"{type(value).__name__}: {value}")
        if isinstance(value, dict):
            return {k: REDACTED if _is_secret_key(k) else self._value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._value(v) for v in value]
        return value

    def __call__(self, logger: WrappedLogger, method: str, event: EventDict) -> EventDict:
        for key in list(event):
            event[key] = REDACTED if _is_secret_key(key) else self._value(event[key])
        return event


def _is_secret_key(key: object) -> bool:
    return isinstance(key, str) and bool(_SECRET_KEY.search(key)) and key not in _NOT_SECRET_KEYS


# Field names that contain a secret-ish word but hold no secret (e.g. the *path* of a token file).
_NOT_SECRET_KEYS = frozenset({"token_file", "sync_token_file", "token_source"})

redactor = SecretRedactor()


def configure_logging(level: str = "info", fmt: str = "auto", stream: TextIO | None = None) -> None:
    """Route structlog (and stdlib logging from libraries) to `stream` (default stdout).

    fmt: "json", "console", or "auto" (console when the stream is a terminal, JSON otherwise).
    """
    import structlog

    stream = stream or sys.stdout
    use_console = fmt == "console" or (fmt == "auto" and stream.isatty())
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    renderer: Processor = (
        structlog.dev.ConsoleRenderer(colors=stream.isatty())
        if use_console
        else structlog.processors.JSONRenderer(sort_keys=False)
    )
    processors: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _format_exc_info_safely,
        redactor,
        renderer,
    ]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
    # Libraries (apscheduler, watchdog, httpx) log through stdlib logging; keep them quiet and one-line.
    logging.basicConfig(
        level=max(numeric, logging.WARNING), stream=sys.stderr, format="%(name)s: %(message)s"
    )
    for noisy in ("apscheduler", "watchdog", "httpx", "httpcore", "aiohttp"):
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING))


def _format_exc_info_safely(logger: WrappedLogger, method: str, event: EventDict) -> EventDict:
    """Render `exc_info` to text before redaction, so tracebacks are scrubbed like everything else."""
    if event.get("exc_info"):
        from structlog.processors import format_exc_info

        return format_exc_info(logger, method, event)
    return event


def bind_context(**values: Any) -> None:
    """Bind key/values to every log line of the current task (e.g. target=...)."""
    from structlog.contextvars import bind_contextvars

    bind_contextvars(**values)


def note(logger: Any, level: str, event: str, *, plain: str | None = None, **fields: Any) -> None:
    """One event, said where it can be heard: a structured line where logging is configured (the
    daemon), else `plain` on stderr (one-shot commands keep stdout for their report), else nothing.
    Why here: adapters log from both kinds of process and must not write to a one-shot's stdout."""
    if is_configured():
        getattr(logger, level)(event, **fields)
    elif plain is not None:
        print(plain, file=sys.stderr, flush=True)


def is_configured() -> bool:
    """Whether `configure_logging` ran in this process (structlog is imported by then)."""
    structlog = sys.modules.get("structlog")
    return structlog is not None and bool(structlog.is_configured())


def get_logger(name: str) -> Any:
    """A logger for `name` that imports structlog on its first call (see the module doc)."""
    return _DeferredLogger(name)


class _DeferredLogger:
    __slots__ = ("_logger", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._logger: Any = None

    def __getattr__(self, attribute: str) -> Any:
        if self._logger is None:
            import structlog

            self._logger = structlog.get_logger(self._name)
        return getattr(self._logger, attribute)
