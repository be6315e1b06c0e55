"""Scenario benchmark: tierbook whatif (compare, writing nothing) and --apply next to tierbook assign.

A comparison is one engine run per scenario plus the current run; applying
is an Assign Tiers with the scenario's cells patched first. The table shows
both next to the plain assign of the same book. ``--write`` is the Compare
Scenarios button's work on a file (the comparison onto the Scenarios sheet).
The last two columns are the peak memory (tracemalloc) of comparing the
three scenarios keeping every run, and as the button does in xlwings Lite:
keeping only the current run and each scenario's tables.

    python benchmarks/bench_scenarios.py [SIZES ...]      (default: 10000 100000)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from tierbook.workbook.assign import assign
from tierbook.workbook.create import new_book
from tierbook.workbook.package import Package
from tierbook.workbook.read import read_book
from tierbook.workbook.scenario import compare_book, parse_scenarios
from tierbook.workbook.scenario_apply import apply_scenario, write_scenarios_sheet
from tierbook.workbook.scenario_sheet import plan_compare

SCENARIOS = ["Wider", "account_bands:High-touch=25%", "Dearer", "unit_cost:Quarterly Business Review=2500",
             "Shares", "policy=arr-share"]


def seconds(step) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def peak_mib(step) -> float:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def bench(n: int, folder: Path) -> tuple[float, ...]:
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
    written = seconds(lambda: write_scenarios_sheet(book, lambda b: plan_compare(b, compare_book(b, scenarios)),
                                                    backup=False))
    found = read_book(Package.open(book))
    kept = peak_mib(lambda: compare_book(found, scenarios))
    lean = peak_mib(lambda: compare_book(found, scenarios, keep_runs=False, movers_limit=10))
    return n, one, three, plain, applied, written, kept, lean


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [10_000, 100_000]
    print(f"{'accounts':>9}  {'read + current run':>18}  {'+ 3 scenarios':>13}  {'assign':>7}  {'--apply':>7}  "
          f"{'--write':>7}  {'all runs kept':>13}  {'lean (Lite)':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            n, one, three, plain, applied, written, kept, lean = bench(n, Path(tmp))
            print(f"{n:>9,}  {one:>16.2f} s  {three:>11.2f} s  {plain:>5.2f} s  {applied:>5.2f} s  {written:>5.2f} s  "
                  f"{kept:>9.0f} MiB  {lean:>7.0f} MiB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
