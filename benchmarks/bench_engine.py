"""Engine benchmark: check, segment, tier (each policy), policy checks and price at 10k/100k/1M accounts.

The reference is a bare ``numpy.argsort`` of the ARR column, measured in the
same run on the same machine; the goal is that tiering and pricing 1,000,000
accounts costs at most 5x that reference and stays under 2 GiB.

    python benchmarks/bench_engine.py [--sizes 10000,100000,1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from tierbook.engine import POLICIES, Settings, prepare_accounts
from tierbook.engine.checks import check_accounts
from tierbook.engine.pipeline import price
from tierbook.engine.rule_checks import check_policy
from tierbook.engine.segments import assign_segments
from tierbook.engine.services import default_catalog, default_matrix, validate_catalog, validate_matrix
from tierbook.engine.tiers import assign_tiers
from tierbook.columns import Col
from tierbook.sample import sample_accounts

GOAL_RATIO = 5.0
GOAL_BYTES = 2 * 1024**3


def measure(step: Callable[[], object], repeat: int) -> tuple[float, int, object]:
    """Best-of-``repeat`` seconds, and the peak traced memory of one run."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = step()
        best = min(best, time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak, result


def bench_size(n: int, repeat: int) -> list[dict[str, object]]:
    raw = sample_accounts(n, seed=11, defects=True)
    rows: list[dict[str, object]] = []
    arr_column = np.asarray(prepare_accounts(raw).numbers[Col.ARR].values)
    ref_s, ref_mem, _ = measure(lambda: np.argsort(arr_column), max(repeat, 5))
    rows.append({"step": "reference: numpy.argsort(ARR)", "seconds": ref_s, "peak": ref_mem})

    def add(step: str, seconds: float, peak: int, ratio: bool = False) -> None:
        rows.append({"step": step, "seconds": seconds, "peak": peak,
                     "ratio": seconds / ref_s if ratio else None})

    s, m, accounts = measure(lambda: prepare_accounts(raw), repeat)
    add("read: parse + type columns", s, m)
    base = Settings()
    s, m, _ = measure(lambda: check_accounts(accounts, base), repeat)
    add("check", s, m)
    s, m, segments = measure(lambda: assign_segments(accounts, base), repeat)
    add("segment", s, m)
    for policy in POLICIES:
        settings = Settings(policy=policy)
        catalog = validate_catalog(default_catalog(settings))
        matrix = validate_matrix(default_matrix(settings.tier_names), catalog, settings)
        s_tier, m_tier, tiers = measure(lambda: assign_tiers(accounts, segments, settings), repeat)
        add(f"tier: {policy}", s_tier, m_tier, ratio=True)
        s_why, m_why, _ = measure(tiers.explain, 1)
        add(f"explain (reason text): {policy}", s_why, m_why)
        s_chk, m_chk, _ = measure(lambda: check_policy(accounts, segments, settings, tiers), repeat)
        add(f"policy checks: {policy}", s_chk, m_chk)
        s_price, m_price, _ = measure(
            lambda: price(accounts, settings, catalog, matrix, None, segments, tiers), repeat  # type: ignore[arg-type]
        )
        add(f"tier + price: {policy}", s_tier + s_price, max(m_tier, m_price), ratio=True)
    for row in rows:
        row["accounts"] = n
    return rows


def print_table(rows: list[dict[str, object]]) -> None:
    header = f"{'accounts':>10}  {'step':<36} {'seconds':>9} {'peak MiB':>9} {'x argsort':>10}"
    print(header)
    print("-" * len(header))
    for row in rows:
        ratio = row.get("ratio")
        print(f"{row['accounts']:>10,}  {row['step']:<36} {row['seconds']:>9.3f} "
              f"{row['peak'] / 2**20:>9.1f} {'' if ratio is None else f'{ratio:.1f}':>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows: list[dict[str, object]] = []
    for n in (int(s) for s in args.sizes.split(",")):
        rows += bench_size(n, args.repeat)
    print("Engine benchmark (best of --repeat runs; peak = traced Python+numpy allocations of one run)")
    print_table(rows)
    worst = max((r for r in rows if r["step"].startswith("tier + price") and r["accounts"] == max(r2["accounts"] for r2 in rows)),
                key=lambda r: r["ratio"])
    print(f"\nGoal: tier + price at the largest size <= {GOAL_RATIO:g}x argsort and < 2 GiB; "
          f"worst policy {worst['step'].split(': ')[1]}: {worst['ratio']:.1f}x, peak {worst['peak'] / 2**20:.0f} MiB.")


if __name__ == "__main__":
    main()
