"""The public log as this process holds it: the Merkle tree over the stored leaf hashes (read
from the database once, then only the new ones), the signing key, and the reads the API
serves (heads, inclusion and consistency proofs). The database holds the truth; the tree is
its cache, dropped and read again whenever a write that touched it did not commit."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from sqlalchemy import String, any_, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core import merkle
from sunlit.core.errors import N_, InvalidInput, NotFound
from sunlit.disclosure.opendata.model import (
    WITHDRAWN,
    Change,
    Record,
    TreeHead,
    digest,
    digest_of_plain,
    next_revisions,
)
from sunlit.disclosure.opendata.signing import Signer
from sunlit.disclosure.opendata.tables import OpenLatestRow, OpenRecordRow, TreeHeadRow
from sunlit.settings import Settings


def key_file(settings: Settings) -> Path:
    """Where the public log's signing key is kept."""
    return settings.open_log_key_file or settings.files_dir / "keys" / "open-log-ed25519.pem"


#: Leaves read at a time when the tree catches up with the stored log.
SYNC_BATCH = 10_000


class OpenLog:
    def __init__(self, key_file: Path) -> None:
        self.key_file = key_file
        self._signer: Signer | None = None
        self._lock = asyncio.Lock()
        self.tree = merkle.AppendOnlyTree()

    @property
    def signer(self) -> Signer:
        if self._signer is None:
            self._signer = Signer.from_file(self.key_file)
        return self._signer

    def forget(self) -> None:
        """Read the tree again from the database next time (a write did not commit)."""
        self.tree = merkle.AppendOnlyTree()

    async def sync(self, db: AsyncSession) -> merkle.AppendOnlyTree:
        """The tree with every stored leaf, in ``seq`` order, up to the first gap. One reader
        at a time: two requests at once on a cold server would each add the same leaves. (The
        publisher's leaves not yet committed are in it too: a head names its size.)"""
        async with self._lock:
            while True:
                # In batches with a LIMIT: PostgreSQL's generic plan for an open ``seq >= $1``
                # scanned and sorted the whole table on every proof (200 ms at 1,000,000).
                rows = (
                    await db.execute(
                        select(OpenRecordRow.seq, OpenRecordRow.leaf_hash)
                        .where(OpenRecordRow.seq >= self.tree.size)
                        .order_by(OpenRecordRow.seq)
                        .limit(SYNC_BATCH)
                    )
                ).all()
                for seq, leaf in rows:
                    if seq != self.tree.size:
                        return self.tree
                    self.tree.append(bytes.fromhex(leaf))
                if len(rows) < SYNC_BATCH:
                    return self.tree

    async def append(
        self, db: AsyncSession, changes: Iterable[Change], *, now: datetime
    ) -> list[Record]:
        """Append the changes that change something, as new revisions, and sign the head of
        the grown log; in ``db``'s transaction (call :meth:`forget` if it does not commit)."""
        wanted = list(changes)
        if not wanted:
            return []
        tree = await self.sync(db)
        latest = await latest_revisions(db, {(c.kind, c.key) for c in wanted})
        records = next_revisions(wanted, latest, start=tree.size, now=now)
        rows, newest = [], {}
        for record in records:
            line = record.line()
            leaf = merkle.leaf_hash(line)
            mark = digest_of_plain(record.body)
            rows.append(
                {
                    "seq": record.seq,
                    "kind": record.kind,
                    "key": record.key,
                    "revision": record.revision,
                    "replaces": record.replaces,
                    "reason": record.reason[:500],
                    "published_at": record.published_at,
                    "digest": mark,
                    "leaf_hash": leaf.hex(),
                    "line": line.decode(),
                }
            )
            newest[(record.kind, record.key)] = {
                "kind": record.kind,
                "key": record.key,
                "seq": record.seq,
                "revision": record.revision,
                "digest": mark,
            }
            tree.append(leaf)
        if rows:  # in bulk: one statement a table, not one a record
            await db.execute(insert(OpenRecordRow), rows)
            fresh = [v for k, v in newest.items() if k not in latest]
            moved = [v for k, v in newest.items() if k in latest]
            if fresh:
                await db.execute(insert(OpenLatestRow), fresh)
            if moved:
                await db.execute(update(OpenLatestRow), moved)
        if records:
            head = self.signer.sign(TreeHead(tree.size, tree.root(), int(now.timestamp() * 1000)))
            db.add(
                TreeHeadRow(
                    tree_size=head.tree_size,
                    root_hash=head.root_hash.hex(),
                    timestamp_ms=head.timestamp_ms,
                    key_id=head.key_id,
                    signature=head.signature.hex(),
                )
            )
        return records

    # --- reads ----------------------------------------------------------------------------

    async def latest_head(self, db: AsyncSession) -> TreeHead:
        row = await db.scalar(select(TreeHeadRow).order_by(TreeHeadRow.tree_size.desc()).limit(1))
        if row is None:
            raise NotFound(N_("The public log has no signed head yet."))
        return head_of(row)

    async def inclusion(
        self, db: AsyncSession, seq: int, size: int | None
    ) -> tuple[TreeHead, list[bytes]]:
        """The audit path of record ``seq`` in the tree of the signed head of ``size``
        (the latest when None)."""
        head = await self._head(db, size)
        if not 0 <= seq < head.tree_size:
            raise InvalidInput(
                N_("No record %(seq)s in a log of %(size)s records."),
                params={"seq": seq, "size": head.tree_size},
            )
        tree = await self.sync(db)
        return head, tree.inclusion_proof(seq, head.tree_size)

    async def consistency(
        self, db: AsyncSession, first: int, second: int | None
    ) -> tuple[TreeHead, list[bytes]]:
        head = await self._head(db, second)
        if not 0 < first <= head.tree_size:
            raise InvalidInput(
                N_("The first size must be between 1 and %(size)s."),
                params={"size": head.tree_size},
            )
        tree = await self.sync(db)
        return head, tree.consistency_proof(first, head.tree_size)

    async def _head(self, db: AsyncSession, size: int | None) -> TreeHead:
        latest = await self.latest_head(db)
        if size is None or size == latest.tree_size:
            return latest
        if size > latest.tree_size:
            raise InvalidInput(
                N_("The log has %(size)s records: no head of %(asked)s yet."),
                params={"size": latest.tree_size, "asked": size},
            )
        row = await db.get(TreeHeadRow, size)
        if row is None:
            raise NotFound(N_("No head was signed at the size %(size)s."), params={"size": size})
        return head_of(row)


