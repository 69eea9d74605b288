"""The repository is self-contained: no tracked file points to documents kept outside it, and
every event type the code writes to the event log is documented in docs/events.md."""

from __future__ import annotations

import ast
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sunlit.core.eventlog.model import EventType
from tests.support import ROOT

#: Names of documents outside the repository (written as patterns, so this file is not one).
OUTSIDE = re.compile(r"DESIGN\.md|spec/events\.md|spec/integrity\.md|\.\./shared")
CHECKED_SUFFIXES = (".md", ".py", ".html", ".toml")
#: Known exceptions, each a file and a pattern of the line: a user-facing sentence is changed
#: with its translations, on its own.
ALLOWED: dict[str, re.Pattern[str]] = {}


def tracked_files() -> list[str]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [name for name in listed.decode().split("\0") if name.endswith(CHECKED_SUFFIXES)]


def test_no_tracked_file_points_outside_the_repository() -> None:
    found, allowed_used = [], set()
    for name in tracked_files():
        path = ROOT / name
        if not path.is_file():  # deleted in the work tree, not yet committed
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if not OUTSIDE.search(line):
                continue
            allowance = ALLOWED.get(name)
            if allowance is not None and allowance.search(line):
                allowed_used.add(name)
                continue
            found.append(f"{name}:{number}: {line.strip()}")
    assert found == [], "point to docs/ in the repository instead:\n" + "\n".join(found)
    assert allowed_used == set(ALLOWED), "an exception is no longer needed: remove it"


# --- which event types the code writes -----------------------------------------------------
#
# Events reach the log three ways: `append(db, *events)` in the caller's transaction,
# `row_values(event)` for a multi-row INSERT (the order desk), and the live room's
# `EventRecorder.add(event)` (it batches and inserts through `row_values`). The scan starts at
# each of those calls and follows the event back to the `Event(...)` that built it, and its type
# back to `EventType.X` (or a string): through helper functions and their parameters, local
# assignments and `a if c else b`. Anything else fails the scan with its place, rather than
# leaving a type out; so does an `Event(...)` no call reaches.

EVENTLOG = ("sunlit.core.eventlog", "sunlit.core.eventlog.model", "sunlit.core.eventlog.services")
RECORDER = ("sunlit.live.recorder", "EventRecorder")
Function = ast.FunctionDef | ast.AsyncFunctionDef


