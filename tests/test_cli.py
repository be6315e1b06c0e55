import csv

import pandas as pd
import pytest

from tests.conftest import accounts
from tierbook.cli import main
from tierbook.columns import Col


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_prints_the_tier_table_and_problem_counts(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "demo", "--accounts", "2000", "--workbook", str(tmp_path / "demo.xlsx"))
    assert code == 0
    assert "Tier" in out and "CTS % ARR" in out and "FTE" in out
    for tier in ("High-touch", "Mid-touch", "Tech-touch", "Needs data", "Total"):
        assert tier in out
    assert "duplicate Account ID" in out and "data problems" in out


@pytest.fixture
def crm_csv(tmp_path):
    raw = accounts(ARR=["$120,000.00", "80000", "", "5 000"], Region=["NA", "EMEA", "APAC", "NA"],
                   Notes=["=HYPERLINK(\"x\")", "", "call back", "vip"])
    raw.insert(0, "Owner", ["ann", "bo", "cy", "di"])
    path = tmp_path / "accounts.csv"
    raw.to_csv(path, index=False)
    return path


def test_tier_writes_every_input_column_in_order_then_the_results(capsys, crm_csv, tmp_path):
    out_path = tmp_path / "tiered.csv"
    code, out, err = run_cli(capsys, "tier", str(crm_csv), "-o", str(out_path))
    assert code == 0, err
    table = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    assert list(table.columns) == ["Owner", "Account ID", "Account Name", "ARR", "Region", "Notes",
                                   Col.SEGMENT, Col.TIER, Col.TIER_REASON, Col.COST_TO_SERVE, Col.CTS_PCT_ARR]
    assert list(table["ARR"]) == ["$120,000.00", "80000", "", "5 000"]
    assert list(table["Region"]) == ["NA", "EMEA", "APAC", "NA"]
    assert list(table[Col.TIER]) == ["High-touch", "Mid-touch", "Needs data", "Tech-touch"]
    assert "missing required value" in err


def test_tier_output_cannot_inject_a_formula(capsys, crm_csv, tmp_path):
    out_path = tmp_path / "tiered.csv"
    run_cli(capsys, "tier", str(crm_csv), "-o", str(out_path))
    with out_path.open(newline="") as handle:
        notes = [row["Notes"] for row in csv.DictReader(handle)]
    assert notes[0] == "'=HYPERLINK(\"x\")"


def test_tier_takes_policy_bands_and_tier_names(capsys, crm_csv, tmp_path):
    out_path = tmp_path / "t.csv"
    code, _, err = run_cli(capsys, "tier", str(crm_csv), "-o", str(out_path), "--policy", "arr-share",
                           "--bands", "0.5,0.4", "--tiers", "Gold,Silver,Bronze")
    assert code == 0, err
    assert list(pd.read_csv(out_path)[Col.TIER]) == ["Gold", "Silver", "Needs data", "Bronze"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["tier", "missing.csv", "-o", "x.csv"], "missing.csv: no such file"),
        (["tier", "{csv}", "-o", "x.csv", "--bands", "0.1,abc"], "--bands: expected shares such as 0.15,0.40, got '0.1,abc'"),
        (["tier", "{csv}", "-o", "x.csv", "--bands", "0.1"], "account_bands: expected 2 shares"),
        (["tier", "{csv}", "-o", "x.csv", "--policy", "magic"], "argument --policy: invalid choice: 'magic'"),
        (["tier", "{bad}", "-o", "x.csv"], "missing required column 'ARR'"),
        (["tier", "{csv}", "-o", "/no/such/dir/x.csv"], "/no/such/dir: no such folder"),
        (["tier", "{csv}", "-o", "x.csv", "--tier-rule", "ARR >= 5 and -> High-touch"],
         "--tier-rule 1: conditions 'ARR >= 5 and': a condition is missing around 'and'"),
        (["tier", "{csv}", "-o", "x.csv", "--tier-rule", "ARR >= 5 -> Gold"], "rule 1: tier 'Gold' is not one of"),
        (["tier", "{csv}", "-o", "x.csv", "--policy", "segment", "--tier-rule", "ARR >= 5 -> High-touch"],
         "--tier-rule and --default-tier apply to the rules policy, not segment"),
    ],
)
def test_a_user_error_is_one_clear_line_and_a_non_zero_exit(capsys, crm_csv, tmp_path, argv, message):
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"Account ID": ["A"], "Account Name": ["x"]}).to_csv(bad, index=False)
    argv = [a.format(csv=crm_csv, bad=bad) for a in argv]
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert err.startswith("tierbook: error: ") and message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err + out


def test_tier_takes_combined_rules_and_reports_a_rule_that_can_never_match(capsys, crm_csv, tmp_path):
    out_path = tmp_path / "t.csv"
    code, _, err = run_cli(capsys, "tier", str(crm_csv), "-o", str(out_path),
                           "--tier-rule", "ARR >= 50000 and Region = NA -> High-touch",
                           "--tier-rule", "Region = EMEA -> Mid-touch", "--tier-rule", "Region = Antarctica -> Mid-touch",
                           "--default-tier", "Tech-touch")
    assert code == 0, err
    table = pd.read_csv(out_path, keep_default_na=False)
    assert list(table[Col.TIER]) == ["High-touch", "Mid-touch", "Tech-touch", "Tech-touch"]
    assert table[Col.TIER_REASON][0] == "Rule 1: ARR >= 50000 and Region = NA -> High-touch"
    assert "rule 3: Region = Antarctica -> Mid-touch  rule can never match" in err


def test_tier_a_csv_whose_csm_column_is_entirely_blank(capsys, tmp_path):
    source = tmp_path / "accounts.csv"
    source.write_text("Account ID,Account Name,ARR,CSM\nA1,Acme,1000,\nA2,Beta,2000,\nA3,Cora,3000,\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "tier", str(source), "-o", str(tmp_path / "t.csv"))
    assert code == 0 and "Traceback" not in err
    table = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    assert list(table[Col.TIER]) == ["Tech-touch", "Mid-touch", "High-touch"] and list(table["CSM"]) == ["", "", ""]
