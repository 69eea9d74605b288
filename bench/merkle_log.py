"""The transparency log's tree at the size issue 22 names: append 1,000,000 leaves to
``AppendOnlyTree``, then serve 1,000 inclusion proofs (random leaves, against the latest head)
and 1,000 consistency proofs (from random earlier sizes to the latest head), verifying each
with the RFC 9162 verifiers. Prints the time to append, the memory it took, and the time per
proof and per verification (median, p95, max).

    .venv/bin/python bench/merkle_log.py [--leaves 1000000] [--proofs 1000] [--budget 60]

Memory is measured twice: the process's peak resident set (``resource``) before and after the
appends, and, with ``--tracemalloc``, the peak of Python's allocations while appending (which
slows the appends down about threefold, so their time is then not reported). ``--scratch``
also times one root computed from the leaf hashes alone, what the tree saves each time.
Each proof phase stops after ``--budget`` seconds and says so.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date

from sunlit.core.merkle import (
    AppendOnlyTree,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def figures(seconds: list[float]) -> str:
    micros = sorted(s * 1e6 for s in seconds)
    p95 = micros[min(len(micros) - 1, int(len(micros) * 0.95))]
    return (
        f"median {statistics.median(micros):7.1f} µs   p95 {p95:7.1f} µs   max {micros[-1]:7.1f} µs"
    )


def record(i: int) -> bytes:
    """A stand-in for a published record (59 bytes)."""
    return b'{"kind":"figure.revised","id":"fg-%010d","revision":1}' % i


def append_leaves(tree: AppendOnlyTree, count: int) -> float:
    started = time.perf_counter()
    append = tree.append
    for i in range(count):
        append(leaf_hash(record(i)))
    return time.perf_counter() - started


def timed_phase(
    name: str, count: int, budget: float, step: Callable[[random.Random], tuple[float, float]]
) -> None:
    rng = random.Random(22)
    made: list[float] = []
    checked: list[float] = []
    deadline = time.perf_counter() + budget
    for _ in range(count):
        if time.perf_counter() > deadline:
            print(f"  (stopped after {len(made)} of {count}: --budget {budget:.0f} s)")
            break
        make, check = step(rng)
        made.append(make)
        checked.append(check)
    print(f"{name}: {len(made)} proofs, all verified")
    print(f"  make:   {figures(made)}")
    print(f"  verify: {figures(checked)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=1_000)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per proof phase")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--scratch", action="store_true")
    args = parser.parse_args()

    print(
        f"{date.today().isoformat()}  Python {platform.python_version()}  "
        f"{platform.machine()}  {os.cpu_count()} CPUs"
    )
    tree = AppendOnlyTree()
    rss_before = peak_rss_mib()
    if args.tracemalloc:
        tracemalloc.start()
        append_leaves(tree, args.leaves)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"append {args.leaves:,} leaves (traced, time not comparable)")
        print(f"  traced peak: {traced_peak / 2**20:.1f} MiB")
    else:
        seconds = append_leaves(tree, args.leaves)
        rate = args.leaves / seconds
        print(f"append {args.leaves:,} leaves: {seconds:.2f} s ({rate:,.0f} leaves/s)")
    rss_after = peak_rss_mib()
    print(
        f"  peak RSS: {rss_before:.0f} MiB before, {rss_after:.0f} MiB after "
        f"(+{rss_after - rss_before:.0f} MiB, {(rss_after - rss_before) * 2**20 / args.leaves:.0f}"
        " bytes a leaf)"
    )

    n = len(tree)
    started = time.perf_counter()
    head = tree.root()
    print(f"root of {n:,} leaves from the tree: {(time.perf_counter() - started) * 1e6:.0f} µs")
    if args.scratch:
        started = time.perf_counter()
        assert root(tree.leaf_hashes) == head
        print(f"  the same root from the leaf hashes alone: {time.perf_counter() - started:.2f} s")

    def inclusion(rng: random.Random) -> tuple[float, float]:
        index = rng.randrange(n)
        started = time.perf_counter()
        proof = tree.inclusion_proof(index)
        made = time.perf_counter()
        ok = verify_inclusion(tree.leaf_hashes[index], index, n, proof, head)
        checked = time.perf_counter()
        if not ok:
            sys.exit(f"inclusion proof for leaf {index} of {n} did not verify")
        return made - started, checked - made

    roots: dict[int, bytes] = {}

    def consistency(rng: random.Random) -> tuple[float, float]:
        old = rng.randint(1, n - 1)
        old_root = roots.setdefault(old, tree.root(old))  # the head a client kept
        started = time.perf_counter()
        proof = tree.consistency_proof(old)
        made = time.perf_counter()
        ok = verify_consistency(old, n, old_root, head, proof)
        checked = time.perf_counter()
        if not ok:
            sys.exit(f"consistency proof from {old} to {n} did not verify")
        return made - started, checked - made

    timed_phase("inclusion, latest head", args.proofs, args.budget, inclusion)
    timed_phase("consistency, old size to latest head", args.proofs, args.budget, consistency)


if __name__ == "__main__":
    main()
