"""The rules between contexts, as data, and a reader of the package's imports (ast; nothing is
imported or run). ``tests/test_architecture.py`` holds the code to them; ``docs/architecture.md``
shows the context map rendered from :data:`LAYERS` (``make context-map`` writes it)."""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"

#: Below every context: value types, storage plumbing, the settings object.
SHARED = frozenset({"core", "settings", "__init__", "__main__", "migrations"})

#: The contexts from the top down, with what each is for. A context imports only from contexts
#: in layers below its own (and from the shared parts); never sideways, never up. The command
#: line sits on top, above the composition root (``app``): a command that runs use cases needs
#: the same wiring as the application (the reactions between contexts), and both may import
#: anything below them.
LAYERS: tuple[tuple[tuple[str, str], ...], ...] = (
    (("cli", "the `sunlit` command, on the composition root's wiring"),),
    (("app", "the composition root: application factory, services, jobs, reactions, home"),),
    (("demo", "the demo region: seeds every context through its services"),),
    (("disclosure", "public session pages (公示): what everyone sees of a session"),),
    (("lab", "integrity evaluation: simulator runs, baselines, detection time"),),
    (("integrity", "detectors, findings, the case queue, verified figures"),),
    (
        (
            "fulfilment",
            "shipments, tracking, after-sales, arbitration, reviews, the order page",
        ),
    ),
    (("orders", "the order desk, checkout, the order's state machine, refunds"),),
    (("live", "live rooms: chat, presence, pins, the WebSocket server"),),
    (("participation", "price consent, anonymous reports, ratings, follows, producer pages"),),
    (("filing", "session plans, boundary rules, review, stream keys"),),
    (("payments", "charges, the ledger, payouts, the sandbox gateway"),),
    (("catalog", "producers, products, price bands, quality, unsalable stock, imports"),),
    (("notifications", "what each person is told: the list, unread, read; fed by events"),),
    (("accounts", "accounts, roles, sign-in, sessions, tokens, who is asking"),),
    (("web", "the web kit: forms, rendering, middleware, security headers, deps"),),
    (
        ("simulate", "the crowd simulator (event streams with known abuses)"),
        ("independent", "a second event-stream generator, from the public specs only"),
    ),
)
#: Where the application is put together: may import every context's routes and tables.
COMPOSITION = frozenset({"app"})
ROUTE_SUFFIXES = ("api", "pages")
#: Third-party libraries a pure module may use: values, validation and arithmetic, no I/O.
PURE_LIBRARIES = frozenset({"orjson", "numpy", "scipy", "pydantic"})
#: Pure modules besides every ``model`` module: they import nothing but each other, the
#: standard library and PURE_LIBRARIES.
PURE_MODULES = frozenset(
    {
        "sunlit.core.errors",
        "sunlit.core.money",
        "sunlit.core.ids",
        "sunlit.core.text",
        "sunlit.core.clock",
        "sunlit.core.merkle",
        "sunlit.filing.rules",
        "sunlit.filing.sources",
        "sunlit.integrity.cases",
        "sunlit.payments.ledger",
        "sunlit.disclosure.outcome",
        "sunlit.fulfilment.aftersales.policy",
    }
)
SQL_NAMES = frozenset({"select", "insert", "update", "delete", "text", "func", "exists"})
MAX_LINES = 400


