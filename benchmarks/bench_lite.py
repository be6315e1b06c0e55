"""xlwings Lite: the workbook's main.py (size and start-up), and Assign Tiers through xlwings' remote engine.

    python benchmarks/bench_lite.py [SIZES...]      (default 10000 100000)

First table: the bundled main.py, its size inside the workbook, and what
starting it costs in a fresh interpreter (best of five): unpacking the package
into a temporary folder, then importing the functions and the button scripts.
numpy, pandas and xlwings are imported before the clock starts, as Lite loads
them anyway. This is CPython on this machine; Pyodide (WebAssembly) runs the
same steps slower.

Second table: builds a tiered-once workbook of N sample accounts, builds the
JSON an Excel client sends for the sheets the script includes, and runs the
script as Lite does (xlwings.server.custom_scripts_call). The remote engine
is xlwings PRO, used here under its free noncommercial key.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
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
from tierbook.workbook import addin, bundle  # noqa: E402
from tierbook.workbook.create import new_book  # noqa: E402

# Runs in a fresh interpreter: main.py's statements up to the Tierbook imports (the unpack), then those imports.
STARTUP_PROBE = """
import ast, json, os, sys, time
import numpy, pandas, xlwings, xlwings.server
tree = ast.parse(open(sys.argv[1]).read())
imports = [n for n in tree.body if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("tierbook")]
rest = [n for n in tree.body if n not in imports]
ns = {"__name__": "main"}
t0 = time.perf_counter()
exec(compile(ast.Module(rest, []), "main.py", "exec"), ns)
t1 = time.perf_counter()
exec(compile(ast.Module(imports, []), "main.py", "exec"), ns)
t2 = time.perf_counter()
root = os.path.dirname(os.path.dirname(sys.modules["tierbook"].__file__))
assert "/addin" not in root, root
print(json.dumps({"unpack": t1 - t0, "import": t2 - t1,
                  "modules": sum(1 for m in sys.modules if m.split(".")[0] == "tierbook")}))
"""


def startup(runs: int = 5) -> dict[str, float]:
    """main.py's size in the workbook and its best start-up times over ``runs`` fresh interpreters."""
    main = addin.main_py()
    part = addin.webextension_xml(main, addin.requirements_txt(), addin.TEMPLATE_IDENTITY)
    env = {**os.environ, "PYTHONPATH": "", "XLWINGS_LICENSE_KEY": "noncommercial", "XLWINGS_ON_SERVER": "true"}
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "main.py").write_text(main)
        for _ in range(runs):
            out = subprocess.run([sys.executable, "-c", STARTUP_PROBE, "main.py"], cwd=tmp, env=env,
                                 capture_output=True, text=True, check=True)
            times.append(json.loads(out.stdout.strip().splitlines()[-1]))
    sources = bundle.package_sources()
    return {"files": len(sources), "source_bytes": sum(len(s.encode()) for s in sources.values()),
            "main_chars": len(main), "part_bytes": len(part), "modules": times[0]["modules"],
            "unpack": min(t["unpack"] for t in times), "import": min(t["import"] for t in times)}


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
    r = startup()
    print(f"{'files':>5}  {'source KB':>9}  {'main.py KB':>10}  {'add-in part KB':>14}  {'modules':>7}  "
          f"{'unpack ms':>9}  {'import ms':>9}  {'start-up ms':>11}")
    print(f"{r['files']:>5}  {r['source_bytes'] / 1e3:>9.0f}  {r['main_chars'] / 1e3:>10.0f}  "
          f"{r['part_bytes'] / 1e3:>14.0f}  {r['modules']:>7}  {r['unpack'] * 1e3:>9.0f}  {r['import'] * 1e3:>9.0f}  "
          f"{(r['unpack'] + r['import']) * 1e3:>11.0f}\n", flush=True)
    print(f"{'accounts':>9}  {'whole book MB':>13}  {'sent MB':>8}  {'returned MB':>11}  {'script s':>8}  {'peak RSS MB':>11}")
    for n in sizes:
        r = measure(n)
        print(f"{n:>9,}  {r['all_bytes'] / 1e6:>13.1f}  {r['payload_bytes'] / 1e6:>8.1f}  "
              f"{r['actions_bytes'] / 1e6:>11.1f}  {r['seconds']:>8.2f}  {r['peak'] / 1e6:>11.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
