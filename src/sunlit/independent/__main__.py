"""``python -m sunlit.independent OUT.jsonl --seed N --viewers N --abuse rule:camouflage``.

Writes the stream to OUT.jsonl and its labels to OUT.labels.json."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from sunlit.independent.generator import CAMOUFLAGES, RULES, generate


def labels_path(out: Path) -> Path:
    stem = out.name.removesuffix(".jsonl")
    return out.with_name(stem + ".labels.json")


def parse_abuse(text: str) -> tuple[str, str]:
    rule, _, camouflage = text.partition(":")
    camouflage = camouflage or "default"
    if rule not in RULES or camouflage not in CAMOUFLAGES:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected RULE:CAMOUFLAGE with RULE one of {', '.join(sorted(RULES))} "
            f"and CAMOUFLAGE one of {', '.join(CAMOUFLAGES)}"
        )
    return rule, camouflage


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sunlit.independent",
        description="Write an independent labelled event stream.",
    )
    parser.add_argument("out", type=Path, help="the stream to write (JSON Lines)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--viewers", type=int, default=500)
    parser.add_argument(
        "--abuse",
        type=parse_abuse,
        action="append",
        default=[],
        help="RULE:CAMOUFLAGE, repeatable; all go into one session",
    )
    parser.add_argument("--honest-sessions", type=int, default=0)
    args = parser.parse_args(argv)
    data, labels = generate(
        args.seed, args.viewers, args.abuse, honest_sessions=args.honest_sessions
    )
    args.out.write_bytes(data)
    target = labels_path(args.out)
    target.write_text(json.dumps(labels, ensure_ascii=False, indent=2) + "\n", "utf-8")
    lines = data.count(b"\n")
    print(f"{lines} events -> {args.out}; {len(labels)} labels -> {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
