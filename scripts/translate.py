"""Fill empty Chinese translations from a JSON file of {msgid: msgstr} (after `make messages`).

    python scripts/translate.py translations.json
Prints the msgids still untranslated."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).resolve().parent.parent / "src/sunlit/locale/zh/LC_MESSAGES/messages.po"


def main(source: Path) -> None:
    given = json.loads(source.read_text("utf-8"))
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id and not message.string and message.id in given:
            message.string = given[message.id]
    with CATALOG.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, include_lineno=False)
    for message in catalog:
        if message.id and not message.string:
            print(message.id)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
