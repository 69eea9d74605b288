"""Keep requirements/uv.txt (the one file pip installs) on the uv release that uv.lock pins.

`make lock` and `make upgrade` run this with --write after refreshing uv.lock; `make check-lock`
(and so CI) runs it without, and it fails when the two name different releases of uv.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "uv.lock"
BOOTSTRAP = ROOT / "requirements" / "uv.txt"
HEADER = (
    "# uv itself, the one package pip installs: everything else comes from uv.lock (ADR 0007).\n"
    "# Written by `make lock` (scripts/check_lock.py --write) from the uv release uv.lock pins.\n"
)


def locked_uv_version() -> str:
    lock = tomllib.loads(LOCK.read_text(encoding="utf-8"))
    for package in lock["package"]:
        if package["name"] == "uv":
            return str(package["version"])
    raise SystemExit("uv.lock pins no release of uv: add it to the dev extra in pyproject.toml")


def bootstrap_uv_version() -> str | None:
    match = re.search(r"^uv==(\S+)", BOOTSTRAP.read_text(encoding="utf-8"), re.MULTILINE)
    return match.group(1) if match else None


def write(version: str) -> None:
    uv = Path(sys.executable).parent / "uv"
    pinned = subprocess.run(  # noqa: S603 - our own venv's uv, fixed arguments
        [str(uv), "pip", "compile", "-", "--generate-hashes", "--universal", "--no-header", "-q"],
        input=f"uv=={version}\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    BOOTSTRAP.write_text(HEADER + pinned, encoding="utf-8")


def main(argv: list[str]) -> int:
    locked = locked_uv_version()
    if "--write" in argv:
        write(locked)
        print(f"requirements/uv.txt pins uv {locked} with its hashes")
        return 0
    bootstrapped = bootstrap_uv_version()
    if bootstrapped != locked:
        print(
            f"requirements/uv.txt installs uv {bootstrapped} but uv.lock pins {locked}: "
            "run `make lock` and commit both files",
            file=sys.stderr,
        )
        return 1
    print(f"uv.lock, pyproject.toml and requirements/uv.txt agree (uv {locked})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
