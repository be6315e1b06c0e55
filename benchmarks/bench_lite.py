"""xlwings Lite scale: the payload Assign Tiers receives and its time through xlwings' remote engine.

    python benchmarks/bench_lite.py [SIZES...]      (default 10000 100000)

Builds a tiered-once workbook of N sample accounts, builds the JSON an Excel
client sends for the sheets the script includes, and runs the script as Lite
does (xlwings.server.custom_scripts_call). The remote engine is xlwings PRO,
used here under its free noncommercial key.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
import resource
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ.setdefault("XLWINGS_ON_SERVER", "true")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import xlwings as xw  # noqa: E402
import xlwings.server  # noqa: E402

import tierbook.excel.scripts as scripts  # noqa: E402
from tests.excel.officejs import payload  # noqa: E402
from tierbook.workbook.create import new_book  # noqa: E402


def measure(n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Tierbook.xlsx"
        new_book(path, sample=n, seed=3)
        all_sheets = payload(path)
        included = payload(path, list(scripts.ASSIGN_SHEETS))
        wire = json.dumps(included, default=str)
        start = time.perf_counter()
        book = xw.Book(json=json.loads(wire))  # what arrives: JSON text, parsed
        asyncio.run(xlwings.server.custom_scripts_call(module=scripts, script_name="assign_tiers",
                                                       typehint_to_value={xw.Book: book}))
        actions = book.json()["actions"]
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # this process, so far
        xlwings.pro._xlremote.get_range_api.cache_clear()
        return {"accounts": n, "all_bytes": len(json.dumps(all_sheets, default=str)),
                "payload_bytes": len(wire),
                "actions_bytes": len(json.dumps(actions, default=str)), "seconds": seconds, "peak": peak}


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [10_000, 100_000]
    print(f"{'accounts':>9}  {'whole book MB':>13}  {'sent MB':>8}  {'returned MB':>11}  {'script s':>8}  {'peak RSS MB':>11}")
    for n in sizes:
        r = measure(n)
        print(f"{n:>9,}  {r['all_bytes'] / 1e6:>13.1f}  {r['payload_bytes'] / 1e6:>8.1f}  "
              f"{r['actions_bytes'] / 1e6:>11.1f}  {r['seconds']:>8.2f}  {r['peak'] / 1e6:>11.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
