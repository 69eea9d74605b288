"""The open data's JSON API (``/api/open/v1``), open to everyone and versioned apart from the
site's own API: the change feed a mirror polls, the log's signed head and public key, and the
proofs that a record is in the log and that the log only grew. Bad input (a cursor past the
log, a size it has not reached, a malformed number) is a 4xx in the error shape."""

from __future__ import annotations

from importlib import resources
from typing import Any

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import Response

from sunlit.accounts.work import Work, unit
from sunlit.disclosure.opendata import views
from sunlit.disclosure.opendata.deps import OpenKit, open_kit
from sunlit.disclosure.opendata.model import SPEC

router = APIRouter(prefix="/api/open/v1", tags=["open data"])

JSON = "application/json"
FEED_LIMIT = 1000
SCHEMA_FILE = "sunlit-open-1.schema.json"


def json_answer(value: Any) -> Response:
    return Response(orjson.dumps(value), media_type=JSON)


@router.get("/changes", response_class=Response, responses={200: {"content": {JSON: {}}}})
async def changes(
    work: Work[OpenKit] = unit("public", kit=open_kit),
    since: int = Query(0, ge=0, description="Records the mirror has: the `next` it was given"),
    limit: int = Query(500, ge=1, le=FEED_LIMIT),
) -> Response:
    """Records from ``since`` on, in log order, each exactly as its leaf holds it: poll with
    the ``next`` of the last page until ``records`` is empty."""
    page = await views.feed(work.db, work.services.open_log, since=since, limit=limit)
    body = {
        "spec": SPEC,
        "since": since,
        "next": since + len(page.lines),
        "tree_size": page.tree_size,
        "records": [orjson.Fragment(line) for line in page.lines],
    }
    return json_answer(body)


@router.get("/log/head", response_class=Response, responses={200: {"content": {JSON: {}}}})
async def head(work: Work[OpenKit] = unit("public", kit=open_kit)) -> Response:
    """The latest signed tree head, with the public key that signed it."""
    found = await work.services.open_log.latest_head(work.db)
    return json_answer({**found.as_json(), **views.key_json(work.services.open_log)})


@router.get("/log/key", response_class=Response, responses={200: {"content": {JSON: {}}}})
async def key(work: Work[OpenKit] = unit("public", kit=open_kit)) -> Response:
    """The public half of the key that signs the tree heads (Ed25519, 32 bytes in hex)."""
    return json_answer(views.key_json(work.services.open_log))


@router.get("/log/inclusion", response_class=Response, responses={200: {"content": {JSON: {}}}})
async def inclusion(
    work: Work[OpenKit] = unit("public", kit=open_kit),
    seq: int = Query(..., ge=0, description="The record's place in the log"),
    tree_size: int | None = Query(
        None, ge=1, description="A signed head's size; the latest when left out"
    ),
) -> Response:
    """The audit path from record ``seq`` to the root of the head of ``tree_size``."""
    found, path = await work.services.open_log.inclusion(work.db, seq, tree_size)
    return json_answer(
        {
            "seq": seq,
            "tree_size": found.tree_size,
            "root_hash": found.root_hash.hex(),
            "audit_path": [node.hex() for node in path],
        }
    )


@router.get("/log/consistency", response_class=Response, responses={200: {"content": {JSON: {}}}})
async def consistency(
    work: Work[OpenKit] = unit("public", kit=open_kit),
    first: int = Query(..., ge=1, description="The size of the older head"),
    second: int | None = Query(
        None, ge=1, description="The size of the newer head; the latest when left out"
    ),
) -> Response:
    """The proof that the log at ``second`` records is the log at ``first`` with records
    appended, nothing changed or dropped."""
    found, proof = await work.services.open_log.consistency(work.db, first, second)
    return json_answer(
        {
            "first": first,
            "second": found.tree_size,
            "root_hash": found.root_hash.hex(),
            "proof": [node.hex() for node in proof],
        }
    )


@router.get("/schema.json", response_class=Response, responses={200: {"content": {JSON: {}}}})
async def schema(work: Work[OpenKit] = unit("public", kit=open_kit)) -> Response:
    """The JSON Schema of a record, ``sunlit-open/1``."""
    text = resources.files("sunlit.disclosure.opendata").joinpath(SCHEMA_FILE).read_bytes()
    return Response(text, media_type="application/schema+json")
