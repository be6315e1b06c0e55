"""The workbook path at scale: ``tierbook assign`` against the floor measured in the same run.

    python benchmarks/bench_workbook.py [SIZES ...]      (default 10000 100000)

For each size, a workbook is made from the template with that many sample
accounts pasted into Accounts (CRM defects included). Each measurement runs in
a fresh process, timed inside it (imports excluded), with that process's peak
memory (max RSS):

- assign, first run: the accounts were just pasted, nothing is tiered yet;
- assign, re-run: the same book again (the usual case: idempotent, only the stamp moves);
- reshape: ``tierbook settings BOOK tiers=...`` giving the tiered book a fourth tier and a renamed one
  (the book rebuilt from the template, every user cell carried over, then Assign Tiers);
- floor: read the Accounts table with the fastest reader (fastexcel, to pandas)
  plus write one sheet of the same size back into a copy of the workbook
  (every cell of the table, as sheet XML, into the zip).

Ratio = assign seconds / floor seconds; the goal at 100,000 accounts is 3 or less.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "addin"))


def child(task: str, path: str) -> dict[str, float]:
    if task == "assign":
        from tierbook.workbook.assign import assign

        start = time.perf_counter()
        result = assign(path, backup=False)
        return {"seconds": time.perf_counter() - start, "accounts": result.accounts}
    if task == "reshape":
        from tierbook.workbook.reshape import reshape_book

        start = time.perf_counter()
        result = reshape_book(path, "High-touch=Strategic,Mid-touch,Tech-touch,Community", backup=False)
        return {"seconds": time.perf_counter() - start, "accounts": result.assigned.accounts}
    if task == "floor":
        import fastexcel

        from tierbook.workbook.cells import value_cell, col_letter
        from tierbook.workbook.package import Package

        start = time.perf_counter()
        frame = fastexcel.read_excel(path).load_sheet("Accounts", dtypes="string").to_pandas()
        read = time.perf_counter() - start
        package = Package.open(path)
        letters = [col_letter(j + 1) for j in range(frame.shape[1])]
        rows = []
        for i, values in enumerate(frame.itertuples(index=False), start=2):
            cells = "".join(value_cell(f"{letters[j]}{i}", None, v) for j, v in enumerate(values))
            rows.append(f'<row r="{i}">{cells}</row>')
        part = package.sheet_part("Accounts")
        xml = package.text(part)
        head, tail = xml[: xml.index("<sheetData")], xml[xml.index("</sheetData>") + len("</sheetData>"):]
        sheet = head + "<sheetData>" + "".join(rows) + "</sheetData>" + tail
        package.write_zip(Path(path).with_suffix(".floor.xlsx"), {part: sheet.encode("utf-8")})
        return {"seconds": time.perf_counter() - start, "read": read, "accounts": len(frame)}
    raise SystemExit(f"unknown task {task}")


def measure(task: str, path: Path) -> tuple[float, float, dict[str, float]]:
    """(seconds, peak MB, details) of one task in a fresh process."""
    proc = subprocess.Popen([sys.executable, __file__, "--child", task, str(path)], stdout=subprocess.PIPE)
    out = proc.stdout.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{task} failed ({proc.returncode})")
    result = json.loads(out)
    return result["seconds"], usage.ru_maxrss / 1024, result


def make_book(path: Path, n: int) -> None:
    from tierbook.sample import sample_accounts
    from tierbook.workbook.create import accounts_input_parts
    from tierbook.workbook.package import Package, save_package
    from tierbook.workbook.template import build_template

    package = Package.open(path.name, build_template())
    save_package(package, accounts_input_parts(package, sample_accounts(n, seed=7, defects=True)), path, backup=False)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(child(argv[1], argv[2])))
        return 0
    sizes = [int(a.replace("_", "").replace(",", "")) for a in argv] or [10_000, 100_000]
    print(f"{'accounts':>9}  {'run':<8}  {'seconds':>8}  {'peak MB':>8}  {'floor s':>8}  {'floor MB':>8}  {'ratio':>6}")
    with tempfile.TemporaryDirectory(prefix="tierbook-bench-") as tmp:
        for n in sizes:
            book = Path(tmp) / f"book-{n}.xlsx"
            make_book(book, n)
            floor_s, floor_mb, floor = measure("floor", book)
            print(f"{n:>9,}  floor: fastexcel read {floor['read']:.2f} s + write the sheet "
                  f"{floor_s - floor['read']:.2f} s", flush=True)
            for label in ("first", "re-run", "reshape"):
                seconds, mb, _ = measure("reshape" if label == "reshape" else "assign", book)
                print(f"{n:>9,}  {label:<8}  {seconds:>8.2f}  {mb:>8.0f}  {floor_s:>8.2f}  {floor_mb:>8.0f}  "
                      f"{seconds / floor_s:>6.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
