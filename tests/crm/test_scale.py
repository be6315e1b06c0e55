"""1,000,000 accounts: import, tier and export a CSV; DuckDB and Spark apply the exported rule.

Skipped by default; run with ``pytest tests/crm -m slow -s`` to see the timings.
"""

from __future__ import annotations

import time

import duckdb
import numpy as np
import pytest

from tierbook.cli import main
from tierbook.crm.rules_export import compile_rule, rule_input_table
from tierbook.crm.store import AccountsFile
from tierbook.engine import Settings, run
from tierbook.columns import Col

from .conftest import compilable_policies, tricky_book

N = 1_000_000
SALESFORCE_NAMES = {Col.ACCOUNT_ID: "Id", Col.ACCOUNT_NAME: "Name", Col.ARR: "ARR__c",
                    Col.EMPLOYEES: "NumberOfEmployees", Col.COMPANY_REVENUE: "AnnualRevenue",
                    Col.REGION: "BillingCountry", Col.TIER_OVERRIDE: "Tier_Override__c",
                    Col.OVERRIDE_REASON: "Tier_Override_Reason__c", Col.RENEWAL_DATE: "Renewal_Date__c"}
TIMINGS: dict[str, float] = {}


def _timed(label: str, fn):
    start = time.perf_counter()
    value = fn()
    TIMINGS[label] = time.perf_counter() - start
    print(f"\n[scale] {label}: {TIMINGS[label]:.2f} s", flush=True)
    return value


@pytest.fixture(scope="module")
def big_book():
    return tricky_book(N, seed=101)


@pytest.fixture(scope="module")
def big_input(big_book, tmp_path_factory):
    """Engine runs of the 1M book per policy, and the rule-input table as parquet."""
    runs = {name: run(big_book, settings) for name, settings in compilable_policies().items()
            if name in ("arr-accounts", "segment-2d", "rules-rich")}
    path = tmp_path_factory.mktemp("scale") / "accounts.parquet"
    table = rule_input_table(runs["arr-accounts"])
    table["row_id"] = np.arange(len(table))
    for name, result in runs.items():
        table[f"expected_{name.replace('-', '_')}"] = result.tiers.tier.to_numpy(dtype=object)
    table.to_parquet(path, index=False)
    return runs, path


@pytest.mark.slow
def test_import_tier_and_export_a_million_account_csv(big_book, tmp_path):
    export = tmp_path / "salesforce_accounts.csv"
    crm = big_book.drop_duplicates(Col.ACCOUNT_ID).rename(columns=SALESFORCE_NAMES)
    crm.to_csv(export, index=False)
    book = tmp_path / "book.csv"
    assert _timed("import 1M-row Salesforce CSV into a new book", lambda: main(["import", str(export), "--into", str(book)])) == 0
    assert _timed("re-import the same CSV (merge, all unchanged)", lambda: main(["import", str(export), "--into", str(book)])) == 0
    raw = AccountsFile(book).read_accounts()
    assert len(raw) == len(crm)
    _timed("tier 1M accounts (engine run)", lambda: run(raw, Settings()))
    out = tmp_path / "upload.csv"
    assert _timed("export --crm (read book, tier, write upload CSV)",
                  lambda: main(["export", str(book), "--crm", str(out)])) == 0
    assert _timed("export --crm --changed-only (nothing changed)",
                  lambda: main(["export", str(book), "--crm", str(out), "--changed-only"])) == 0
    assert out.stat().st_size < 100
    assert _timed("export --rule sql", lambda: main(["export", str(book), "--rule", "sql", "-o", str(tmp_path / "r.sql")])) == 0


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["arr-accounts", "segment-2d", "rules-rich"])
def test_duckdb_applies_the_rule_to_a_million_accounts(big_input, policy):
    runs, path = big_input
    rule = compile_rule(runs[policy], "duckdb")
    expected = f"expected_{policy.replace('-', '_')}"
    con = duckdb.connect()
    sql = (f"SELECT SUM(CASE WHEN tier = {expected} THEN 0 ELSE 1 END) AS bad, COUNT(*) AS n FROM "
           f"(SELECT {expected}, {rule.expression} AS tier FROM read_parquet('{path}')) q")
    bad, n = _timed(f"DuckDB: read parquet + apply {policy} rule + compare, 1M accounts", lambda: con.execute(sql).fetchone())
    assert n == N and bad == 0
    text = compile_rule(runs[policy], "duckdb", table=f"read_parquet('{path}')").text.rstrip().rstrip(";")
    _timed(f"DuckDB: the exported statement into a table of 1M tiers ({policy})",
           lambda: con.execute(f"CREATE OR REPLACE TABLE tiers AS {text}"))
    assert con.execute("SELECT COUNT(*) FROM tiers").fetchone()[0] == N


@pytest.mark.slow
@pytest.mark.spark
@pytest.mark.parametrize("policy", ["arr-accounts", "segment-2d", "rules-rich"])
def test_spark_applies_the_rule_to_a_million_accounts(spark, big_input, policy):
    runs, path = big_input
    rule = compile_rule(runs[policy], "spark")
    expected = f"expected_{policy.replace('-', '_')}"
    spark.read.parquet(str(path)).createOrReplaceTempView("accounts")
    sql = (f"SELECT SUM(CASE WHEN tier = {expected} THEN 0 ELSE 1 END) AS bad, COUNT(*) AS n FROM "
           f"(SELECT {expected}, {rule.expression} AS tier FROM accounts) q")
    row = _timed(f"Spark: read parquet + apply {policy} rule + compare, 1M accounts", lambda: spark.sql(sql).collect()[0])
    assert row["n"] == N and row["bad"] == 0
    text = compile_rule(runs[policy], "spark").text.rstrip().rstrip(";")
    _timed(f"Spark: the exported statement over 1M accounts, every tier computed ({policy})",
           lambda: spark.sql(text).write.format("noop").mode("overwrite").save())
