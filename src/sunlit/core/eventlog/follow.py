"""For a reader that follows the event log with its own cursor (the notifications follower,
the open-data publisher).

On PostgreSQL a ``seq`` can commit after a higher one (two writers at once): a reader that
moved its cursor past a gap would skip the event that fills it. So a reader stops at a gap and
waits for it up to ``wait`` seconds, then passes it (a rolled-back insert leaves a gap for
good). SQLite has one writer at a time, so no gaps."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field

from sunlit.core.eventlog.model import Event


@dataclass
class GapWait:
    wait: float = 30.0
    since: dict[int, float] = field(default_factory=dict)  # seq -> when first waited for

    def in_order(self, batch: Sequence[tuple[int, Event]], at: int) -> Iterator[tuple[int, Event]]:
        """The events of ``batch`` (from ``events_after(db, at)``) that may be read now, in
        order: up to a gap that has not been waited for long enough."""
        for seq, event in batch:
            if seq != at + 1 and not self._passed(at + 1):
                return
            self.since.pop(seq, None)  # a gap waited for that has filled
            at = seq
            yield seq, event

    def _passed(self, missing: int) -> bool:
        first = self.since.setdefault(missing, time.monotonic())
        if time.monotonic() - first < self.wait:
            return False
        del self.since[missing]
        return True


async def read_to_the_end(step: Callable[[], Awaitable[tuple[int, int]]], batch: int) -> int:
    """Run ``step`` (one committed batch: events read, things made) until a batch reads fewer
    than ``batch`` events (the end of the log, or a gap waited for); the things made in all."""
    total = 0
    while True:
        count, made = await step()
        total += made
        if count < batch:
            return total
