"""The lab (evaluation, baselines, time to detection) stays apart from the running engine: the
server never imports the simulator or scikit-learn (issue 15, item 5)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import sunlit

SRC = Path(sunlit.__file__).parent
#: What the running engine must not import, even lazily inside a function.
FORBIDDEN = ("sunlit.simulate", "sunlit.lab", "sklearn")


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def test_integrity_imports_neither_the_lab_nor_the_simulator_nor_sklearn() -> None:
    modules = sorted((SRC / "integrity").rglob("*.py"))
    assert len(modules) > 10
    wrong = {
        str(path.relative_to(SRC)): sorted(n for n in _imported(path) if _forbidden(n))
        for path in modules
    }
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_server_loads_without_the_simulator_or_sklearn(tmp_path: Path) -> None:
    """In a fresh interpreter: build the web application (what uvicorn's workers run) and load
    the command line (``sunlit serve`` with one worker serves from that process), then look at
    what was imported."""
    script = textwrap.dedent(
        """
        import sys

        import sunlit.cli
        from sunlit.settings import Settings
        from sunlit.app.app import create_app
        import sunlit.app.asgi

        create_app(Settings())
        assert "sunlit.app.app" in sys.modules and "sunlit.integrity.engine" in sys.modules
        # The command line holds the lab's commands, which import the lab only when they run.
        loaded = sorted(
            m for m in sys.modules
            if m.split(".")[0] == "sklearn"
            or m.startswith(("sunlit.simulate", "sunlit.lab."))
            and m != "sunlit.lab.commands"
        )
        assert "sklearn" not in sys.modules and "sunlit.simulate" not in sys.modules, loaded
        assert loaded == [], loaded
        print("apart")
        """
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "SUNLIT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'sunlit.db'}",
        "SUNLIT_FILES_DIR": str(tmp_path / "files"),
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "apart"
