"""structlog: JSON lines on standard error, with the request id bound per request."""

from __future__ import annotations

import logging
import os
import sys

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


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
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
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        logger_factory=structlog.WriteLoggerFactory(_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,
    )
