"""Which page a query names (web.paging): a page past the end is the last, and anything that is
not a plain ASCII number is the first, never an error."""

from __future__ import annotations

import pytest

from sunlit.web.paging import page_of


@pytest.mark.parametrize(
    ("raw", "number"),
    [(None, 1), ("", 1), ("2", 2), ("3", 3), ("99", 3), ("0", 1), ("-1", 1), ("²", 1), ("２", 1)],
)
def test_the_page_a_query_names(raw: str | None, number: int) -> None:
    page = page_of(raw, 45, 20)
    assert (page.number, page.pages, page.offset) == (number, 3, (number - 1) * 20)


def test_an_empty_list_has_one_page() -> None:
    assert (page_of("5", 0, 20).number, page_of("5", 0, 20).pages) == (1, 1)
