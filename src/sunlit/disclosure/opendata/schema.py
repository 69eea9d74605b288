"""The JSON Schema of ``sunlit-open/1`` records, built from the field list (pure), and the
paths a record's body actually has (what the pseudonymisation test holds to the list)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sunlit.disclosure.opendata.fields import BODIES, ENVELOPE, KINDS, WITHDRAWN, Field
from sunlit.disclosure.opendata.model import SPEC

SCHEMA_ID = "/api/open/v1/schema.json"
TYPES = {"string", "integer", "number", "boolean", "object"}


def _type(name: str) -> dict[str, Any]:
    base, nullable = name.removesuffix("?"), name.endswith("?")
    if base not in TYPES:
        raise ValueError(f"unknown field type {name}")
    return {"type": [base, "null"] if nullable else base}


def _object(fields: tuple[Field, ...], prefix: str = "") -> dict[str, Any]:
    """The schema of the object whose fields' paths start with ``prefix``."""
    properties: dict[str, Any] = {}
    for field in fields:
        if not field.path.startswith(prefix):
            continue
        head, dot, _ = field.path[len(prefix) :].partition(".")
        name = head.removesuffix("[]")
        if name in properties:
            continue
        inner = f"{prefix}{head}."
        if head.endswith("[]"):
            properties[name] = {"type": "array", "items": _object(fields, inner)}
        elif dot:
            own = next((f for f in fields if f.path == prefix + head), None)
            shape = _object(fields, inner)
            if own is not None:
                shape = {**shape, "type": _type(own.type)["type"], "description": own.description}
            properties[name] = shape
        else:
            properties[name] = {**_type(field.type), "description": field.description}
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }


def _open_maps(shape: dict[str, Any]) -> dict[str, Any]:
    """A field typed ``object`` with no listed fields is a map: any keys."""
    for value in shape.get("properties", {}).values():
        if value.get("properties") == {} or (
            "properties" not in value and "object" in str(value.get("type"))
        ):
            value.pop("properties", None)
            value.pop("required", None)
            value.pop("additionalProperties", None)
        _open_maps(value)
        if "items" in value:
            _open_maps(value["items"])
    return shape


def json_schema() -> dict[str, Any]:
    envelope = _object(tuple(f for f in ENVELOPE if f.path != "body"))
    cases = [
        {
            "if": {"properties": {"kind": {"const": str(kind)}}},
            "then": {
                "properties": {
                    "body": {
                        "oneOf": [_open_maps(_object(fields)), _object(WITHDRAWN)],
                        "description": KINDS[kind],
                    }
                }
            },
        }
        for kind, fields in BODIES.items()
    ]
    envelope["properties"]["kind"]["enum"] = [str(k) for k in BODIES]
    envelope["properties"]["spec"]["const"] = SPEC
    envelope["properties"]["body"] = {"type": "object"}
    envelope["required"] = sorted(envelope["properties"])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Sunlit open data record (sunlit-open/1)",
        **envelope,
        "allOf": cases,
    }


def allowed_paths(kind: str) -> set[str]:
    """Every path a body of this kind may have (a withdrawal's too), lists without ``[]``."""
    found: set[str] = set()
    for field in BODIES[kind] + WITHDRAWN:
        parts = field.path.split(".")
        for end in range(1, len(parts) + 1):
            found.add(".".join(parts[:end]).replace("[]", ""))
    return found


def maps_of(kind: str) -> set[str]:
    """The fields of a kind that are maps (type ``object``, no fields listed under them)."""
    paths = [f.path for f in BODIES[kind]]
    return {
        f.path.replace("[]", "")
        for f in BODIES[kind]
        if f.type.startswith("object") and not any(p.startswith(f.path + ".") for p in paths)
    }


def paths_of(body: Mapping[str, Any], prefix: str = "", *, maps: set[str]) -> Iterator[str]:
    """The paths of a body's fields (a list's items under the list's own path); under a map
    (``maps``) only the map."""
    for name, value in body.items():
        path = f"{prefix}{name}"
        yield path
        if path in maps:
            continue
        if isinstance(value, Mapping):
            yield from paths_of(value, f"{path}.", maps=maps)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping):
                    yield from paths_of(item, f"{path}.", maps=maps)
