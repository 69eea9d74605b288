"""The public log's rows: its records (one a leaf, numbered from 0 with no gap), the signed
tree heads, the publisher's place in the event log, and the daily bulk files made so far."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.core.db import Base, StrEnumType, UTCDateTime
from sunlit.disclosure.opendata.model import Kind


class OpenRecordRow(Base):
    """One revision of one public thing. ``line`` is its canonical JSON (the leaf's data),
    ``leaf_hash`` that leaf's RFC 9162 hash in hex, ``digest`` the body's SHA-256 (to tell a
    change from a repeat)."""

    __tablename__ = "open_records"
    __table_args__ = (
        UniqueConstraint("kind", "key", "revision", name="uq_open_records_kind"),
        Index("ix_open_records_published_at", "published_at"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[Kind] = mapped_column(StrEnumType(Kind, 16))
    key: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer)
    replaces: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    digest: Mapped[str] = mapped_column(String(64))
    leaf_hash: Mapped[str] = mapped_column(String(64))
    line: Mapped[str] = mapped_column(Text)


class OpenLatestRow(Base):
    """The latest revision of each public thing: an index over ``open_records`` (which is
    never changed), moved in the same transaction as the revision it names."""

    __tablename__ = "open_latest"

    kind: Mapped[Kind] = mapped_column(StrEnumType(Kind, 16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    revision: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))


class TreeHeadRow(Base):
    """A signed tree head: one after each batch of records."""

    __tablename__ = "open_tree_heads"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(128))


class OpenCursorRow(Base):
    """The last event-log ``seq`` the publisher has read (one row), moved in the same
    transaction as the records it appended."""

    __tablename__ = "open_cursor"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)


class BulkFileRow(Base):
    """A day's bulk file, once made: its name under the files store, size and SHA-256."""

    __tablename__ = "open_bulk_files"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    format: Mapped[str] = mapped_column(String(8), primary_key=True)
    records: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
