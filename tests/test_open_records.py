"""The open records as values (pure): what makes a new revision, what is dropped, what a
withdrawal looks like, and the signed head's message."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sunlit.disclosure.opendata.model import (
    FIRST,
    WITHDRAWN,
    Change,
    TreeHead,
    canonical,
    digest,
    next_revisions,
)
from sunlit.disclosure.opendata.signing import Signer, verify_head

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_a_first_change_is_revision_one_and_a_repeat_is_dropped() -> None:
    body = {"session": "s-1", "case": "c-1", "rule": "fake_orders"}
    [first] = next_revisions(
        [Change("finding", "s-1/c-1", body, "case.published")], {}, start=7, now=NOW
    )
    assert (first.seq, first.revision, first.replaces, first.reason) == (7, 1, None, FIRST)
    latest = {("finding", "s-1/c-1"): (7, 1, digest(body))}
    assert (
        next_revisions([Change("finding", "s-1/c-1", dict(body), "x")], latest, start=8, now=NOW)
        == []
    )


def test_a_finding_withdrawn_on_appeal_is_a_revision_that_names_the_one_it_replaces() -> None:
    body = {"session": "s-1", "case": "c-1", "rule": "fake_orders"}
    latest = {("finding", "s-1/c-1"): (7, 1, digest(body))}
    [gone] = next_revisions(
        [Change("finding", "s-1/c-1", WITHDRAWN, "case.withdrawn")], latest, start=30, now=NOW
    )
    assert (gone.seq, gone.revision, gone.replaces, gone.reason) == (30, 2, 7, "case.withdrawn")
    assert gone.body == {"withdrawn": True}
    # withdrawn twice, or never published: nothing to say
    after = {("finding", "s-1/c-1"): (30, 2, digest(WITHDRAWN))}
    assert (
        next_revisions([Change("finding", "s-1/c-1", WITHDRAWN, "x")], after, start=31, now=NOW)
        == []
    )
    assert (
        next_revisions([Change("finding", "s-1/c-2", WITHDRAWN, "x")], {}, start=31, now=NOW) == []
    )


def test_two_changes_of_one_thing_in_a_batch_chain_their_revisions() -> None:
    made = next_revisions(
        [
            Change("product", "g-1", {"price": 398}, "a"),
            Change("product", "g-1", {"price": 420}, "product.price_changed"),
        ],
        {},
        start=0,
        now=NOW,
    )
    assert [(r.seq, r.revision, r.replaces) for r in made] == [(0, 1, None), (1, 2, 0)]
    assert made[1].line() == canonical(made[1].as_json())
    assert b'"price":420' in made[1].line() and made[1].line().startswith(b'{"body":')


def test_a_head_s_signature_covers_its_size_root_and_time(tmp_path: Path) -> None:
    signer = Signer.from_file(tmp_path / "keys" / "k.pem")
    assert (tmp_path / "keys" / "k.pem").stat().st_mode & 0o777 == 0o600
    assert Signer.from_file(tmp_path / "keys" / "k.pem").public == signer.public  # kept, not remade
    head = signer.sign(TreeHead(5, b"\x01" * 32, 1_796_000_000_000))
    assert verify_head(signer.public, head)
    assert TreeHead.from_json(head.as_json()) == head
    for forged in (
        TreeHead(6, head.root_hash, head.timestamp_ms, head.signature, head.key_id),
        TreeHead(5, b"\x02" * 32, head.timestamp_ms, head.signature, head.key_id),
        TreeHead(5, head.root_hash, head.timestamp_ms + 1, head.signature, head.key_id),
    ):
        assert not verify_head(signer.public, forged)
    other = Signer.from_file(tmp_path / "other.pem")
    assert not verify_head(other.public, head)