class Unresolved(AssertionError):
    pass


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    #: local name -> (module, name) for `from m import n`; (module, "") for a module imported.
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)

    def where(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"

    def function_of(self, node: ast.AST) -> Function | None:
        parent = self.parents.get(node)
        while parent is not None and not isinstance(parent, Function):
            parent = self.parents.get(parent)
        return parent

    def class_of(self, node: ast.AST) -> ast.ClassDef | None:
        parent = self.parents.get(node)
        while parent is not None and not isinstance(parent, ast.ClassDef):
            parent = self.parents.get(parent)
        return parent

    def imported(self, node: ast.expr, modules: tuple[str, ...], name: str) -> bool:
        return isinstance(node, ast.Name) and any(
            self.imports.get(node.id) == (m, name) for m in modules
        )


def load_modules() -> dict[str, Module]:
    modules = {}
    for path in sorted((ROOT / "src" / "sunlit").rglob("*.py")):
        parts = path.relative_to(ROOT / "src").with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        mod = Module(name, path, ast.parse(path.read_text("utf-8")))
        for node in ast.walk(mod.tree):
            for child in ast.iter_child_nodes(node):
                mod.parents[child] = node
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    mod.imports[alias.asname or alias.name] = (node.module, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        mod.imports[alias.asname] = (alias.name, "")
        modules[name] = mod
    return modules


def own_nodes(function: Function) -> Iterator[ast.AST]:
    """The function's own nodes, not those of functions or classes inside it."""
    todo: list[ast.AST] = list(function.body)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, Function | ast.Lambda | ast.ClassDef):
            todo.extend(ast.iter_child_nodes(node))


def method_of(function: Function, mod: Module) -> ast.ClassDef | None:
    parent = mod.parents.get(function)
    return parent if isinstance(parent, ast.ClassDef) else None


def parameters(function: Function, mod: Module) -> list[str]:
    names = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    return names[1:] if method_of(function, mod) is not None else names


Context = tuple[Module, Function | None, dict[str, tuple[ast.expr, "Context"]]]


class Scan:
    def __init__(self) -> None:
        self.modules = load_modules()
        self.types: dict[str, set[str]] = {}  # type -> where its Event(...) is
        self.built: set[str] = set()  # every Event(...) a write reaches
        self.depth = 0

    # where events are written

    def run(self) -> None:
        for mod in self.modules.values():
            if mod.name.startswith("sunlit.core.eventlog"):
                continue
            for node in ast.walk(mod.tree):
                if isinstance(node, ast.Call):
                    for event in self.written(mod, node):
                        self.events_of(event, (mod, mod.function_of(node), {}))

    def written(self, mod: Module, call: ast.Call) -> list[ast.expr]:
        if mod.imported(call.func, EVENTLOG, "append"):
            events = call.args[1:]
        elif mod.imported(call.func, EVENTLOG, "row_values"):
            cls = mod.class_of(call)
            if (mod.name, cls.name if cls else "") == RECORDER:
                return []  # what EventRecorder.add took, scanned where add is called
            events = call.args[:1]
        elif self.is_recorder_add(mod, call):
            events = call.args[:1]
        else:
            return []
        for event in events:
            if isinstance(event, ast.Starred):
                raise Unresolved(f"{mod.where(call)}: *events: write them one by one")
        return events

    def is_recorder_add(self, mod: Module, call: ast.Call) -> bool:
        """``self.x.add(e)`` where the class sets ``self.x = EventRecorder(...)``."""
        func = call.func
        if not (
            isinstance(func, ast.Attribute)
            and func.attr == "add"
            and isinstance(func.value, ast.Attribute)
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id == "self"
        ):
            return False
        cls = mod.class_of(call)
        if cls is None:
            return False
        for node in ast.walk(cls):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and mod.imported(node.value.func, (RECORDER[0],), RECORDER[1])
                and any(
                    isinstance(t, ast.Attribute) and t.attr == func.value.attr for t in node.targets
                )
            ):
                return True
        return False

    # from an event back to its type

    def events_of(self, expr: ast.expr, ctx: Context) -> None:
        mod = ctx[0]
        self.enter(mod, expr)
        try:
            if isinstance(expr, ast.Call) and mod.imported(expr.func, EVENTLOG, "Event"):
                place = mod.where(expr)
                self.built.add(place)
                kind = next((k.value for k in expr.keywords if k.arg == "type"), None)
                if kind is None and expr.args:
                    kind = expr.args[0]
                if kind is None:
                    raise Unresolved(f"{place}: an Event without a type")
                self.types_of(kind, ctx, place)
            elif isinstance(expr, ast.Call):
                callee, callee_mod = self.callee(expr, ctx)
                bound = self.bind(callee, callee_mod, expr, ctx)
                returns = [n for n in own_nodes(callee) if isinstance(n, ast.Return) and n.value]
                if not returns:
                    raise Unresolved(f"{mod.where(expr)}: {callee.name} returns no event")
                for ret in returns:
                    assert ret.value is not None
                    self.events_of(ret.value, (callee_mod, callee, bound))
            elif isinstance(expr, ast.Name):
                self.name(expr, ctx, self.events_of)
            else:
                raise Unresolved(f"{mod.where(expr)}: cannot follow {ast.unparse(expr)!r}")
        finally:
            self.depth -= 1

    def types_of(self, expr: ast.expr, ctx: Context, place: str) -> None:
        mod = ctx[0]
        self.enter(mod, expr)
        try:
            if isinstance(expr, ast.Attribute) and mod.imported(expr.value, EVENTLOG, "EventType"):
                self.types.setdefault(EventType[expr.attr].value, set()).add(place)
            elif isinstance(expr, ast.Constant) and isinstance(expr.value, str):
                self.types.setdefault(expr.value, set()).add(place)
            elif isinstance(expr, ast.IfExp):
                self.types_of(expr.body, ctx, place)
                self.types_of(expr.orelse, ctx, place)
            elif isinstance(expr, ast.Name):
                self.name(expr, ctx, lambda e, c: self.types_of(e, c, place))
            else:
                raise Unresolved(f"{mod.where(expr)}: which event type is {ast.unparse(expr)!r}?")
        finally:
            self.depth -= 1

    def enter(self, mod: Module, expr: ast.expr) -> None:
        self.depth += 1
        if self.depth > 30:
            raise Unresolved(f"{mod.where(expr)}: the scan went round in circles")

    # names: bound by a call, assigned here, or a parameter given at every call site

    def name(self, expr: ast.Name, ctx: Context, then: Callable[[ast.expr, Context], None]) -> None:
        mod, function, bound = ctx
        if expr.id in bound:
            value, where = bound[expr.id]
            then(value, where)
            return
        if function is None:
            raise Unresolved(f"{mod.where(expr)}: {expr.id} is not a local name")
        values = [
            node.value
            for node in own_nodes(function)
            if isinstance(node, ast.Assign | ast.AnnAssign)
            and node.value is not None
            and any(
                isinstance(t, ast.Name) and t.id == expr.id
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            )
        ]
        if values:
            for value in values:
                then(value, ctx)
            return
        if expr.id not in parameters(function, mod):
            raise Unresolved(f"{mod.where(expr)}: cannot follow {expr.id}")
        sites = list(self.call_sites(mod, function))
        if not sites:
            raise Unresolved(f"{mod.where(expr)}: {function.name} is never called")
        for call, caller in sites:
            argument = self.argument(function, mod, call, expr.id)
            if argument is None:
                raise Unresolved(f"{caller.where(call)}: {expr.id} not given")
            then(argument, (caller, caller.function_of(call), {}))

    def callee(self, call: ast.Call, ctx: Context) -> tuple[Function, Module]:
        mod = ctx[0]
        func = call.func
        if isinstance(func, ast.Name):
            module, name = mod.imports.get(func.id, (mod.name, func.id))
            target = self.modules.get(module)
            found = target and self.top_level(target, name)
            if target and found:
                return found, target
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id == "self" and (cls := mod.class_of(call)) is not None:
                for node in cls.body:
                    if isinstance(node, Function) and node.name == func.attr:
                        return node, mod
            elif func.value.id in mod.imports:
                module, name = mod.imports[func.value.id]
                target = self.modules.get(f"{module}.{name}" if name else module)
                found = target and self.top_level(target, func.attr)
                if target and found:
                    return found, target
        raise Unresolved(f"{mod.where(call)}: cannot find {ast.unparse(func)}")

    @staticmethod
    def top_level(mod: Module, name: str) -> Function | None:
        return next((n for n in mod.tree.body if isinstance(n, Function) and n.name == name), None)

    def family(self, mod: Module, cls: ast.ClassDef) -> set[ast.ClassDef]:
        """The class and every class that inherits from it (through ``from m import C``)."""
        found = {cls}
        places = {(mod.name, cls.name)}
        grew = True
        while grew:
            grew = False
            for other in self.modules.values():
                for node in ast.walk(other.tree):
                    if not isinstance(node, ast.ClassDef) or node in found:
                        continue
                    bases = {
                        other.imports.get(b.id, (other.name, b.id))
                        for b in node.bases
                        if isinstance(b, ast.Name)
                    }
                    if bases & places:
                        found.add(node)
                        places.add((other.name, node.name))
                        grew = True
        return found

    def call_sites(self, mod: Module, function: Function) -> Iterator[tuple[ast.Call, Module]]:
        cls = method_of(function, mod)
        family = self.family(mod, cls) if cls is not None else set()
        for caller in self.modules.values():
            for node in ast.walk(caller.tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                if cls is not None:
                    if (
                        isinstance(func, ast.Attribute)
                        and func.attr == function.name
                        and isinstance(func.value, ast.Name)
                        and func.value.id == "self"
                        and caller.class_of(node) in family
                    ):
                        yield node, caller
                elif isinstance(func, ast.Name):
                    origin = caller.imports.get(func.id, (caller.name, func.id))
                    if origin == (mod.name, function.name):
                        yield node, caller
                elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    module, name = caller.imports.get(func.value.id, ("", ""))
                    full = f"{module}.{name}" if name else module
                    if func.attr == function.name and full == mod.name:
                        yield node, caller

    @staticmethod
    def argument(function: Function, mod: Module, call: ast.Call, name: str) -> ast.expr | None:
        """What ``call`` passes for the parameter ``name`` of ``function``, if it says."""
        names = parameters(function, mod)
        if name in names:
            index = names.index(name)
            if index < len(call.args) and not any(
                isinstance(a, ast.Starred) for a in call.args[: index + 1]
            ):
                return call.args[index]
        return next((k.value for k in call.keywords if k.arg == name), None)

    def bind(
        self, function: Function, mod: Module, call: ast.Call, ctx: Context
    ) -> dict[str, tuple[ast.expr, Context]]:
        names = parameters(function, mod) + [a.arg for a in function.args.kwonlyargs]
        return {
            name: (argument, ctx)
            for name in names
            if (argument := self.argument(function, mod, call, name)) is not None
        }


def every_event_built(modules: dict[str, Module]) -> set[str]:
    return {
        mod.where(node)
        for mod in modules.values()
        if not mod.name.startswith("sunlit.core.eventlog")
        for node in ast.walk(mod.tree)
        if isinstance(node, ast.Call) and mod.imported(node.func, EVENTLOG, "Event")
    }


@pytest.fixture(scope="module")
def scan() -> Scan:
    scan = Scan()
    scan.run()
    return scan


def documented_types() -> set[str]:
    """Types named in a heading, or in the first cell of a table row, of docs/events.md."""
    names = set()
    for line in (ROOT / "docs" / "events.md").read_text("utf-8").splitlines():
        if line.startswith("#"):
            names.update(re.findall(r"`([a-z_.]+)`", line))
        elif line.startswith("|"):
            names.update(re.findall(r"`([a-z_.]+)`", line.split("|")[1]))
    return names


def test_the_scan_follows_every_way_an_event_is_written(scan: Scan) -> None:
    assert every_event_built(scan.modules) - scan.built == set()
    assert {
        "order.placed",  # the order desk's multi-row INSERT (row_values)
        "viewer.joined",  # the live recorder, through the hub's helper
        "order.paid",  # append() of a helper's event, the type a parameter
        "case.confirmed",  # a type chosen in a local variable
        "plan.drafted",  # a type assigned in either branch
        "account.registered",  # a helper in another module
    } <= set(scan.types)
    outside = set(scan.types) - {t.value for t in EventType}
    assert outside == set(), "add these to EventType: Sunlit's own reader refuses unknown types"


def test_every_event_type_written_is_documented(scan: Scan) -> None:
    missing = {
        kind: sorted(places)
        for kind, places in scan.types.items()
        if kind not in documented_types()
    }
    assert missing == {}, "add these to docs/events.md (a table row or a heading)"
