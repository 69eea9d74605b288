"""Who may call the stream callbacks: nginx-rtmp, from an address in
``SUNLIT_STREAM_CALLBACK_HOSTS`` and with the shared callback secret in the URL's query string.
Shared by the stream gate's callbacks and the live room's recording callback."""

from __future__ import annotations

import hmac

from fastapi import Request

from sunlit.web.deps import get_services

CALLBACK_QUERY = "cb"  # the query parameter that carries the callback secret


def from_ingest(request: Request) -> bool:
    """Whether nginx-rtmp made this call: an allowed address, and the callback secret in the URL
    (compared in constant time; never read from the form, which carries the publisher's own
    query string)."""
    settings = get_services(request).settings
    allowed = {h.strip() for h in settings.stream_callback_hosts.split(",")}
    if request.client is None or request.client.host not in allowed:
        return False
    given = request.query_params.get(CALLBACK_QUERY, "")
    expected = settings.callback_secret()
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))
