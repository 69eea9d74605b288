"""The daily bulk files: the records appended on one day (UTC), as JSON Lines and as CSV,
gzip-compressed, streamed from the database a batch at a time (memory stays flat however big
the day), written under the files store and listed with their size and SHA-256. A day's
files are made once the day is over; its records never change after that.

Each JSON line is a record exactly as its leaf holds it (``sunlit verify --bulk`` checks them
one by one). The CSV has the envelope's fields as columns and the body as canonical JSON in
its last column, so nothing is lost in flattening."""

from __future__ import annotations

import asyncio
import csv
import gzip
import hashlib
import io
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import orjson
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.disclosure.opendata.model import canonical
from sunlit.disclosure.opendata.tables import BulkFileRow
from sunlit.disclosure.opendata.views import lines_of_day, publishing_days

FORMATS = ("jsonl", "csv")
COLUMNS = ("seq", "kind", "key", "revision", "replaces", "reason", "published_at", "body")
FOLDER = "open-data"
BATCH = 5000


def file_name(day: date, fmt: str) -> str:
    return f"sunlit-open-{day.isoformat()}.{fmt}.gz"


def csv_row(line: bytes) -> bytes:
    record = orjson.loads(line)
    values = [record[c] for c in COLUMNS[:-1]] + [canonical(record["body"]).decode()]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(["" if v is None else v for v in values])
    return buffer.getvalue().encode()


@dataclass
class Written:
    records: int
    bytes: int
    sha256: str


class _Sink:
    """A gzip file being written, hashed as its compressed bytes go out."""

    def __init__(self, path: Path) -> None:
        self.raw = path.open("wb")
        self.hash = hashlib.sha256()
        self.size = 0
        self.zipped = gzip.GzipFile(fileobj=self, mode="wb", mtime=0)

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()

    def close(self) -> None:
        self.zipped.close()
        self.raw.close()


async def write_lines(lines: AsyncIterator[bytes], folder: Path, stem: str) -> dict[str, Written]:
    """Write the records as ``{stem}.jsonl.gz`` and ``{stem}.csv.gz`` in ``folder`` (each
    under a temporary name until complete); the compressing and writing happen off the event
    loop, a batch at a time."""
    parts = {fmt: folder / f".{stem}.{fmt}.gz.part" for fmt in FORMATS}
    sinks = await asyncio.to_thread(_open, folder, parts)
    count, batch = 0, []
    try:
        async for line in lines:
            batch.append(line)
            if len(batch) >= BATCH:
                await asyncio.to_thread(_write, sinks, batch)
                count, batch = count + len(batch), []
        await asyncio.to_thread(_write, sinks, batch)
        count += len(batch)
    finally:
        await asyncio.to_thread(_close, sinks)
    made = {}
    for fmt, sink in sinks.items():
        await asyncio.to_thread(os.replace, parts[fmt], folder / f"{stem}.{fmt}.gz")
        made[fmt] = Written(count, sink.size, sink.hash.hexdigest())
    return made


def _open(folder: Path, parts: dict[str, Path]) -> dict[str, _Sink]:
    folder.mkdir(parents=True, exist_ok=True)
    sinks = {fmt: _Sink(path) for fmt, path in parts.items()}
    sinks["csv"].zipped.write((",".join(COLUMNS) + "\n").encode())
    return sinks


def _write(sinks: dict[str, _Sink], lines: list[bytes]) -> None:
    sinks["jsonl"].zipped.write(b"".join(line + b"\n" for line in lines))
    sinks["csv"].zipped.write(b"".join(csv_row(line) for line in lines))


def _close(sinks: dict[str, _Sink]) -> None:
    for sink in sinks.values():
        sink.close()


async def make_day(db: AsyncSession, day: date, folder: Path, *, now: datetime) -> int:
    """Write one day's files and list them (replacing an earlier listing); its records."""
    made = await write_lines(lines_of_day(db, day), folder, f"sunlit-open-{day.isoformat()}")
    await db.execute(delete(BulkFileRow).where(BulkFileRow.day == day))
    for fmt, written in made.items():
        db.add(
            BulkFileRow(
                day=day,
                format=fmt,
                records=written.records,
                bytes=written.bytes,
                sha256=written.sha256,
                made_at=now,
            )
        )
    return made["jsonl"].records


async def make_due(db: AsyncSession, folder: Path, *, now: datetime) -> list[date]:
    """Make the files of every finished day that has records and no files yet."""
    query = select(BulkFileRow.day).where(BulkFileRow.format == "jsonl")
    listed = set(await db.scalars(query))
    due = [d for d in await publishing_days(db) if d < now.date() and d not in listed]
    for day in due:
        await make_day(db, day, folder, now=now)
    return due
