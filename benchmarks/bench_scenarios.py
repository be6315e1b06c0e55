"""Scenario benchmark: tierbook whatif (compare, writing nothing) and --apply next to tierbook assign.

A comparison is one engine run per scenario plus the current run; applying
is an Assign Tiers with the scenario's cells patched first. The table shows
both next to the plain assign of the same book.

    python benchmarks/bench_scenarios.py [SIZES ...]      (default: 10000 100000)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from tierbook.workbook.assign import assign
from tierbook.workbook.create import new_book
from tierbook.workbook.package import Package
from tierbook.workbook.read import read_book
from tierbook.workbook.scenario import compare_book, parse_scenarios
from tierbook.workbook.scenario_apply import apply_scenario

SCENARIOS = ["Wider", "account_bands:High-touch=25%", "Dearer", "unit_cost:Quarterly Business Review=2500",
             "Shares", "policy=arr-share"]


def seconds(step) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def bench(n: int, folder: Path) -> tuple[int, float, float, float, float]:
    master = folder / f"master-{n}.xlsx"
    new_book(master, sample=n, seed=3)
    scenarios = parse_scenarios(SCENARIOS)
    book = folder / f"book-{n}.xlsx"
    shutil.copy(master, book)
    one = seconds(lambda: compare_book(read_book(Package.open(book)), []))
    three = seconds(lambda: compare_book(read_book(Package.open(book)), scenarios))
    plain = seconds(lambda: assign(book, backup=False))
    shutil.copy(master, book)
    applied = seconds(lambda: apply_scenario(book, scenarios[0], backup=False))
    return n, one, three, plain, applied


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [10_000, 100_000]
    print(f"{'accounts':>9}  {'read + current run':>18}  {'+ 3 scenarios':>13}  {'assign':>7}  {'--apply':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            n, one, three, plain, applied = bench(n, Path(tmp))
            print(f"{n:>9,}  {one:>16.2f} s  {three:>11.2f} s  {plain:>5.2f} s  {applied:>5.2f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
