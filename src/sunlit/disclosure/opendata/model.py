"""The open records and the signed tree head, as values (pure).

A record is one revision of one public thing (a session's disclosure, its figures, a finding,
a claim, a concern, a producer, a product, a reference band, the households of a county, the
boundary rules). Its canonical form, JSON with sorted keys and no spaces in UTF-8, is both what
the feed and the bulk files carry and the data of its leaf in the log: a verifier hashes the
line it read. A change is a new revision that names the one it replaces (``replaces``, that
one's ``seq``) and why (``reason``); nothing is edited in place."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import orjson

SPEC = "sunlit-open/1"
HEAD_CONTEXT = b"sunlit-open/1 tree head\n"


class Kind(enum.StrEnum):
    SESSION = "session"
    FIGURES = "figures"
    FINDING = "finding"
    CLAIM = "claim"
    CONCERN = "concern"
    PRODUCER = "producer"
    PRODUCT = "product"
    BAND = "band"
    HOUSEHOLDS = "households"
    RULES = "rules"


#: The reason of a record's first revision.
FIRST = "published"
#: The reason of a revision that says a record is no longer public (a finding withdrawn on
#: appeal, a claim or concern taken down): its body is ``{"withdrawn": true}``.
WITHDRAWN = {"withdrawn": True}


def canonical(value: Any) -> bytes:
    """The one byte form of a JSON value: keys sorted, no spaces, UTF-8."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def plain(value: Any) -> Any:
    """A read model (dataclasses, tuples, enums, dates) as JSON values: times in RFC 3339."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class Record:
    seq: int  # its leaf's index in the log
    kind: str
    key: str
    revision: int  # 1, 2, …: one more at each change of the same (kind, key)
    replaces: int | None  # the seq of the revision this one replaces
    reason: str
    published_at: datetime
    body: Mapping[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "spec": SPEC,
            "seq": self.seq,
            "kind": self.kind,
            "key": self.key,
            "revision": self.revision,
            "replaces": self.replaces,
            "reason": self.reason,
            "published_at": self.published_at.isoformat(),
            "body": self.body,  # JSON values already (next_revisions made them so)
        }

    def line(self) -> bytes:
        """The record's canonical bytes: its leaf data, and its line in a bulk file."""
        return canonical(self.as_json())


def digest(body: Mapping[str, Any]) -> str:
    """What tells two revisions' bodies apart."""
    return digest_of_plain(plain(body))


def digest_of_plain(body: Mapping[str, Any]) -> str:
    """:func:`digest` of a body that is JSON values already."""
    return hashlib.sha256(canonical(body)).hexdigest()


def reason_of(types: Iterable[str]) -> str:
    """Why a record changed: the event types that changed it, in order, each once."""
    return ", ".join(sorted(set(types))) or "republished"


@dataclass(frozen=True, slots=True)
class Change:
    """A record to append, before it has its place: the publisher numbers them."""

    kind: str
    key: str
    body: Mapping[str, Any]
    reason: str


def next_revisions(
    changes: Iterable[Change],
    latest: Mapping[tuple[str, str], tuple[int, int, str]],
    *,
    start: int,
    now: datetime,
) -> list[Record]:
    """The records to append for ``changes``, numbered from ``start``: a change whose body is
    the one already published (``latest`` maps (kind, key) to (seq, revision, digest)) is
    dropped, and so is a withdrawal of something never published or already withdrawn."""
    made: list[Record] = []
    seen = dict(latest)
    for change in changes:
        before = seen.get((change.kind, change.key))
        body = plain(change.body)
        mark = digest_of_plain(body)
        if before is not None and before[2] == mark:
            continue
        if before is None and body == WITHDRAWN:
            continue
        seq = start + len(made)
        record = Record(
            seq=seq,
            kind=change.kind,
            key=change.key,
            revision=1 if before is None else before[1] + 1,
            replaces=None if before is None else before[0],
            reason=FIRST if before is None else change.reason,
            published_at=now,
            body=body,
        )
        made.append(record)
        seen[(change.kind, change.key)] = (seq, record.revision, mark)
    return made


@dataclass(frozen=True, slots=True)
class TreeHead:
    """The log's size and root at a moment (milliseconds since 1970, UTC), as Sunlit signed
    them."""

    tree_size: int
    root_hash: bytes
    timestamp_ms: int
    signature: bytes = b""
    key_id: str = ""

    @property
    def signed_at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp_ms / 1000, UTC)

    def message(self) -> bytes:
        """What the signature covers: the size, the root and the time, nothing else."""
        return (
            HEAD_CONTEXT
            + f"{self.tree_size}\n{self.root_hash.hex()}\n{self.timestamp_ms}\n".encode()
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "spec": SPEC,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "timestamp": self.signed_at.isoformat(),
            "timestamp_ms": self.timestamp_ms,
            "key_id": self.key_id,
            "signature": self.signature.hex(),
        }

    @classmethod
    def from_json(cls, found: Mapping[str, Any]) -> TreeHead:
        """A head as the API serves it; ValueError when a field is missing or malformed."""
        try:
            return cls(
                tree_size=int(found["tree_size"]),
                root_hash=bytes.fromhex(str(found["root_hash"])),
                timestamp_ms=int(found["timestamp_ms"]),
                signature=bytes.fromhex(str(found["signature"])),
                key_id=str(found["key_id"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a tree head: {exc}") from None
