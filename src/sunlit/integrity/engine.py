"""Run every registered detector over a stream and build the findings document
(docs/events.md, ``sunlit-findings/1``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sunlit.integrity.detectors import REGISTRY, Context
from sunlit.integrity.model import Finding, risk_score
from sunlit.integrity.stream import Stream

SPEC = "sunlit-findings/1"


def run_detectors(
    stream: Stream,
    settings: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, list[Finding]]:
    """Findings by session id, in registry order. ``settings`` maps a rule to its settings
    object, for the evaluation's sweeps and for deployments that tune a rule."""
    settings = settings or {}
    found: dict[str, list[Finding]] = {sid: [] for sid in stream.sessions}
    for detector in REGISTRY:
        if progress is not None:
            progress(detector.rule)
        chosen = settings.get(detector.rule) or detector.settings()
        if detector.per_session:
            for sid, session in stream.sessions.items():
                found[sid].extend(detector.run(Context(stream, session, found), chosen))
        else:
            for finding in detector.run(Context(stream, None, found), chosen):
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
