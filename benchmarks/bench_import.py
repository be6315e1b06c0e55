"""``tierbook import`` into a tiered workbook at scale.

    python benchmarks/bench_import.py [SIZES ...]      (default 10000 100000)

For each size, a workbook is made from the template with that many clean
sample accounts and tiered once. Each import then runs on a fresh copy, in a
fresh process, timed inside it (imports excluded), with that process's peak
memory (max RSS):

- same: the export holds exactly the book's accounts (nothing to write but the mapping);
- replace: every other account left the CRM (``--replace``: half the rows close up, outputs move with them);
- columns: the export brings two columns the table lacks (inserted before Tier Override).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "addin"))

CASES = ("same", "replace", "columns")


def child(export: str, book: str, replace: bool) -> dict[str, float]:
    from tierbook.tasks import import_crm

    start = time.perf_counter()
    report = import_crm(export, book, replace=replace)
    return {"seconds": time.perf_counter() - start, "rows": len(report.merge.table)}


def measure(export: Path, book: Path, replace: bool) -> tuple[float, float]:
    """(seconds, peak MB) of one import in a fresh process."""
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(export), str(book), str(int(replace))],
                            stdout=subprocess.PIPE)
    out = proc.stdout.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"import of {export.name} failed")
    return json.loads(out)["seconds"], usage.ru_maxrss / 1024


def make_case(folder: Path, n: int) -> tuple[Path, dict[str, Path]]:
    from tierbook.sample import sample_accounts
    from tierbook.workbook.assign import assign
    from tierbook.workbook.create import accounts_input_parts
    from tierbook.workbook.package import Package, save_package
    from tierbook.workbook.template import build_template

    accounts = sample_accounts(n, seed=7, defects=False)
    book = folder / f"book-{n}.xlsx"
    package = Package.open(book.name, build_template())
    save_package(package, accounts_input_parts(package, accounts), book, backup=False)
    assign(book, backup=False)
    exports = {case: folder / f"{case}-{n}.csv" for case in CASES}
    accounts.to_csv(exports["same"], index=False)
    accounts.iloc[1::2].to_csv(exports["replace"], index=False)
    accounts.assign(Phone="+1 555 0100", Type="Customer").to_csv(exports["columns"], index=False)
    return book, exports


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(child(argv[1], argv[2], argv[3] == "1")))
        return 0
    sizes = [int(a.replace("_", "").replace(",", "")) for a in argv] or [10_000, 100_000]
    print(f"{'accounts':>9}  {'import':<8}  {'seconds':>8}  {'peak MB':>8}")
    with tempfile.TemporaryDirectory(prefix="tierbook-bench-") as tmp:
        for n in sizes:
            book, exports = make_case(Path(tmp), n)
            for case in CASES:
                copy = Path(tmp) / f"copy-{n}.xlsx"
                shutil.copy(book, copy)
                seconds, mb = measure(exports[case], copy, replace=case == "replace")
                print(f"{n:>9,}  {case:<8}  {seconds:>8.2f}  {mb:>8.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
