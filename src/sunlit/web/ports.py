"""Whether a port is already served. granian and the live rooms' server bind with SO_REUSEPORT
(several workers share one port), so a second ``sunlit serve`` on the same ports would start
without an error and the kernel would hand each connection to either process at random: an old
server answering some requests of the new one. A plain bind, without SO_REUSEPORT, fails while
any socket listens there, so it tells before the server starts."""

from __future__ import annotations

import errno
import socket


def in_use(host: str, port: int) -> bool:
    """Whether something listens on ``host``:``port``. Port 0 (any free port) never is."""
    if port == 0:
        return False
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR: connections of a server just stopped (TIME_WAIT) do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False
