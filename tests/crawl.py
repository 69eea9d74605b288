"""The pages each role of the demo reaches, by following links, for checks over every page.

The demo is the one `sunlit demo` loads (its ended session, its case queue, its parcels and
claims), made by the command itself into a database of its own, and served once per test run."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from tests.support import LiveServer, sign_in
from tests.test_cli import run as run_sunlit
from tests.test_web import PASSWORD, client

#: A demo account for each role (None: a visitor who has not signed in).
ROLES: dict[str, str | None] = {
    "anonymous": None,
    "consumer": "buyer1",
    "farmer": "farmer.dangshan",
    "official": "official.dangshan",
    "supervisor": "supervisor1",
    "operator": "operator",
    "press": "press.dangshan",
}
#: Pages a crawl does not open: downloads, the API's own pages, signing out, raw files.
SKIP = re.compile(
    r"^/(api/|docs|openapi|files/|vendor/|static/|signout|sandbox/pay)|\.(csv|pdf|json)$"
)
#: Elements whose text is not prose: code a user copies, scripts; and any element marked
#: translate="no" (an account name, which its holder chose).
LEFT_OUT = {"code", "kbd", "samp", "pre", "script", "style", "template"}
#: Elements without an end tag.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
#: An id in a path (``s-1m93…``, ``o-…``), so that a check can run once per kind of page.
ID = re.compile(r"/[a-z]{1,3}-[0-9a-z]{20,}")


class Visible(HTMLParser):
    """The text of <main> a reader sees, and the links on the page."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self._main = 0
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self._main += 1
        hiding = tag in LEFT_OUT or dict(attrs).get("translate") == "no"
        if tag not in VOID and (self._hidden or hiding):
            self._hidden += 1  # counts the depth inside a left-out element
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._main -= 1
        if self._hidden and tag not in VOID:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if self._main and not self._hidden:
            self.text.append(data)


def load_demo_by_command(home: Path) -> str:
    """Migrate and load the demo into ``home/var`` as a user would; the database's URL."""
    assert run_sunlit(home, "migrate").returncode == 0
    loaded = run_sunlit(home, "demo", timeout=600)  # minutes on a loaded CI machine
    assert loaded.returncode == 0, loaded.stderr
    return f"sqlite+aiosqlite:///{home / 'var' / 'sunlit.db'}"


def crawl(
    server: LiveServer, username: str | None, *, language: str = "zh", limit: int = 80
) -> dict[str, Visible]:
    """Every page ``username`` reaches from the home page (at most ``limit``), read."""
    pages: dict[str, Visible] = {}
    with client(server, language) as c:
        if username:
            assert sign_in(c, username, PASSWORD).status_code == 303
        seen, queue = {"/"}, deque(["/"])
        while queue and len(pages) < limit:
            path = queue.popleft()
            answer = c.get(path)
            if answer.status_code != 200 or "text/html" not in answer.headers["content-type"]:
                continue
            page = Visible()
            page.feed(answer.text)
            pages[path] = page
            for href in page.links:
                target = urlsplit(urljoin(server.url + path, href))
                if target.netloc != urlsplit(server.url).netloc or SKIP.search(target.path):
                    continue
                link = target.path + (f"?{target.query}" if target.query else "")
                if link not in seen:
                    seen.add(link)
                    queue.append(link)
    return pages


def kind_of_page(path: str) -> str:
    """``/plans/s-1m93…`` → ``/plans/{id}``: pages of one kind share a template."""
    return ID.sub("/{id}", path.split("?")[0])