def layer_of() -> dict[str, int]:
    return {name: depth for depth, layer in enumerate(LAYERS) for name, _ in layer}


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    tree: ast.Module
    lines: int

    @property
    def context(self) -> str:
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 else ""

    @property
    def leaf(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def is_route(self) -> bool:
        return self.leaf.endswith(ROUTE_SUFFIXES)


def modules() -> dict[str, Module]:
    found = {}
    for path in sorted((SRC / "sunlit").rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        if "migrations" in rel.parts:
            continue
        name = ".".join(rel.parts).removesuffix(".__init__")
        text = path.read_text("utf-8")
        found[name] = Module(name, path, ast.parse(text), text.count("\n"))
    return found


def imported(module: Module) -> set[str]:
    """Every name the module imports, absolute (``sunlit.a.b`` and ``sunlit.a.b.c`` for
    ``from sunlit.a.b import c``), third-party and standard ones too."""
    package = module.path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.name.split(".")
                if not package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            found |= {f"{name}.{alias.name}" for alias in node.names}
    return found


def resolve(name: str, known: dict[str, Module]) -> str | None:
    """The module a name lives in (``sunlit.a.b.f`` -> ``sunlit.a.b``), or None."""
    while name and name not in known:
        name = name.rsplit(".", 1)[0] if "." in name else ""
    return name or None


def targets(module: Module, known: dict[str, Module]) -> set[str]:
    out = set()
    for name in imported(module):
        if name.startswith("sunlit"):
            target = resolve(name, known)
            if target is not None and target != module.name:
                out.add(target)
    return out


def context_edges(known: dict[str, Module]) -> dict[tuple[str, str], set[str]]:
    """(from context, to context) -> the module imports that make the edge."""
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for module in known.values():
        here = module.context
        if here in SHARED:
            continue
        for target in targets(module, known):
            there = known[target].context
            if there and there != here and there not in SHARED:
                edges[(here, there)].add(f"{module.name} -> {target}")
    return edges


def violations() -> set[str]:
    """Every breach of the rules, one line each (the allowlist's format)."""
    known = modules()
    depth = layer_of()
    out: set[str] = set()
    for module in known.values():
        if module.context and module.context not in SHARED and module.context not in depth:
            out.add(f"unplaced context: {module.context}")
    for (here, there), _ in context_edges(known).items():
        if here in depth and there in depth and depth[there] <= depth[here]:
            out.add(f"upward: {here} -> {there}")
    for module in known.values():
        here = module.context
        for target in targets(module, known):
            other = known[target]
            if other.context in (here, *SHARED) or here in COMPOSITION:
                continue
            if other.leaf == "tables":
                out.add(f"table reach: {module.name} -> {target}")
            if other.is_route:
                out.add(f"route reach: {module.name} -> {target}")
        if module.lines > MAX_LINES:
            out.add(f"over {MAX_LINES} lines: {module.name}")
        if module.is_route:
            out |= _route_queries(module, known)
        if module.leaf == "model" or module.name in PURE_MODULES:
            out |= _impurities(module, known)
    return out


def _route_queries(module: Module, known: dict[str, Module]) -> set[str]:
    out = set()
    for target in targets(module, known):
        if known[target].leaf == "tables":
            out.add(f"route queries: {module.name} imports {target}")
    for node in ast.walk(module.tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("sqlalchemy")
        ):
            for alias in node.names:
                if alias.name in SQL_NAMES:
                    out.add(f"route queries: {module.name} uses sqlalchemy {alias.name}")
    return out


def _impurities(module: Module, known: dict[str, Module]) -> set[str]:
    out = set()
    for name in imported(module):
        top = name.split(".")[0]
        if top in sys.stdlib_module_names or top in PURE_LIBRARIES or name == "__future__":
            continue
        if top != "sunlit":
            out.add(f"impure model: {module.name} imports {top}")
            continue
        target = resolve(name, known)
        if target is None or target == module.name:
            continue
        if known[target].leaf != "model" and target not in PURE_MODULES:
            out.add(f"impure model: {module.name} imports {target}")
    return out


def figures() -> dict[str, float]:
    """The figures the issue names: route share of lines, modules over the limit."""
    known = modules()
    total = sum(m.lines for m in known.values())
    routes = sum(m.lines for m in known.values() if m.is_route)
    return {
        "modules": len(known),
        "lines": total,
        "route_lines": routes,
        "route_share": routes / total,
        "over_limit": sum(1 for m in known.values() if m.lines > MAX_LINES),
    }


def render_map() -> str:
    """The context map for docs/architecture.md, from LAYERS and the imports as they are."""
    known = modules()
    edges = context_edges(known)
    lines = [
        "| layer | context | what it is for | imports from |",
        "|---|---|---|---|",
    ]
    for depth, layer in enumerate(LAYERS):
        for name, purpose in layer:
            uses = sorted(there for (here, there) in edges if here == name)
            lines.append(
                f"| {depth + 1} | `{name}` | {purpose} | "
                + (", ".join(f"`{u}`" for u in uses) or "—")
                + " |"
            )
    return "\n".join(lines) + "\n"


# --- every action records its event ---------------------------------------------------------

#: Where an event is written: a call to one of these records it.
RECORDERS = frozenset({"sunlit.core.eventlog.append", "sunlit.core.eventlog.services.append"})
#: ``do_*`` functions that change state and record no event of their own, each with the reason.
UNRECORDED_ACTIONS: dict[str, str] = {
    "sunlit.accounts.sessions.do_sign_in": "a sign-in session is kept for the cookie alone; "
    "who signs in when is not part of the public record (docs/events.md, Accounts)",
    "sunlit.accounts.sessions.do_sign_out": "as for do_sign_in",
    "sunlit.accounts.services.do_set_language": "a display preference",
    "sunlit.orders.services.do_start_payment": "opens a charge at the gateway; the gateway's "
    "notice records order.paid",
    "sunlit.orders.services.do_refund": "asks the gateway for a refund; its notice records "
    "order.refunded",
    "sunlit.participation.reports.do_file_report": "anonymous: report.filed is written the "
    "next day, in a shuffled batch (docs/anonymous-reports.md)",
    "sunlit.notifications.services.do_notify": "derived from an event already in the log (the "
    "notifications follower reads it: docs/notifications.md)",
    "sunlit.participation.follows.do_follow": "whom a reader follows is their own business, "
    "not part of the public record (docs/follows.md)",
    "sunlit.participation.follows.do_unfollow": "as for do_follow",
    "sunlit.notifications.services.do_mark_read": "a reading mark, like a display preference",
    "sunlit.notifications.services.do_mark_all_read": "as for do_mark_read",
    "sunlit.filing.practice.do_open_room": "a practice room is private and sells nothing: "
    "it is not part of the public record (docs/practice.md)",
    "sunlit.core.regions.register.do_update_regions": "reference data from the published "
    "code list (GB/T 2260), reloaded whole; region.served records what Sunlit serves",
}


def _functions(module: Module) -> dict[str, ast.AsyncFunctionDef | ast.FunctionDef]:
    return {
        node.name: node
        for node in module.tree.body
        if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
    }


def _names(module: Module, known: dict[str, Module]) -> dict[str, str]:
    """What each name bound by the module's imports and functions stands for, absolute."""
    names = {name: f"{module.name}.{name}" for name in _functions(module)}
    for node in module.tree.body:
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
    return names


def _calls(function: ast.AsyncFunctionDef | ast.FunctionDef, names: dict[str, str]) -> set[str]:
    """The absolute names of the module-level functions a function calls (``f()`` and
    ``module.f()``; methods are not followed)."""
    out = set()
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in names:
            out.add(names[func.id])
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in names
        ):
            out.add(f"{names[func.value.id]}.{func.attr}")
    return out


def unrecorded_actions() -> set[str]:
    """Every ``do_*`` function that neither records an event nor calls, directly or through
    other functions of the package, one that does."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for module in known.values():
        names = _names(module, known)
        for name, function in _functions(module).items():
            graph[f"{module.name}.{name}"] = _calls(function, names)
    # ``from sunlit.catalog.products import services as products`` names a module: its
    # functions are reached as ``products.f``, which _names already made absolute.
    recording = set(RECORDERS)
    grew = True
    while grew:
        grew = False
        for name, calls in graph.items():
            if name not in recording and calls & recording:
                recording.add(name)
                grew = True
    return {
        name
        for name in graph
        if name.rsplit(".", 1)[-1].startswith("do_") and name not in recording
    }
