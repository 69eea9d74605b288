"""The JSON shapes of the integrity API (``/api/v1``): what it takes, and the cases, notes,
findings and import reports it answers (plain objects, as the API has always described them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from sunlit.accounts.services import aware
from sunlit.core.clock import to_rfc3339
from sunlit.core.text import CleanText
from sunlit.integrity.ingest import Imported
from sunlit.integrity.views import Case, Figures, Note


class AssignIn(BaseModel):
    assignee: str = Field(max_length=40)


class NoteIn(BaseModel):
    text: CleanText = Field(max_length=4000)


def case_json(row: Case, zone: ZoneInfo, *, public: bool = False) -> dict[str, Any]:
    def when(value: Any) -> str | None:
        return to_rfc3339(aware(value), zone) if value is not None else None

    out: dict[str, Any] = {
        "id": row.id,
        "session": row.session,
        "import": row.import_id,
        "rule": row.rule,
        "severity": row.severity,
        "score": row.score,
        "summary": row.summary,
        "products": row.products,
        "status": row.status,
        "reason": row.reason,
        "decided_at": when(row.decided_at),
        "published_at": when(row.published_at),
        "detected_at": when(row.detected_at),
    }
    if public:  # the public sees how many accounts and orders, never which (buyers of a
        # forced quota are its victims); the evidence stays with the supervisors
        out.update(accounts_named=len(row.accounts), orders_named=len(row.orders))
    else:
        out.update(
            evidence=row.evidence,
            accounts=row.accounts,
            orders=row.orders,
            source=row.source,
            assignee=row.assignee_id,
            decided_by=row.decided_by,
            published_by=row.published_by,
            updated_at=when(row.updated_at),
            evidence_until=when(row.evidence_until),
            revisions=row.revisions,
        )
    return out


def case_with_notes_json(row: Case, notes: Sequence[Note], zone: ZoneInfo) -> dict[str, Any]:
    """One case for the supervisors, with its notes."""
    return {
        **case_json(row, zone),
        "notes": [
            {
                "id": n.id,
                "author": n.author_id,
                "text": n.text,
                "at": to_rfc3339(aware(n.created_at), zone),
            }
            for n in notes
        ],
    }


def finding_json(row: Case, figures: Figures | None, zone: ZoneInfo) -> dict[str, Any]:
    """A published finding, with its session's verified figures."""
    return {
        **case_json(row, zone, public=True),
        "verified_figures": dict(figures.figures) if figures is not None else None,
    }


def import_json(done: Imported) -> dict[str, Any]:
    """What an imported stream gave: its counts, the lines skipped, the cases opened and the
    findings document."""
    report = done.report
    return {
        "import": done.row.id,
        "sha256": done.row.sha256,
        "events": report.events,
        "duplicates": report.duplicates,
        "out_of_order": report.out_of_order,
        "skipped": report.bad_count,
        "skipped_lines": [str(bad) for bad in report.bad],
        "sessions": done.row.sessions,
        "cases_opened": done.opened,
        "findings": done.document,
    }
