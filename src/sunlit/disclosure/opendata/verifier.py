"""``sunlit verify``: what anyone can run against a Sunlit server (and a bulk file downloaded
from it) to know that what it published is still there, unchanged, in the order it was
published. It needs nothing from the server but its public API, and keeps what it saw in a
small state file, so that a newsroom can run it daily from cron:

1. the key: the first run trusts the public key it is given and keeps it; a later key that
   differs is a failure;
2. the head: its signature by that key, over its size, root and time;
3. the log only grew: since the head in the state file, with the server's consistency proof
   (a smaller log is a rollback; the same size with another root, a rewrite);
4. the records: every record the change feed serves is hashed as a leaf and added to a
   compact tree (``Frontier``); its root must be the signed one. With ``new_only`` it starts
   from the compact tree of the records checked last time, kept in the state file, and reads
   only the new ones. When it is not, each new record is checked with its
   inclusion proof to name the first one that does not check out. A bulk file's records are
   each checked with an inclusion proof against the head.

A check that fails raises :class:`Failed` with a plain sentence naming the first record (or
head) at fault; the command prints it and exits 1."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

from sunlit.core import merkle
from sunlit.disclosure.opendata.model import TreeHead, canonical
from sunlit.disclosure.opendata.signing import key_id, verify_head

API = "/api/open/v1"
PAGE = 1000


class Failed(Exception):
    """A check did not pass; the message says which and where."""


class Unreachable(Exception):
    """The server did not answer as an open-data server does."""


@dataclass
class State:
    public_key: str = ""
    tree_size: int = 0  # the last head checked
    root_hash: str = ""
    checked: int = 0  # the records checked from the feed, and their Frontier
    peaks: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None) -> State:
        if path is None or not path.exists():
            return cls()
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
            state = cls(
                str(found["public_key"]),
                int(found["tree_size"]),
                str(found["root_hash"]),
                int(found["checked"]),
                [str(p) for p in found["peaks"]],
            )
            state.frontier()
        except (KeyError, TypeError, ValueError) as exc:
            raise Unreachable(
                f"the state file {path} is not one this command wrote: {exc}"
            ) from None
        return state

    def save(self, path: Path | None) -> None:
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        spare = path.with_suffix(path.suffix + ".new")
        body = {
            "public_key": self.public_key,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "checked": self.checked,
            "peaks": self.peaks,
        }
        spare.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
        spare.replace(path)  # a run stopped half-way leaves the old state whole

    def frontier(self) -> merkle.Frontier:
        return merkle.Frontier(self.checked, [bytes.fromhex(p) for p in self.peaks])


@dataclass(frozen=True)
class Report:
    head: TreeHead
    checked: int  # records checked in this run
    first_run: bool


Progress = Callable[[int, int], None]


class Verifier:
    def __init__(self, client: httpx.Client, progress: Progress | None = None) -> None:
        self.client = client
        self.progress = progress or (lambda done, total: None)

    def get(self, path: str, **params: int) -> Any:
        try:
            answer = self.client.get(API + path, params=params)
        except httpx.HTTPError as exc:
            raise Unreachable(f"the server did not answer {path}: {exc}") from None
        if answer.status_code != 200:
            raise Unreachable(f"{path} answered {answer.status_code}: {answer.text[:300]}")
        try:
            return orjson.loads(answer.content)
        except orjson.JSONDecodeError:
            raise Unreachable(f"{path} did not answer JSON") from None

    def run(
        self, state: State, *, bulk: Path | None = None, new_only: bool = False
    ) -> tuple[State, Report]:
        """Check the server against ``state``; the new state to keep, and what was checked.
        Every record of the feed is read again unless ``new_only`` (then only those after the
        ones checked last time: an edit to an older record is then not seen)."""
        first_run = not state.public_key
        public = self.key(state)
        head = self.head(public)
        self.grew(state, head)
        seen = State(public.hex(), head.tree_size, head.root_hash.hex(), state.checked, state.peaks)
        if bulk is not None:
            return seen, Report(head, self.check_bulk(bulk, head), first_run)
        frontier, checked = self.check_feed(state if new_only else State(), head)
        seen.checked, seen.peaks = frontier.size, [p.hex() for p in frontier.peaks]
        return seen, Report(head, checked, first_run)

    def key(self, state: State) -> bytes:
        found = self.get("/log/key")
        try:
            public = bytes.fromhex(str(found["public_key"]))
        except (KeyError, ValueError):
            raise Unreachable("/log/key did not give a public key") from None
        if state.public_key and public.hex() != state.public_key:
            raise Failed(
                f"The log's signing key changed: it was {key_id(bytes.fromhex(state.public_key))}, "
                f"it is now {key_id(public)}. A log keeps its key; ask the operator why."
            )
        return public

    def head(self, public: bytes) -> TreeHead:
        try:
            head = TreeHead.from_json(self.get("/log/head"))
        except ValueError as exc:
            raise Unreachable(str(exc)) from None
        if not verify_head(public, head):
            raise Failed(
                f"The signed head of {head.tree_size} records does not carry a good signature "
                "by the log's key."
            )
        return head

    def grew(self, state: State, head: TreeHead) -> None:
        old = state.tree_size
        if not old:
            return
        if head.tree_size < old:
            raise Failed(
                f"The log was rolled back: it had {old} records when last checked and its "
                f"signed head now says {head.tree_size}."
            )
        if head.tree_size == old:
            if head.root_hash.hex() != state.root_hash:
                raise Failed(
                    f"The log was rewritten: at {old} records its root is not the one checked "
                    "last time."
                )
            return
        proof = self.get("/log/consistency", first=old, second=head.tree_size)
        path = [bytes.fromhex(p) for p in proof.get("proof", [])]
        if not merkle.verify_consistency(
            old, head.tree_size, bytes.fromhex(state.root_hash), head.root_hash, path
        ):
            raise Failed(
                f"The log of {head.tree_size} records does not contain the log of {old} "
                "records checked last time: something published before was changed or dropped."
            )

    def feed(self, since: int, until: int) -> Iterator[tuple[int, bytes, dict[str, Any]]]:
        """Records ``since`` ≤ seq < ``until`` from the change feed, each with its line."""
        at = since
        while at < until:
            page = self.get("/changes", since=at, limit=min(PAGE, until - at))
            records = page.get("records") or []
            if not records:
                raise Failed(
                    f"Record {at} is missing: the feed ends there, and the signed head says "
                    f"{until} records."
                )
            for record in records:
                if at >= until:
                    return
                yield at, canonical(record), record
                at += 1

    def check_feed(self, state: State, head: TreeHead) -> tuple[merkle.Frontier, int]:
        frontier = state.frontier()
        start = frontier.size
        for index, line, record in self.feed(start, head.tree_size):
            self.in_place(index, record)
            frontier.append(merkle.leaf_hash(line))
            self.progress(index + 1 - start, head.tree_size - start)
        if frontier.root() != head.root_hash:
            for index, line, record in self.feed(start, head.tree_size):
                self.included(index, line, record, head)
            raise Failed(  # every record checks out one by one, yet not all together
                f"The records {start} to {head.tree_size - 1} do not make the signed root."
            )
        return frontier, head.tree_size - start

    def check_bulk(self, path: Path, head: TreeHead) -> int:
        checked = 0
        try:
            with gzip.open(path, "rb") as handle:
                lines = [line.rstrip(b"\n") for line in handle if line.strip()]
        except (OSError, EOFError) as exc:
            raise Unreachable(f"{path} is not a gzip file of JSON lines: {exc}") from None
        for number, line in enumerate(lines, 1):
            try:
                record = orjson.loads(line)
                index = int(record["seq"])
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                raise Failed(f"Line {number} of {path.name} is not a record.") from None
            if canonical(record) != line:
                raise Failed(f"Record {index} in {path.name} is not in its canonical form.")
            if index >= head.tree_size:
                raise Failed(
                    f"Record {index} in {path.name} is past the signed head ({head.tree_size})."
                )
            self.included(index, line, record, head)
            checked += 1
            self.progress(number, len(lines))
        return checked

    def in_place(self, index: int, record: dict[str, Any]) -> None:
        if record.get("seq") != index:
            raise Failed(
                f"Record {index} is missing or out of order: the feed gives record "
                f"{record.get('seq')} ({describe(record)}) in its place."
            )

    def included(self, index: int, line: bytes, record: dict[str, Any], head: TreeHead) -> None:
        proof = self.get("/log/inclusion", seq=index, tree_size=head.tree_size)
        path = [bytes.fromhex(p) for p in proof.get("audit_path", [])]
        if not merkle.verify_inclusion(
            merkle.leaf_hash(line), index, head.tree_size, path, head.root_hash
        ):
            raise Failed(
                f"Record {index} ({describe(record)}) does not check out: it is not in the log "
                f"as signed at {head.tree_size} records — it was changed, moved or put in."
            )


def describe(record: dict[str, Any]) -> str:
    return f"{record.get('kind')} {record.get('key')}, revision {record.get('revision')}"
