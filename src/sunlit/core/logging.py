"""structlog: JSON lines on standard error, with the request id bound per request. The access
log's line (one per request) is written by :func:`log_request` without structlog's chain, in
the same shape: that chain cost a third of a small request's time (docs/benchmarks.md)."""

from __future__ import annotations

import logging
import os
import sys
from datetime import UTC, datetime

import orjson
import structlog

STDERR = 2


class _CurrentStderr:
    """Standard error as it is when a line is written (not when logging was configured), so
    that redirecting ``sys.stderr`` later, as test harnesses do, still catches every line.
    Each line is one ``write`` of the whole line to the file descriptor, straight away (so
    nothing waits in a buffer when the process dies), with no text layer between: the access
    log line is written on every request."""

    def write(self, text: str) -> int:
        if sys.stderr is not sys.__stderr__:
            return sys.stderr.write(text)
        line = memoryview(text.encode("utf-8", "backslashreplace"))
        while line:  # a pipe may take a long line in parts
            line = line[os.write(STDERR, line) :]
        return len(text)

    def flush(self) -> None:
        if sys.stderr is not sys.__stderr__:
            sys.stderr.flush()


_STDERR = _CurrentStderr()
#: Whether the access log is written, and as JSON (else through structlog's console renderer).
_access = {"on": True, "json": True}


def log_request(
    request_id: str, method: str, path: str, route: str, status: int, ms: float
) -> None:
    """The access log's line for one answered request, as structlog would write it."""
    if not _access["on"]:
        return
    if not _access["json"]:
        structlog.get_logger("sunlit.http").info(
            "request", method=method, path=path, route=route, status=status, ms=ms
        )
        return
    line = {
        "method": method,
        "path": path,
        "route": route,
        "status": status,
        "ms": ms,
        "event": "request",
        "request_id": request_id,
        "level": "info",
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    }
    _STDERR.write(orjson.dumps(line).decode() + "\n")


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    threshold = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    _access.update(on=threshold <= logging.INFO, json=json)
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(threshold),
        logger_factory=structlog.WriteLoggerFactory(_STDERR),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,
    )
