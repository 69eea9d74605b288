"""The ASGI entry point for uvicorn: ``uvicorn --factory sunlit.app.asgi:create``."""

import gc

from fastapi import FastAPI

from sunlit.app.app import create_app
from sunlit.settings import Settings


def create() -> FastAPI:
    app = create_app(Settings())
    # What is built by now (the modules, the routes, the templates, the services) lives as long
    # as the process: frozen, the cyclic collector no longer walks it on every full collection.
    # A full collection then takes a seventh of the time, and a busy server ran one every 250
    # requests or so (docs/benchmarks.md, the flash sale after issue 15). The tests build their
    # apps with create_app, which freezes nothing.
    gc.collect()
    gc.freeze()
    return app