def head_of(row: TreeHeadRow) -> TreeHead:
    return TreeHead(
        tree_size=row.tree_size,
        root_hash=bytes.fromhex(row.root_hash),
        timestamp_ms=row.timestamp_ms,
        signature=bytes.fromhex(row.signature),
        key_id=row.key_id,
    )


async def latest_revisions(
    db: AsyncSession, keys: set[tuple[str, str]]
) -> Mapping[tuple[str, str], tuple[int, int, str]]:
    """For each (kind, key) already in the log: its latest revision's seq, number and digest.
    Asked kind by kind with the keys in a list, which both databases answer from the primary
    key (PostgreSQL scans the table for a list of (kind, key) pairs)."""
    found: dict[tuple[str, str], tuple[int, int, str]] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, key in keys:
        by_kind.setdefault(kind, []).append(key)
    postgres = db.get_bind().dialect.name == "postgresql"
    for kind, wanted in by_kind.items():
        wanted.sort()
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            # On PostgreSQL one array parameter: a thousand parameters get a generic plan that
            # scans the table and compares each row with each of them.
            among = (
                OpenLatestRow.key == any_(bindparam("keys", chunk, type_=ARRAY(String)))
                if postgres
                else OpenLatestRow.key.in_(chunk)
            )
            query = select(OpenLatestRow).where(OpenLatestRow.kind == kind, among)
            for row in await db.scalars(query):
                found[(row.kind, row.key)] = (row.seq, row.revision, row.digest)
    return found


async def shown_under(db: AsyncSession, session: str) -> list[tuple[str, str]]:
    """The findings and claims of a session whose latest revision is not a withdrawal."""
    gone = digest(WITHDRAWN)
    query = select(OpenLatestRow.kind, OpenLatestRow.key).where(
        OpenLatestRow.kind.in_(("finding", "claim")),
        OpenLatestRow.key.startswith(f"{session}/", autoescape=True),
        OpenLatestRow.digest != gone,
    )
    return [(kind, key) for kind, key in (await db.execute(query)).all()]
