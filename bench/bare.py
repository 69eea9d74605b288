"""The bare ceiling for bench/http_share.py (issue 20): one Starlette route, ``/healthz``
answering ``{"status": "ok"}`` with nothing else in the stack, served by the same uvicorn as
Sunlit with the same settings.

    .venv/bin/python -m uvicorn --app-dir bench bare:app --port 8766"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/healthz", healthz)])
