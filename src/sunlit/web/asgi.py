"""The ASGI entry point for uvicorn: ``uvicorn --factory sunlit.web.asgi:create``."""

from fastapi import FastAPI

from sunlit.settings import Settings
from sunlit.web.app import create_app


def create() -> FastAPI:
    return create_app(Settings())
