"""SQL expressions of time that differ by backend, written once with SQLAlchemy's compiler
extension (``sqlalchemy.ext.compiler``): a query says ``utc_hour(column)`` and each dialect
gets its own SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class utc_hour(FunctionElement[str]):
    """The UTC hour a ``UTCDateTime`` column falls in, as text ``YYYY-MM-DDTHH``: the bucket a
    sum by hour groups on, which Python then places in a local day (exact for any time zone
    whose offset is a whole number of hours, as every zone Sunlit serves)."""

    type = String()
    name = "utc_hour"
    inherit_cache = True


@compiles(utc_hour, "sqlite")
def _sqlite(element: utc_hour, compiler: Any, **kw: Any) -> str:
    # SQLite keeps UTCDateTime as UTC text (core.db.UTCDateTime), which strftime reads.
    return f"strftime('%Y-%m-%dT%H', {compiler.process(element.clauses, **kw)})"


@compiles(utc_hour, "postgresql")
def _postgresql(element: utc_hour, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24')"


class hours_between(FunctionElement[int]):
    """Whole hours from one ``UTCDateTime`` column to another (rounded down): what a count of
    delivery times groups on."""

    type = Integer()
    name = "hours_between"
    inherit_cache = True


@compiles(hours_between, "sqlite")
def _sqlite_hours(element: hours_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST((julianday({end}) - julianday({start})) * 24 AS INTEGER)"


@compiles(hours_between, "postgresql")
def _postgresql_hours(element: hours_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM ({end} - {start})) / 3600) AS INTEGER)"
