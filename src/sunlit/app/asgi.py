"""The ASGI entry point for `sunlit serve` (granian, docs/adr/0013):
``granian --interface asgi --factory sunlit.app.asgi:create``."""

import gc

from starlette.types import ASGIApp

from sunlit.app.app import create_app
from sunlit.settings import Settings
from sunlit.web.proxies import TrustedProxies


def behind_proxies(app: ASGIApp, settings: Settings) -> ASGIApp:
    """The app as the server runs it: X-Forwarded-For (and X-Forwarded-Proto) name the client
    only when the peer is one of ``SUNLIT_TRUSTED_PROXIES``; with none, the peer is the client.
    The sign-in throttle and the device fingerprint read the client's address."""
    if not settings.trusted_proxies.strip():
        return app
    return TrustedProxies(app, settings.trusted_proxies)


def create() -> ASGIApp:
    settings = Settings()
    app = create_app(settings)
    # What is built by now (the modules, the routes, the templates, the services) lives as long
    # as the process: frozen, the cyclic collector no longer walks it on every full collection.
    # A full collection then takes a seventh of the time, and a busy server ran one every 250
    # requests or so (docs/benchmarks.md, the flash sale after issue 15). The tests build their
    # apps with create_app, which freezes nothing.
    gc.collect()
    gc.freeze()
    return behind_proxies(app, settings)
