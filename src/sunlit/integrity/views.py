"""The integrity context's reads that pages and APIs share: cases, their notes, published
findings with each session's verified figures, and what each case's session is called."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.accounts.services import display_names, list_accounts
from sunlit.core.errors import N_, NotFound
from sunlit.filing.services import plan_titles
from sunlit.integrity.cases import CaseStatus
from sunlit.integrity.figures import figures_key
from sunlit.integrity.tables import CaseNoteRow, CaseRow, StreamImportRow, VerifiedFiguresRow


class Case(Protocol):
    """A case as pages and APIs show it, read-only (the case row satisfies it)."""

    @property
    def id(self) -> str: ...
    @property
    def session(self) -> str: ...
    @property
    def import_id(self) -> str | None: ...
    @property
    def source(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def summary(self) -> str: ...
    @property
    def evidence(self) -> dict[str, Any]: ...
    @property
    def accounts(self) -> list[str]: ...
    @property
    def orders(self) -> list[str]: ...
    @property
    def products(self) -> list[str]: ...
    @property
    def status(self) -> str: ...
    @property
    def assignee_id(self) -> str | None: ...
    @property
    def detected_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def evidence_until(self) -> datetime | None: ...
    @property
    def revisions(self) -> int: ...
    @property
    def decided_by(self) -> str | None: ...
    @property
    def decided_at(self) -> datetime | None: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def published_by(self) -> str | None: ...
    @property
    def published_at(self) -> datetime | None: ...


class Note(Protocol):
    """A supervisor's note on a case, read-only."""

    @property
    def id(self) -> str: ...
    @property
    def author_id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


class Figures(Protocol):
    """A session's verified figures, read-only."""

    @property
    def figures(self) -> dict[str, Any]: ...


async def case_by_id(db: AsyncSession, case_id: str, *, lock: bool = False) -> CaseRow:
    row = await db.get(CaseRow, case_id, with_for_update=lock)
    if row is None:
        raise NotFound(N_("There is no such case."))
    return row


async def list_cases(
    db: AsyncSession, *, status: str | None = None, mine: str | None = None, limit: int = 200
) -> list[CaseRow]:
    query = select(CaseRow).order_by(CaseRow.detected_at.desc(), CaseRow.id.desc()).limit(limit)
    if status == "published":
        query = query.where(CaseRow.published_at.is_not(None))
    elif status:
        query = query.where(CaseRow.status == status)
    if mine is not None:
        query = query.where(CaseRow.assignee_id == mine)
    return list(await db.scalars(query))


async def cases_naming(
    db: AsyncSession, account: str, import_id: str | None, limit: int = 50
) -> list[CaseRow]:
    """The cases that name this account, newest first: of Sunlit's own sessions, or of the same
    imported stream (an account id means nothing outside the stream that used it)."""
    query = select(CaseRow).where(
        cast(CaseRow.accounts, String).like(f"%{json.dumps(account)}%"),
        CaseRow.import_id.is_(None) if import_id is None else CaseRow.import_id == import_id,
    )
    rows = await db.scalars(query.order_by(CaseRow.detected_at.desc()).limit(limit))
    return [row for row in rows if account in row.accounts]


