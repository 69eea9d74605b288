"""The bare ceiling for bench/http_share.py (issue 20): one Starlette route, ``/healthz``
answering ``{"status": "ok"}`` with nothing else in the stack. The bench serves it on uvicorn
(the fixed ceiling) and on granian as `sunlit serve` runs it:

    .venv/bin/python -m uvicorn --app-dir bench bare:app --port 8766
    .venv/bin/python -m granian --interface asgi --working-dir bench --loop uvloop --http 1 \
        --no-ws --port 8767 bare:app"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/healthz", healthz)])
