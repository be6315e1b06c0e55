"""Every Tierbook benchmark, one table each: ``./run bench`` (or ``python benchmarks/run.py``).

    python benchmarks/run.py            engine at 10k/100k/1M; workbook assign, import, the Lite script and
                                        scenarios at 10k/100k;
                                        live-band SQL in DuckDB at 1M/10M and Spark at 1M; assign up to Excel's
                                        last row (10k/100k/1,048,575) against the patch and rewrite floors
    python benchmarks/run.py --quick    engine at 10k/100k; workbook assign, import, the Lite script and
                                        scenarios at 10k;
                                        live-band SQL in DuckDB at 10k/100k; assign at scale at 10k
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    engine = ["--sizes", "10000,100000" if quick else "10000,100000,1000000"]
    workbook = ["10000"] if quick else ["10000", "100000"]
    print("== Engine: check, segment, tier, price (reference: numpy.argsort of ARR) ==", flush=True)
    code = subprocess.call([sys.executable, str(HERE / "bench_engine.py"), *engine])
    print("\n== Workbook: tierbook assign (floor: fastexcel read + writing one sheet) ==", flush=True)
    code = code or subprocess.call([sys.executable, str(HERE / "bench_workbook.py"), *workbook])
    print("\n== Import: tierbook import into a tiered workbook (same accounts, --replace half, two new columns) ==",
          flush=True)
    code = code or subprocess.call([sys.executable, str(HERE / "bench_import.py"), *workbook])
    print("\n== xlwings Lite: main.py size and start-up; Assign Tiers through xlwings' remote engine "
          "(payload sent, actions returned) ==", flush=True)
    code = code or subprocess.call([sys.executable, str(HERE / "bench_lite.py"), *workbook])
    print("\n== Scenarios: tierbook whatif (current run, then 3 scenarios) and --apply next to assign ==", flush=True)
    code = code or subprocess.call([sys.executable, str(HERE / "bench_scenarios.py"), *workbook])
    live = ["--sizes", "10000,100000", "--spark", "none"] if quick else []
    print("\n== Live ARR bands: the SQL in DuckDB and Spark next to the engine, same accounts ==", flush=True)
    code = code or subprocess.call([sys.executable, str(HERE / "bench_live.py"), *live])
    scale = ["--sizes", "10000" if quick else "10000,100000,1048575"]
    print("\n== Scale: tierbook assign up to Excel's last row (patch and rewrite floors as whole processes; "
          "the whole engine against numpy.argsort) ==", flush=True)
    return code or subprocess.call([sys.executable, str(HERE / "bench_scale.py"), *scale])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