async def count_by_status(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(select(CaseRow.status, func.count()).group_by(CaseRow.status))
    counts = {status.value: 0 for status in CaseStatus}
    counts.update({status: n for status, n in rows.all()})
    published = await db.scalar(select(func.count()).where(CaseRow.published_at.is_not(None)))
    counts["published"] = published or 0
    return counts


async def case_notes(db: AsyncSession, case_id: str) -> list[CaseNoteRow]:
    query = select(CaseNoteRow).where(CaseNoteRow.case_id == case_id)
    return list(await db.scalars(query.order_by(CaseNoteRow.created_at, CaseNoteRow.id)))


async def published_cases(db: AsyncSession, limit: int = 200) -> list[CaseRow]:
    query = select(CaseRow).where(CaseRow.published_at.is_not(None))
    return list(await db.scalars(query.order_by(CaseRow.published_at.desc()).limit(limit)))


async def figures_of(db: AsyncSession, keys: set[str]) -> dict[str, VerifiedFiguresRow]:
    if not keys:
        return {}
    rows = await db.scalars(select(VerifiedFiguresRow).where(VerifiedFiguresRow.id.in_(keys)))
    return {row.id: row for row in rows}


async def own_session_figures(db: AsyncSession, session: str) -> dict[str, Any] | None:
    """The verified figures of one of Sunlit's own sessions (docs/integrity.md), or None until
    they are computed (when the session ends)."""
    row = (await figures_of(db, {figures_key(None, session)})).get(figures_key(None, session))
    return dict(row.figures) if row is not None else None


async def case_titles(db: AsyncSession, rows: Sequence[Case]) -> dict[str, str]:
    """What each case's session is called, by case: the filed plan's title, or the imported
    file and the session id in it."""
    plans = await plan_titles(db, {r.session for r in rows if r.import_id is None})
    imports = {r.import_id for r in rows if r.import_id is not None}
    files: dict[str, str] = {}
    if imports:
        query = select(StreamImportRow.id, StreamImportRow.filename).where(
            StreamImportRow.id.in_(imports)
        )
        files = {import_id: name for import_id, name in (await db.execute(query)).all()}
    return {
        r.id: plans.get(r.session, r.session)
        if r.import_id is None
        else f"{files.get(r.import_id, '')} · {r.session}"
        for r in rows
    }


async def stream_import(db: AsyncSession, import_id: str | None) -> StreamImportRow | None:
    """The imported stream a case came from, if it came from one."""
    return await db.get(StreamImportRow, import_id) if import_id else None


async def import_named(db: AsyncSession, filename: str) -> StreamImportRow | None:
    """An imported stream by its file name (the demo imports its evening once)."""
    query = select(StreamImportRow).where(StreamImportRow.filename == filename).limit(1)
    return await db.scalar(query)


async def cases_of_import(db: AsyncSession, import_id: str) -> list[CaseRow]:
    """The cases an imported stream opened."""
    return list(await db.scalars(select(CaseRow).where(CaseRow.import_id == import_id)))


async def published_findings(
    db: AsyncSession,
) -> tuple[list[CaseRow], dict[str, VerifiedFiguresRow | None]]:
    """The published findings, newest first, and each one's session's verified figures (by
    case)."""
    rows = await published_cases(db)
    figures = await figures_of(db, {figures_key(r.import_id, r.session) for r in rows})
    return rows, {r.id: figures.get(figures_key(r.import_id, r.session)) for r in rows}


#: The queue's filters: a case status, the open cases assigned to the reader, or every case.
QUEUE_FILTERS = ("open", "mine", "confirmed", "dismissed", "published", "withdrawn", "all")


@dataclass(frozen=True)
class Queue:
    """The supervisors' case queue under one filter, with every filter's count."""

    shown: str
    rows: list[CaseRow]
    counts: dict[str, int]
    titles: dict[str, str]
    names: dict[str, str]


async def case_queue(db: AsyncSession, shown: str, reader: str) -> Queue:
    """The queue as ``reader`` sees it under the filter ``shown`` ("open" unless it is one of
    :data:`QUEUE_FILTERS`)."""
    shown = shown if shown in QUEUE_FILTERS else "open"
    mine = await list_cases(db, status=CaseStatus.OPEN.value, mine=reader)
    if shown == "mine":
        rows = mine
    else:
        rows = await list_cases(db, status=None if shown == "all" else shown)
    counts = await count_by_status(db)
    counts["mine"] = len(mine)
    counts["all"] = sum(counts[s.value] for s in CaseStatus)
    return Queue(
        shown=shown,
        rows=rows,
        counts=counts,
        titles=await case_titles(db, rows),
        names=await display_names(db, {r.assignee_id for r in rows if r.assignee_id}),
    )


@dataclass(frozen=True)
class CaseFile:
    """One case with all a supervisor reads beside it."""

    case: CaseRow
    notes: list[CaseNoteRow]
    names: dict[str, str]
    supervisors: Sequence[Actor]
    titles: dict[str, str]
    figures: VerifiedFiguresRow | None
    imported: StreamImportRow | None


async def case_file(db: AsyncSession, case_id: str) -> CaseFile:
    row = await case_by_id(db, case_id)
    notes = await case_notes(db, case_id)
    people = {n.author_id for n in notes} | {
        who for who in (row.assignee_id, row.decided_by, row.published_by) if who
    }
    figures = await figures_of(db, {figures_key(row.import_id, row.session)})
    return CaseFile(
        case=row,
        notes=notes,
        names=await display_names(db, people),
        supervisors=sorted(await list_accounts(db, role=Role.SUPERVISOR), key=lambda a: a.username),
        titles=await case_titles(db, [row]),
        figures=figures.get(figures_key(row.import_id, row.session)),
        imported=await stream_import(db, row.import_id),
    )


async def session_record(
    db: AsyncSession, session: str
) -> tuple[list[CaseRow], dict[str, Any] | None]:
    """What the public may know of one of Sunlit's own sessions: its published findings, oldest
    first, and its verified figures (None until the engine has computed them)."""
    query = select(CaseRow).where(
        CaseRow.session == session,
        CaseRow.import_id.is_(None),
        CaseRow.published_at.is_not(None),
    )
    cases = list(await db.scalars(query.order_by(CaseRow.published_at)))
    figures = await db.get(VerifiedFiguresRow, figures_key(None, session))
    return cases, figures.figures if figures is not None else None
