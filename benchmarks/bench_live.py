"""The live-band SQL in DuckDB (and Spark local mode) next to the engine, on the same accounts.

    python benchmarks/bench_live.py [--sizes 1000000,10000000] [--spark 1000000] [--repeat 3]

For each size a synthetic book (ARR rounded to hundreds, so many ties; blank,
zero and negative ARR; overrides with and without a reason) is written to
Parquet once. Each measurement then runs in a fresh process, which loads the
accounts untimed and reports the best of ``--repeat`` runs of its step
(one run from 5,000,000 accounts up) and its peak memory (max RSS, the loaded
accounts included; for Spark, the Python driver plus the JVM):

- engine: read + tier: ``prepare_accounts`` (parse and type the columns)
  then ``assign_tiers`` under the policy (segments computed untimed);
- DuckDB: the live statement (``--rule duckdb-live``) over the accounts
  loaded into a DuckDB table, written to a new table (all cores);
- Spark: the same statement (``spark-live``) over the accounts cached in
  a local[2] session, every tier computed (a ``noop`` write).

Ratio = the step's seconds / the engine's seconds at that size and policy.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POLICIES = ("arr-accounts", "arr-share")
SQL_COLUMNS = {"Account ID": "account_id", "ARR": "arr", "Tier Override": "tier_override",
               "Override Reason": "override_reason"}


def make_accounts(path: Path, n: int, seed: int = 13) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    arr = np.round(rng.lognormal(10.0, 1.3, n), -2)
    roll = rng.random(n)
    arr[roll < 0.003] = 0.0
    arr[(roll >= 0.003) & (roll < 0.005)] = -500.0
    ids = np.char.add("A", np.arange(n).astype(str)).astype(object)
    override = np.full(n, None, dtype=object)
    reason = np.full(n, None, dtype=object)
    picks = np.flatnonzero(rng.random(n) < 0.005)
    override[picks] = np.array(["High-touch", " mid-touch ", "Tech_Touch", "Platinum"], dtype=object)[picks % 4]
    reason[picks[picks % 3 != 0]] = "Strategic logo"
    frame = pd.DataFrame({"Account ID": ids, "Account Name": ids, "ARR": pd.array(arr, dtype="Float64"),
                          "Tier Override": override, "Override Reason": reason})
    frame.loc[roll >= 0.99, "ARR"] = pd.NA
    frame.to_parquet(path, index=False)


def _best(step, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    return best


def _statement(policy: str, dialect: str) -> str:
    from tierbook.crm.live_bands import live_query
    from tierbook.engine import Settings

    return live_query(Settings(policy=policy), "accounts", dialect).sql(dialect)


def child(task: str, path: str, policy: str, repeat: int) -> dict[str, float]:
    if task == "engine":
        import pandas as pd

        from tierbook.engine import Settings, prepare_accounts
        from tierbook.engine.segments import assign_segments
        from tierbook.engine.tiers import assign_tiers

        raw = pd.read_parquet(path)
        settings = Settings(policy=policy)
        segments = assign_segments(prepare_accounts(raw), settings)
        return {"seconds": _best(lambda: assign_tiers(prepare_accounts(raw), segments, settings), repeat)}
    if task == "duckdb":
        import duckdb

        con = duckdb.connect()
        names = ", ".join(f'"{k}" AS {v}' for k, v in SQL_COLUMNS.items())
        con.execute(f"CREATE TABLE accounts AS SELECT {names} FROM read_parquet('{path}')")
        statement = _statement(policy, "duckdb")
        return {"seconds": _best(lambda: con.execute(f"CREATE OR REPLACE TABLE tiers AS {statement}"), repeat)}
    if task == "spark":
        from pyspark.sql import SparkSession

        spark = (SparkSession.builder.master("local[2]").appName("tierbook-bench")
                 .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                 .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                 .config("spark.sql.shuffle.partitions", "2")
                 .config("spark.driver.memory", "4g").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        frame = spark.read.parquet(path).selectExpr(*(f"`{k}` AS {v}" for k, v in SQL_COLUMNS.items())).cache()
        frame.count()
        frame.createOrReplaceTempView("accounts")
        statement = _statement(policy, "spark")
        seconds = _best(lambda: spark.sql(statement).write.format("noop").mode("overwrite").save(), repeat)
        jvm = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()  # type: ignore[union-attr]
        status = Path(f"/proc/{jvm}/status").read_text()
        jvm_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
        spark.stop()
        return {"seconds": seconds, "extra_mb": jvm_kb / 1024}
    raise SystemExit(f"unknown task {task}")


def measure(task: str, path: Path, policy: str, repeat: int) -> tuple[float, float]:
    """(seconds, peak MB) of one step in a fresh process."""
    with tempfile.TemporaryFile() as err:  # Spark's start-up chatter; shown only if the step fails
        proc = subprocess.Popen([sys.executable, __file__, "--child", task, str(path), policy, str(repeat)],
                                stdout=subprocess.PIPE, stderr=err)
        out = proc.stdout.read()  # type: ignore[union-attr]
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status):
            err.seek(0)
            raise SystemExit(f"{task} ({policy}) failed:\n{err.read().decode(errors='replace')[-4000:]}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    return result["seconds"], usage.ru_maxrss / 1024 + result.get("extra_mb", 0.0)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(child(argv[1], argv[2], argv[3], int(argv[4]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--spark", default="1000000", help="sizes also run in Spark (comma-separated, or none)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    spark = {int(s) for s in args.spark.split(",") if s.strip().isdigit()}
    print("Live ARR bands (best of --repeat runs, one from 5,000,000 accounts; peak = max RSS of the process, "
          "accounts loaded)")
    header = f"{'accounts':>11}  {'step':<38} {'seconds':>9} {'peak MiB':>9} {'x engine':>9}"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="tierbook-bench-live-") as tmp:
        for n in sizes:
            path = Path(tmp) / f"accounts-{n}.parquet"
            make_accounts(path, n)
            repeat = 1 if n >= 5_000_000 else args.repeat
            for policy in POLICIES:
                steps = [("engine", f"engine: read + tier ({policy})"), ("duckdb", f"DuckDB: live SQL ({policy})")]
                if n in spark:
                    steps.append(("spark", f"Spark local[2]: live SQL ({policy})"))
                engine_s = None
                for task, label in steps:
                    seconds, mb = measure(task, path, policy, repeat)
                    engine_s = engine_s or seconds
                    ratio = "" if task == "engine" else f"{seconds / engine_s:.2f}"
                    print(f"{n:>11,}  {label:<38} {seconds:>9.3f} {mb:>9.0f} {ratio:>9}", flush=True)
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
