"""The append-only event log (the outbox): every state change that matters, written in the same
transaction as the change, in the envelope of ``docs/events.md``. ``integrity`` and
``disclosure`` read it; every context writes it through :func:`append`."""

from sunlit.core.eventlog.model import Event, EventType
from sunlit.core.eventlog.services import append, export_jsonl, read_events

__all__ = ["Event", "EventType", "append", "export_jsonl", "read_events"]
