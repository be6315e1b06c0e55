"""10,000,000 accounts in DuckDB and 1,000,000 in Spark: the live-band SQL agrees with the engine on every one.

The books sit on the band edges (see :mod:`.live_books`): tie groups at r/n =
15 % and 55 %, across 5 %, at S/T = 50 % with half-cent ARR around it, and
Needs data rows and overrides throughout. Skipped by default; run with
``pytest tests/crm -m slow -s`` to see the timings.
"""

from __future__ import annotations

import time
from dataclasses import replace

import duckdb
import pytest

from tierbook.crm.live_bands import compile_live_rule
from tierbook.crm.rules_export import rule_input_table
from tierbook.engine import Settings, assign_tiers, run

from .live_books import edge_book

POLICIES = {"arr-accounts": Settings(), "arr-share": Settings(policy="arr-share")}
CARRY = ("arr", "tier_override", "expected_arr_accounts", "expected_arr_share")


def _timed(label: str, fn):
    start = time.perf_counter()
    value = fn()
    print(f"\n[live bands] {label}: {time.perf_counter() - start:.2f} s", flush=True)
    return value


def edge_table(tierable: int, needs_data: int):
    """The rule-input table of an edge book, the engine's tier per account under each ARR policy, and its groups."""
    raw, groups = _timed(f"build a {tierable + needs_data:,}-account edge book",
                         lambda: edge_book(tierable, 17, needs_data))
    first = _timed("engine run (arr-accounts)", lambda: run(raw, POLICIES["arr-accounts"]))
    share = _timed("engine tiers (arr-share, same accounts)",
                   lambda: assign_tiers(first.accounts, first.segments, POLICIES["arr-share"]))
    table = rule_input_table(first)
    table["expected_arr_accounts"] = first.tiers.tier.to_numpy(dtype=object)
    table["expected_arr_share"] = share.tier.to_numpy(dtype=object)
    return first, table, groups


def agreement_sql(statement: str, policy: str) -> str:
    expected = "expected_" + policy.replace("-", "_")
    return (f"SELECT SUM(CASE WHEN tier = {expected} THEN 0 ELSE 1 END) AS bad, COUNT(*) AS n, "
            f"SUM(CASE WHEN tier = 'Needs data' THEN 1 ELSE 0 END) AS needs_data FROM ({statement}) q")


def group_sql(statement: str, groups: dict[str, float]) -> str:
    values = ", ".join(repr(v) for v in groups.values())
    return (f"SELECT arr, tier, COUNT(*) AS accounts FROM ({statement}) q "
            f"WHERE arr IN ({values}) AND tier_override IS NULL GROUP BY arr, tier ORDER BY arr, tier")


@pytest.fixture(scope="module")
def ten_million():
    return edge_table(9_800_000, 200_000)


@pytest.mark.slow
@pytest.mark.parametrize("policy", list(POLICIES))
def test_duckdb_live_bands_agree_with_the_engine_on_10_million_accounts(ten_million, policy):
    result, table, groups = ten_million
    rule = compile_live_rule(replace_settings(result, policy), "duckdb-live", carry=CARRY)
    con = duckdb.connect()
    con.register("accounts", table)
    bad, n, needs = _timed(f"DuckDB: live {policy} bands + compare, 10,000,000 accounts",
                           lambda: con.execute(agreement_sql(rule.expression, policy)).fetchone())
    assert n == 10_000_000 and bad == 0 and needs > 100_000
    tiers = con.execute(group_sql(rule.expression, groups)).fetchall()
    by_arr = {}
    for arr, tier, _ in tiers:
        by_arr.setdefault(arr, set()).add(tier)
    assert all(len(t) == 1 for t in by_arr.values()), by_arr  # no planted tie group is split
    if policy == "arr-accounts":
        assert by_arr[groups["edge_15"]] == {"Mid-touch"} and by_arr[groups["edge_55"]] == {"Tech-touch"}
    else:
        assert by_arr[groups["share_50"]] == {"Mid-touch"}
    con.close()


@pytest.fixture(scope="module")
def one_million(tmp_path_factory):
    result, table, groups = edge_table(980_000, 20_000)
    path = tmp_path_factory.mktemp("live") / "accounts.parquet"
    table.to_parquet(path, index=False)
    return result, path, groups


@pytest.mark.slow
@pytest.mark.spark
@pytest.mark.parametrize("policy", list(POLICIES))
def test_spark_live_bands_agree_with_the_engine_on_a_million_accounts(spark, one_million, policy):
    result, path, groups = one_million
    spark.read.parquet(str(path)).createOrReplaceTempView("accounts")
    rule = compile_live_rule(replace_settings(result, policy), "spark-live", carry=CARRY)
    row = _timed(f"Spark: live {policy} bands + compare, 1,000,000 accounts",
                 lambda: spark.sql(agreement_sql(rule.expression, policy)).collect()[0])
    assert row["n"] == 1_000_000 and row["bad"] == 0 and row["needs_data"] > 10_000
    tiers = spark.sql(group_sql(rule.expression, groups)).collect()
    by_arr: dict[float, set[str]] = {}
    for r in tiers:
        by_arr.setdefault(r["arr"], set()).add(r["tier"])
    assert all(len(t) == 1 for t in by_arr.values()), by_arr
    key = ("edge_55", "Tech-touch") if policy == "arr-accounts" else ("share_50", "Mid-touch")
    assert by_arr[groups[key[0]]] == {key[1]}


def replace_settings(result, policy: str):
    """The run with another ARR policy's settings: the live statement reads only the settings."""
    return replace(result, settings=POLICIES[policy])

