"""A plan's history as sentences a person reads: who did what, and when. Pure: the events and
the names of their actors in, one entry per event that concerns the plan out (a viewer joining
or a chat message is the live room's business, not the plan's)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sunlit.core.errors import N_
from sunlit.filing.model import PlanStatus


class Recorded(Protocol):
    """An event as the log stored it."""

    @property
    def type(self) -> str: ...
    @property
    def ts(self) -> datetime: ...
    @property
    def actor(self) -> str | None: ...
    @property
    def data(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the history: a msgid with its parameters, and when it happened."""

    at: datetime
    message: str
    params: dict[str, object] = field(default_factory=dict)
    reason: str | None = None  # in the words of whoever gave it


#: A plan sent back to draft from these had been checked or approved: the history says so.
_REVIEWED = (PlanStatus.CHECKED.value, PlanStatus.APPROVED.value, PlanStatus.SUBMITTED.value)


def _sentence(event: Recorded) -> tuple[str, str | None] | None:
    """The msgid for the event (``%(who)s`` for its actor), and the reason it carries."""
    data = event.data or {}
    kind, previous = event.type, data.get("from")
    if kind == "plan.drafted":
        return N_("%(who)s drafted the plan."), None
    if kind == "plan.changed":
        if previous == PlanStatus.APPROVED.value:
            return N_(
                "%(who)s changed the approved plan: it went back to draft, its stream key stopped "
                "working, and it must be filed and approved again."
            ), None
        if previous in _REVIEWED:
            return N_(
                "%(who)s changed the plan while it waited for a supervisor: it went back to draft "
                "and must be filed again."
            ), None
        return N_("%(who)s changed the plan."), None
    if kind == "plan.consent_asked":
        return N_("%(who)s asked a producer to agree to be on the plan."), None
    if kind == "plan.consent_given":
        return N_("%(who)s agreed, for their produce, to be on the plan."), None
    if kind == "plan.consent_declined":
        return N_("%(who)s declined for their produce; it was taken off the plan."), data.get(
            "reason"
        )
    if kind == "session.filed":
        return N_("%(who)s filed the plan (报备)."), None
    if kind == "plan.checked":
        return N_(
            "The boundary rules found nothing that blocks the plan; it waits for a supervisor."
        ), None
    if kind == "plan.rejected":
        if event.actor is None:
            return N_("The boundary rules blocked the plan."), None
        return N_("%(who)s rejected the plan."), data.get("reason")
    if kind == "plan.approved":
        return N_("%(who)s approved the plan."), data.get("reason")
    if kind == "session.started":
        return N_("The session went live."), None
    if kind == "session.ended":
        return N_("The session ended."), None
    if kind == "stream.refused":
        return N_("The stream server refused a stream for this plan."), None
    return None


def history_entries(events: Sequence[Recorded], names: Mapping[str, str]) -> list[Entry]:
    """The plan's history, oldest first, each event that concerns the plan as a sentence."""
    entries = []
    for event in events:
        found = _sentence(event)
        if found is None:
            continue
        message, reason = found
        who = names.get(event.actor or "", event.actor or "")
        entries.append(Entry(event.ts, message, {"who": who}, reason or None))
    return entries
