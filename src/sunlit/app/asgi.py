"""The ASGI entry point for uvicorn: ``uvicorn --factory sunlit.app.asgi:create``."""

from fastapi import FastAPI

from sunlit.app.app import create_app
from sunlit.settings import Settings


def create() -> FastAPI:
    return create_app(Settings())
