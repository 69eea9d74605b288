"""Integrity tables: the supervisors' cases (one per finding the engine raised, with its
decision and publication), their notes, the streams imported from elsewhere, and each
session's verified figures. Detectors never write other contexts' tables; these are theirs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.core.db import Base, StrEnumType, UTCDateTime
from sunlit.integrity.cases import CaseSource, CaseStatus
from sunlit.integrity.model import Severity


class StreamImportRow(Base):
    """A stream posted to ``POST /api/v1/events`` (or uploaded on the queue page); the file is
    kept in the file store under its SHA-256, so nothing posted is lost."""

    __tablename__ = "integrity_imports"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    imported_by: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    events: Mapped[int] = mapped_column(Integer)
    duplicates: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[list[str]] = mapped_column(JSON)  # "line N: why", the first 100
    skipped_count: Mapped[int] = mapped_column(Integer)
    sessions: Mapped[int] = mapped_column(Integer)
    findings: Mapped[int] = mapped_column(Integer)


class CaseRow(Base):
    __tablename__ = "integrity_cases"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    session: Mapped[str] = mapped_column(String(64))  # the stream's session id
    import_id: Mapped[str | None] = mapped_column(ForeignKey("integrity_imports.id"))
    source: Mapped[CaseSource] = mapped_column(StrEnumType(CaseSource, 8))
    rule: Mapped[str] = mapped_column(String(40))
    severity: Mapped[Severity] = mapped_column(StrEnumType(Severity, 8))
    score: Mapped[float] = mapped_column(Float)
    summary: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    accounts: Mapped[list[str]] = mapped_column(JSON)
    orders: Mapped[list[str]] = mapped_column(JSON)
    products: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[CaseStatus] = mapped_column(StrEnumType(CaseStatus, 12))
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    evidence_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revisions: Mapped[int] = mapped_column(Integer)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)
    published_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_integrity_cases_status", "status"),
        Index("ix_integrity_cases_session", "session"),
        Index("ix_integrity_cases_published_at", "published_at"),
    )


class CaseNoteRow(Base):
    __tablename__ = "integrity_case_notes"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(
        ForeignKey("integrity_cases.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VerifiedFiguresRow(Base):
    """A session's verified figures (docs/integrity.md), recomputed when the session ends, when
    a stream is imported and whenever a supervisor confirms or dismisses one of its cases."""

    __tablename__ = "integrity_figures"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)  # "<import or ->/<session>"
    session: Mapped[str] = mapped_column(String(64))
    import_id: Mapped[str | None] = mapped_column(ForeignKey("integrity_imports.id"))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
