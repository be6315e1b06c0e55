"""The exported SQL, run in real engines, gives exactly the engine's tiers.

DuckDB and Spark (local mode) apply the generated CASE to the rule-input
table of a 10,000-account book with CRM defects, for every policy that
compiles; Snowflake, BigQuery and PostgreSQL output is parsed back by sqlglot
and run in DuckDB. Agreement must be 100 %, ties at the ARR thresholds included.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
import sqlglot

from tierbook.crm.rule_compile import NotCompilable
from tierbook.crm.rule_sql import sql_name
from tierbook.crm.rules_export import compile_rule, rule_input_table
from tierbook.engine import Settings, run
from tierbook.columns import NEEDS_DATA, Col

from .conftest import compilable_policies

POLICIES = list(compilable_policies())


def input_with_expected(result) -> pd.DataFrame:
    table = rule_input_table(result)
    table["row_id"] = np.arange(len(table))
    table["expected_tier"] = result.tiers.tier.to_numpy(dtype=object)
    return table


def mismatches_sql(expression: str) -> str:
    return f"SELECT row_id, expected_tier, {expression} AS tier FROM accounts"


def duckdb_tiers(table: pd.DataFrame, sql: str) -> pd.DataFrame:
    con = duckdb.connect()
    con.register("accounts", table)
    try:
        return con.sql(sql).df()
    finally:
        con.close()


def assert_agrees(got: pd.DataFrame, table: pd.DataFrame, policy: str) -> None:
    got = got.sort_values("row_id").reset_index(drop=True)
    bad = got[got["tier"].astype(object).to_numpy() != got["expected_tier"].astype(object).to_numpy()]
    assert len(got) == len(table)
    assert bad.empty, f"{policy}: {len(bad)} of {len(got)} accounts differ, e.g.\n{bad.head(10)}"


@pytest.mark.parametrize("policy", POLICIES)
def test_duckdb_agrees_with_the_engine_on_10k_accounts(runs_10k, policy):
    result = runs_10k[policy]
    table = input_with_expected(result)
    rule = compile_rule(result, "duckdb")
    assert_agrees(duckdb_tiers(table, mismatches_sql(rule.expression)), table, policy)


def test_the_whole_statement_runs_as_printed(runs_10k):
    result = runs_10k["arr-accounts"]
    rule = compile_rule(result, "sql", table="accounts")
    assert rule.text.startswith("/*") and "High-touch: ARR >= " in rule.text
    got = duckdb_tiers(rule_input_table(result), rule.text)
    assert list(got.columns) == [sql_name(Col.ACCOUNT_ID), "tier"]
    assert got["tier"].tolist() == result.tiers.tier.tolist()


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("target", ["snowflake", "bigquery", "postgres", "databricks"])
def test_other_dialects_parse_and_mean_the_same(runs_10k, policy, target):
    """Each dialect's SQL parses in that dialect; read back into DuckDB it gives the engine's tiers."""
    from tierbook.crm.rule_targets import SQL_TARGETS

    result = runs_10k[policy]
    rule = compile_rule(result, target)
    parsed = sqlglot.parse_one(rule.expression, read=SQL_TARGETS[target])
    table = input_with_expected(result)
    assert_agrees(duckdb_tiers(table, mismatches_sql(parsed.sql("duckdb"))), table, f"{policy}/{target}")


def test_arr_thresholds_are_the_engine_s_and_ties_stay_together(runs_10k):
    result = runs_10k["arr-accounts"]
    thresholds = result.tiers.thresholds
    rule = compile_rule(result, "duckdb")
    for tier, low in zip(thresholds["Tier"][:-1], thresholds["Min ARR"][:-1]):
        assert f"arr >= {low:.0f}" in rule.expression or f"arr >= {low!r}" in rule.expression, tier
    arr = result.accounts.numbers[Col.ARR].values
    at_cut = np.isin(arr, thresholds["Min ARR"].to_numpy())
    assert at_cut.sum() > 2  # equal-ARR accounts sit exactly on the thresholds
    policy_tiers = result.tiers.policy_code[at_cut]
    for value in np.unique(arr[at_cut]):
        assert len(set(result.tiers.policy_code[arr == value])) == 1, value
    assert (policy_tiers >= 0).all()


def test_boundaries_with_cents_and_binary_fractions():
    """Thresholds that are not whole numbers still compare exactly (double, not decimal)."""
    raw = pd.DataFrame({
        Col.ACCOUNT_ID: [f"A{i}" for i in range(8)],
        Col.ACCOUNT_NAME: list("abcdefgh"),
        Col.ARR: [100.49999999999999, 100.5, 100.5, 0.30000000000000004, 0.3, 250_000.01, 250_000.0, 99.99],
    })
    result = run(raw, Settings(account_bands=(0.25, 0.5)))
    table = input_with_expected(result)
    rule = compile_rule(result, "duckdb")
    assert_agrees(duckdb_tiers(table, mismatches_sql(rule.expression)), table, "cents")


def test_score_does_not_compile_and_says_why(runs_10k, book_10k):
    result = run(book_10k.head(500), Settings(policy="score"))
    with pytest.raises(NotCompilable, match="min-max normalisation"):
        compile_rule(result, "duckdb")
    with pytest.raises(NotCompilable, match="depend on every other account"):
        compile_rule(result, "salesforce")


def test_overrides_come_first_and_needs_data_has_its_own_branch(runs_10k):
    rule = compile_rule(runs_10k["arr-accounts"], "duckdb")
    first = rule.expression.split(" WHEN ")[1]
    assert "tier_override" in first and "override_reason" in first
    assert f"WHEN arr IS NULL OR arr <= 0 THEN '{NEEDS_DATA}'" in rule.expression
    tiers = runs_10k["arr-accounts"].tiers
    assert (tiers.tier == NEEDS_DATA).sum() > 0 and (tiers.code != tiers.policy_code).sum() > 0


def test_quotes_in_tier_names_are_escaped_per_dialect(runs_10k):
    result = runs_10k["arr-accounts-4-tiers"]
    assert "'Partner''s Choice'" in compile_rule(result, "duckdb").expression
    assert "'Partner\\'s Choice'" in compile_rule(result, "spark").expression


# --------------------------------------------------------------------- Spark
@pytest.mark.spark
@pytest.mark.parametrize("policy", POLICIES)
def test_spark_agrees_with_the_engine_on_10k_accounts(spark, runs_10k, policy, tmp_path):
    result = runs_10k[policy]
    table = input_with_expected(result)
    path = tmp_path / "accounts.parquet"
    table.to_parquet(path, index=False)
    spark.read.parquet(str(path)).createOrReplaceTempView("accounts")
    rule = compile_rule(result, "spark")
    counts = spark.sql(
        f"SELECT SUM(CASE WHEN tier = expected_tier THEN 0 ELSE 1 END) AS bad, COUNT(*) AS n "
        f"FROM ({mismatches_sql(rule.expression)}) q"
    ).collect()[0]
    if counts["bad"]:
        sample = spark.sql(f"SELECT * FROM ({mismatches_sql(rule.expression)}) q WHERE NOT tier <=> expected_tier LIMIT 10")
        pytest.fail(f"{policy}: {counts['bad']} of {counts['n']} differ:\n{sample.toPandas()}")
    assert counts["n"] == len(table)


@pytest.mark.spark
def test_spark_runs_the_whole_statement_as_printed(spark, runs_10k, tmp_path):
    result = runs_10k["rules-rich"]
    path = tmp_path / "accounts.parquet"
    rule_input_table(result).to_parquet(path, index=False)
    spark.read.parquet(str(path)).createOrReplaceTempView("accounts")
    text = compile_rule(result, "spark").text  # comment, SELECT and the closing semicolon, as printed
    tiers = [r["tier"] for r in spark.sql(text).collect()]
    assert tiers == result.tiers.tier.tolist()
