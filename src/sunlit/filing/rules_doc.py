"""``docs/boundary-rules.md``, generated from the boundary rules' registry (``sunlit filing
rules-doc``); a test keeps the file equal to it."""

from __future__ import annotations

from sunlit.filing.model import HostKind
from sunlit.filing.rules import REGISTRY


def rules_markdown() -> str:
    """``docs/boundary-rules.md``, from the registry."""
    lines = [
        "# Boundary rules",
        "",
        "Generated from `sunlit.filing.rules` by `sunlit filing rules-doc`; a test keeps this",
        "file equal to the registry. A plan with a `block` finding cannot be approved; a `warn`",
        "finding is shown to the supervisor, who decides. A rule binds the hosts it names: an",
        "official, a producer hosting its own session, or both.",
        "",
        "| rule | what it requires | binds | severity | source | settings (default) |",
        "|---|---|---|---|---|---|",
    ]
    for r in REGISTRY:
        settings = "; ".join(f"`{s.name}` = {s.default}: {s.description}" for s in r.settings)
        binds = ", ".join(h.value for h in HostKind if h in r.hosts)
        cells = [f"`{r.id}`", r.description, binds, r.severity.value, r.source.cite()]
        lines.append(f"| {' | '.join(cells)} | {settings or '—'} |")
    return "\n".join(lines) + "\n"
