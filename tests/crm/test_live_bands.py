"""The live-band SQL recomputes the ARR bands where it runs and agrees with the engine on every account.

DuckDB and Spark (local mode) run the exported statement over the rule-input
table of 10,000-account books: one built to sit on the band edges (ties at
r/n = 15 % and 55 %, S/T = 50 %, a tie group across 5 %, half-cent ARR), and
the CRM-defect book of the other SQL tests. Snowflake, BigQuery, PostgreSQL
and Databricks output is parsed back in its own dialect and its structure
checked (exact integer band tests, explicit window frames), then read into
DuckDB and run.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import duckdb
import numpy as np
import pandas as pd
import pytest
import sqlglot
from sqlglot import exp

from tierbook.cli import main
from tierbook.crm.live_bands import band_cuts, compile_live_rule
from tierbook.crm.rule_targets import LIVE_TARGETS, SQL_TARGETS, is_live
from tierbook.crm.rule_compile import NotCompilable
from tierbook.crm.rules_export import compile_rule, rule_input_table
from tierbook.engine import Settings, run
from tierbook.engine.tiers import tier_labels
from tierbook.columns import NEEDS_DATA, Col

from .live_books import NEEDS_DATA_VALUES, edge_book

ARR_SETTINGS = {
    "arr-accounts": Settings(),
    "arr-share": Settings(policy="arr-share"),
    "arr-accounts-4-tiers": replace(Settings().with_tiers(["Strategic", "Partner's Choice", "Scale", "Digital"]),
                                    account_bands=(0.05, 0.2, 0.35)),
}
CARRY = ("row_id", "expected_tier")


@pytest.fixture(scope="module")
def edge_10k():
    raw, groups = edge_book(10_000)
    return raw, groups, {name: run(raw, settings) for name, settings in ARR_SETTINGS.items()}


def expected_table(result, tiers: pd.Series | None = None) -> pd.DataFrame:
    table = rule_input_table(result)
    table["row_id"] = np.arange(len(table))
    table["expected_tier"] = (result.tiers.tier if tiers is None else tiers).to_numpy(dtype=object)
    return table


def duckdb_run(sql: str, **tables: pd.DataFrame) -> pd.DataFrame:
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name, table)
    try:
        return con.sql(sql).df()
    finally:
        con.close()


def live_tiers(result, table: pd.DataFrame, target: str = "duckdb-live") -> pd.DataFrame:
    rule = compile_live_rule(result, target, carry=CARRY)
    return duckdb_run(rule.expression, accounts=table).sort_values("row_id").reset_index(drop=True)


def assert_agrees(got: pd.DataFrame, rows: int, label: str) -> None:
    bad = got[got["tier"].to_numpy(dtype=object) != got["expected_tier"].to_numpy(dtype=object)]
    assert len(got) == rows
    assert bad.empty, f"{label}: {len(bad)} of {len(got)} accounts differ from the engine, e.g.\n{bad.head(10)}"


def arr_of(table: pd.DataFrame) -> np.ndarray:
    return table["arr"].to_numpy(dtype=float, na_value=np.nan)


def not_overridden(table: pd.DataFrame) -> np.ndarray:
    return table["tier_override"].isna().to_numpy()


# ------------------------------------------------------------------ DuckDB
@pytest.mark.parametrize("policy", list(ARR_SETTINGS))
def test_duckdb_live_bands_agree_with_the_engine_on_a_book_at_the_band_edges(edge_10k, policy):
    _, _, runs = edge_10k
    table = expected_table(runs[policy])
    assert_agrees(live_tiers(runs[policy], table), len(table), policy)


@pytest.mark.parametrize("policy", list(ARR_SETTINGS))
def test_duckdb_live_bands_agree_with_the_engine_on_the_crm_defect_book(book_10k, policy):
    result = run(book_10k, ARR_SETTINGS[policy])
    table = expected_table(result)
    assert_agrees(live_tiers(result, table), len(table), policy)


def test_equal_arr_at_a_band_edge_never_splits_and_sits_below_the_cut(edge_10k):
    _, groups, runs = edge_10k
    table = expected_table(runs["arr-accounts"])
    got = live_tiers(runs["arr-accounts"], table)
    assert_agrees(got, len(table), "arr-accounts")
    plain = not_overridden(table)
    # r/n is exactly 0.15 and exactly 0.55 (0.15 + 0.40): not below the cut, so the next tier, all of them.
    assert set(got["tier"][(arr_of(table) == groups["edge_15"]) & plain]) == {"Mid-touch"}
    assert set(got["tier"][(arr_of(table) == groups["edge_55"]) & plain]) == {"Tech-touch"}
    four = runs["arr-accounts-4-tiers"]
    spans = expected_table(four)
    got4 = live_tiers(four, spans)
    in_span = (arr_of(spans) == groups["span_05"])
    assert in_span.sum() == 40  # from 4.8 % to 5.2 % of accounts: across the 5 % cut, and all Strategic
    assert set(got4["tier"][in_span & not_overridden(spans)]) == {"Strategic"}


def test_a_tie_group_with_exactly_half_of_arr_above_it_is_in_the_next_tier(edge_10k):
    _, groups, runs = edge_10k
    result = runs["arr-share"]
    table = expected_table(result)
    got = live_tiers(result, table)
    assert_agrees(got, len(table), "arr-share")
    arr = arr_of(table)
    tierable = arr > 0
    cents = np.rint(arr[tierable] * 100).astype(np.int64)
    larger = cents[arr[tierable] > groups["share_50"]].sum()
    assert 2 * larger == cents.sum()  # S is exactly half of T, in whole cents
    assert (arr[tierable] % 1 == 0.125).sum() == 25  # half-cent ARR that rounds to even, on both sides
    in_group = (arr_of(table) == groups["share_50"])
    assert set(got["tier"][in_group & not_overridden(table)]) == {"Mid-touch"}


def test_overrides_win_and_still_count_in_the_bands(edge_10k):
    _, groups, runs = edge_10k
    result = runs["arr-accounts"]
    table = expected_table(result)
    got = live_tiers(result, table)
    applied = result.tiers.code != result.tiers.policy_code
    assert applied.sum() > 20
    assert (got["tier"][applied] == result.tiers.tier[applied]).all()
    on_edge = (arr_of(table) == groups["edge_15"])
    assert (on_edge & ~not_overridden(table)).any()  # some of the tie group carry an override
    # Without any override, every account gets the policy's tier: overrides never move n or r.
    policy_tiers = tier_labels(result.tiers.policy_code, result.tiers.tier_names)
    bare = table.assign(tier_override=None, expected_tier=policy_tiers)
    assert_agrees(live_tiers(result, bare), len(bare), "no overrides")


def test_needs_data_rows_are_needs_data_and_left_out_of_n(edge_10k):
    raw, _, runs = edge_10k
    result = runs["arr-accounts"]
    table = expected_table(result)
    got = live_tiers(result, table)
    bad_arr = raw[Col.ARR].map(lambda v: any(v is x or v == x for x in NEEDS_DATA_VALUES)).to_numpy()
    assert bad_arr.sum() == 200 and table["arr"][bad_arr].isna().sum() == 125  # blank, #N/A, TBD, 12..5, spaces
    plain = bad_arr & not_overridden(table)
    assert set(got["tier"][plain]) == {NEEDS_DATA}
    # 5,000 more accounts without usable ARR change no one else's tier.
    extra = pd.concat([table.iloc[np.flatnonzero(bad_arr)[:1]]] * 5_000, ignore_index=True)
    extra = extra.assign(row_id=np.arange(len(table), len(table) + len(extra)), tier_override=None,
                         expected_tier=NEEDS_DATA)
    assert_agrees(live_tiers(result, pd.concat([table, extra], ignore_index=True)), len(table) + 5_000, "extra")


def test_the_bands_follow_the_table_without_re_exporting(edge_10k):
    """The statement exported from today's book tiers tomorrow's book as the engine would; the frozen one does not."""
    raw, _, runs = edge_10k
    today = runs["arr-accounts"]
    rng = np.random.default_rng(3)
    new = raw.head(2_000).assign(**{Col.ACCOUNT_ID: [f"N{i}" for i in range(2_000)],
                                    Col.ARR: rng.integers(300_000, 900_000, 2_000).astype(float)})
    tomorrow = run(pd.concat([raw, new], ignore_index=True), today.settings)
    table = expected_table(tomorrow)
    assert_agrees(live_tiers(today, table), len(table), "tomorrow")
    frozen = compile_rule(today, "duckdb")
    stale = duckdb_run(f"SELECT {frozen.expression} AS tier FROM accounts", accounts=table)["tier"]
    assert (stale.to_numpy() != table["expected_tier"].to_numpy()).sum() > 1_000


def test_the_whole_statement_runs_as_printed(edge_10k):
    _, _, runs = edge_10k
    result = runs["arr-share"]
    rule = compile_live_rule(result, "sql-live")
    assert rule.text.startswith("/*") and "S * 20 < 17 * T" in rule.text and rule.text.rstrip().endswith(";")
    got = duckdb_run(rule.text, accounts=rule_input_table(result))
    assert list(got.columns) == ["account_id", "tier"]
    ids = result.accounts.frame[Col.ACCOUNT_ID]
    assert ids.is_unique and len(got) == len(ids)  # window functions return rows in any order: match by ID
    assert dict(zip(got["account_id"], got["tier"])) == dict(zip(ids, result.tiers.tier))


def test_cumulative_shares_are_exact_fractions():
    assert band_cuts((0.15, 0.40)) == [Fraction(3, 20), Fraction(11, 20)]
    assert band_cuts((0.1, 0.2)) == [Fraction(1, 10), Fraction(3, 10)]  # 0.1 + 0.2 is 0.30000000000000004 as floats
    assert band_cuts((1 / 3, 1 / 3)) == [Fraction(333_333_333_333, 10**12), Fraction(666_666_666_667, 10**12)]


@pytest.mark.parametrize("policy", ["segment-2d", "rules-rich"])
def test_policies_without_bands_export_their_ordinary_statement(runs_10k, policy):
    result = runs_10k[policy]
    live = compile_live_rule(result, "snowflake-live")
    assert live.target == "snowflake-live" and live.expression == compile_rule(result, "snowflake").expression
    assert "same statement as --rule snowflake" in live.text


def test_score_and_unknown_targets_say_why(book_10k):
    result = run(book_10k.head(500), Settings(policy="score"))
    with pytest.raises(NotCompilable, match="min-max normalisation"):
        compile_live_rule(result, "duckdb-live")
    with pytest.raises(NotCompilable, match="duckdb-live"):
        compile_live_rule(result, "excel-live")
    assert not is_live("duckdb") and set(LIVE_TARGETS) == {f"{t}-live" for t in SQL_TARGETS}


# ---------------------------------------------------------- other dialects
def _windows(tree: exp.Expression) -> list[exp.Window]:
    return list(tree.find_all(exp.Window))


@pytest.mark.parametrize("policy", ["arr-accounts", "arr-share"])
@pytest.mark.parametrize("target", ["snowflake-live", "bigquery-live", "postgres-live", "databricks-live"])
def test_other_dialects_parse_back_with_exact_band_tests_and_explicit_frames(edge_10k, policy, target):
    _, _, runs = edge_10k
    result = runs[policy]
    dialect = SQL_TARGETS[target.removesuffix("-live")]
    rule = compile_live_rule(result, target, carry=CARRY)
    tree = sqlglot.parse_one(rule.expression, read=dialect)
    windows = _windows(tree)
    assert len(windows) == 3 and all(w.args.get("partition_by") for w in windows)  # whole (twice), up to
    cumulative = [w for w in windows if w.args.get("order")]
    assert len(cumulative) == 1
    spec = cumulative[0].args["spec"]
    assert (spec.args["kind"], spec.args["start"], spec.args["start_side"], spec.args["end"]) == \
        ("RANGE", "UNBOUNDED", "PRECEDING", "CURRENT ROW")
    assert [o.this.name for o in cumulative[0].args["order"].expressions] == ["arr"]
    # Every band test is integer * integer < integer * integer on the window columns: no division, no float.
    tests = [lt for lt in tree.find_all(exp.LT) if "tierbook_larger" in lt.sql()]
    cuts = band_cuts(result.settings.bands)
    assert [(lt.this.expression.to_py(), lt.expression.this.to_py()) for lt in tests] == \
        [(c.denominator, c.numerator) for c in cuts]
    assert not any(d.find(exp.Column) and "tierbook" in d.sql() for d in tree.find_all(exp.Div))
    casts = [c.to.sql(dialect) for c in tree.find_all(exp.Cast) if c.find(exp.Window)]
    assert casts == (["BIGNUMERIC"] * 2 if dialect == "bigquery" else ["DECIMAL(38, 0)"] * 2)
    # Overrides and Needs data are the frozen export's own branches, in this dialect.
    frozen = sqlglot.parse_one(compile_rule(result, target.removesuffix("-live")).expression, read=dialect)
    ours = tree.find(exp.Case).args["ifs"]
    theirs = frozen.args["ifs"]
    shared = len(result.settings.tier_names) + 1
    assert [i.sql(dialect) for i in ours[:shared]] == [i.sql(dialect) for i in theirs[:shared]]
    # Read back into DuckDB, it still gives the engine's tiers.
    table = expected_table(result)
    got = duckdb_run(tree.sql("duckdb"), accounts=table).sort_values("row_id").reset_index(drop=True)
    assert_agrees(got, len(table), f"{policy}/{target}")


# --------------------------------------------------------------------- CLI
def test_cli_exports_a_live_rule_that_runs_on_the_rule_input_it_writes(tmp_path, capsys):
    raw, _ = edge_book(2_000, seed=9)
    book = tmp_path / "book.csv"
    raw.to_csv(book, index=False)
    parquet, sql_file, tiers = tmp_path / "accounts.parquet", tmp_path / "rule.sql", tmp_path / "tiers.csv"
    assert main(["export", str(book), "--rule-input", str(parquet)]) == 0
    assert main(["export", str(book), "--rule", "duckdb-live", "--policy", "arr-share",
                 "--table", f"read_parquet('{parquet}')", "-o", str(sql_file)]) == 0
    assert main(["tier", str(book), "-o", str(tiers), "--policy", "arr-share"]) == 0
    got = duckdb.sql(sql_file.read_text()).df()
    expected = pd.read_csv(tiers, dtype=str, keep_default_na=False)
    assert len(got) == len(expected) == 2_040 and expected[Col.ACCOUNT_ID].is_unique
    assert dict(zip(got["account_id"], got["tier"])) == dict(zip(expected[Col.ACCOUNT_ID], expected[Col.TIER]))
    assert "recomputed from the table on every run" in sql_file.read_text()
    capsys.readouterr()


# --------------------------------------------------------------------- Spark
def _spark_bad(spark, sql: str) -> tuple[int, int]:
    row = spark.sql(f"SELECT SUM(CASE WHEN tier = expected_tier THEN 0 ELSE 1 END) AS bad, COUNT(*) AS n "
                    f"FROM ({sql}) q").collect()[0]
    return int(row["bad"] or 0), int(row["n"])


@pytest.mark.spark
@pytest.mark.parametrize("policy", list(ARR_SETTINGS))
@pytest.mark.parametrize("book", ["band-edges", "crm-defects"])
def test_spark_live_bands_agree_with_the_engine_on_10k_accounts(spark, edge_10k, book_10k, policy, book, tmp_path):
    result = edge_10k[2][policy] if book == "band-edges" else run(book_10k, ARR_SETTINGS[policy])
    table = expected_table(result)
    path = tmp_path / "accounts.parquet"
    table.to_parquet(path, index=False)
    spark.read.parquet(str(path)).createOrReplaceTempView("accounts")
    sql = compile_live_rule(result, "spark-live", carry=CARRY).expression
    bad, n = _spark_bad(spark, sql)
    if bad:
        sample = spark.sql(f"SELECT * FROM ({sql}) q WHERE NOT tier <=> expected_tier LIMIT 10").toPandas()
        pytest.fail(f"{policy}/{book}: {bad} of {n} differ:\n{sample}")
    assert n == len(table)
