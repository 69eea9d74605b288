"""Routing benchmark (issue 20, item 3): what it costs FastAPI to find a request's route among
all of Sunlit's, and through the route index (sunlit.web.route_index), in-process and without
a server. For each path, the time of one matching pass over the routes it is matched against
(the router makes two per request, and a 404 a third), median of --rounds rounds of --count
passes. Prints a table and, with --json, writes the figures.

    .venv/bin/python bench/routing.py
    .venv/bin/python bench/routing.py --count 5000 --json routing.json

A figure of this machine alone (there is no outside baseline for it); the server-level effect
is in bench/http_share.py's figures."""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from starlette.routing import Match

from sunlit.app.app import create_app
from sunlit.settings import Settings
from sunlit.web.route_index import RouteIndex

PATHS = [
    "/",
    "/products",
    "/products/p-1",
    "/findings",
    "/live/s-1",
    "/api/v1/products",
    "/api/v1/orders/o-1",
    "/no-such-page",
    "/api/v1/no-such-thing",
]


def scope_for(app: Any, path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
        "app": app,
    }


def one_pass(routes: list[Any], scope: dict[str, Any]) -> None:
    for route in routes:
        match, _ = route.matches(dict(scope))
        if match == Match.FULL:
            return


def timed(routes: list[Any], scope: dict[str, Any], count: int, rounds: int) -> float:
    """Median µs of one pass."""
    figures = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(count):
            one_pass(routes, scope)
        figures.append((time.perf_counter() - start) / count * 1e6)
    return statistics.median(figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="passes a round (≤ 100,000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (≤ 50)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    count, rounds = min(args.count, 100_000), min(args.rounds, 50)
    app = create_app(Settings(background_jobs=False, live_server=False))
    index = RouteIndex(app.router)
    everything = list(app.router.routes)
    rows = []
    print(f"{len(everything)} routes at the top ({platform.processor() or platform.machine()})")
    print(f"{'path':28} {'all routes':>16} {'index':>16} {'x':>6}")
    for path in PATHS:
        scope = scope_for(app, path)
        listed = list(index.candidates(path))
        whole = timed(everything, scope, count, rounds)
        short = timed(listed, scope, count, rounds)
        rows.append(
            {
                "path": path,
                "all_us": round(whole, 1),
                "index_us": round(short, 1),
                "routes": len(listed),
            }
        )
        print(
            f"{path:28} {whole:9.1f} µs ({len(everything):2}) {short:9.1f} µs ({len(listed):2})"
            f" {whole / short:5.1f}×"
        )
    if args.json:
        args.json.write_text(json.dumps({"count": count, "rounds": rounds, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
