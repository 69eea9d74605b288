"""Run every registered detector over a stream, each after the detectors whose findings it
reads, and build the findings document (docs/events.md, ``sunlit-findings/1``)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from sunlit.integrity.detectors import REGISTRY, Context, Detector
from sunlit.integrity.model import Finding, risk_score
from sunlit.integrity.stream import Stream

SPEC = "sunlit-findings/1"


class RegistryError(ValueError):
    """The detectors cannot be put in an order: a rule twice, a need nobody meets, a circle."""


def in_order(detectors: Iterable[Detector[Any]]) -> tuple[Detector[Any], ...]:
    """The detectors with each one after every rule it ``needs``, and otherwise in the order
    given. Refuses a rule given twice, a need that no detector given has, and needs that go
    round in a circle."""
    given = list(detectors)
    rules: set[str] = set()
    for detector in given:
        if detector.rule in rules:
            raise RegistryError(f"{detector.rule} is registered twice")
        rules.add(detector.rule)
    for detector in given:
        missing = [need for need in detector.needs if need not in rules]
        if missing:
            raise RegistryError(f"{detector.rule} needs {', '.join(missing)}: no such detector")
    ordered: list[Detector[Any]] = []
    placed: set[str] = set()
    waiting = given
    while waiting:
        ready = next((d for d in waiting if placed.issuperset(d.needs)), None)
        if ready is None:
            circle = ", ".join(d.rule for d in waiting)
            raise RegistryError(f"these detectors need each other in a circle: {circle}")
        ordered.append(ready)
        placed.add(ready.rule)
        waiting = [d for d in waiting if d is not ready]
    return tuple(ordered)


#: The registry in running order, checked when the engine is loaded.
ORDER = in_order(REGISTRY)


def _with_needs(rules: Collection[str]) -> tuple[Detector[Any], ...]:
    """The detectors of ``rules`` and of every rule they need, in running order."""
    by_rule = {d.rule: d for d in ORDER}
    unknown = sorted(set(rules) - set(by_rule))
    if unknown:
        raise RegistryError(f"no detector for {', '.join(unknown)}")
    wanted: set[str] = set()
    todo = list(rules)
    while todo:
        rule = todo.pop()
        if rule not in wanted:
            wanted.add(rule)
            todo.extend(by_rule[rule].needs)
    return tuple(d for d in ORDER if d.rule in wanted)


def _earlier(found: dict[str, list[Finding]], needs: tuple[str, ...]) -> dict[str, list[Finding]]:
    """The findings a detector may read: those of the rules it needs, by session."""
    if not needs:
        return {}
    return {sid: [f for f in items if f.rule in needs] for sid, items in found.items()}


def run_detectors(
    stream: Stream,
    settings: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
    *,
    rules: Collection[str] | None = None,
) -> dict[str, list[Finding]]:
    """Findings by session id, in running order (`ORDER`). ``settings`` maps a rule to its
    settings object, for deployments that tune a rule; ``rules`` runs only those rules and the
    ones they need (time to detection replays one rule at a time)."""
    settings = settings or {}
    found: dict[str, list[Finding]] = {sid: [] for sid in stream.sessions}
    for detector in ORDER if rules is None else _with_needs(rules):
        if progress is not None:
            progress(detector.rule)
        chosen = settings.get(detector.rule) or detector.settings()
        earlier = _earlier(found, detector.needs)
        if detector.per_session:
            for sid, session in stream.sessions.items():
                found[sid].extend(detector.run(Context(stream, session, earlier), chosen))
        else:
            for finding in detector.run(Context(stream, None, earlier), chosen):
                sid = str(finding.evidence.get("session") or "")
                found.setdefault(sid, []).append(finding)
    return found


def findings_document(found: dict[str, list[Finding]]) -> dict[str, Any]:
    sessions = []
    for sid in sorted(found):
        items = sorted(found[sid], key=lambda f: (-f.score, f.rule))
        sessions.append(
            {
                "session": sid,
                "risk_score": risk_score(items),
                "findings": [f.document() for f in items],
            }
        )
    return {"spec": SPEC, "sessions": sessions}
