"""Fixtures for the CRM round-trip tests: sample books, the policies that compile, engines.

Slow tests (1,000,000 accounts) are marked ``slow`` and skipped unless asked
for: ``pytest tests/crm -m slow`` (or set TIERBOOK_SLOW=1).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tierbook.engine import Rule, Settings, run
from tierbook.engine.rules import parse_rule
from tierbook.columns import Col
from tierbook.sample import sample_accounts

SEGMENT_BY_INDUSTRY = {
    "Financial Services": "High-touch",
    "healthcare": "High-touch",
    "Software": "Mid-touch",
    "Retail": "Mid-touch",
    "Manufacturing": "Tech-touch",
}

RICH_RULES = (
    Rule("Industry", "contains", "serv", "High-touch"),
    Rule("NPS", "<", -20, "Tech-touch"),
    Rule("Employees", "is blank", None, "Tech-touch"),
    Rule("Health", "=", "green", "High-touch"),           # the user's own column
    Rule("Product", "<>", "lite", "Mid-touch"),
    Rule("Region", "in", ("NA", "apac"), "Mid-touch"),
    Rule("Segment", "in", "SMB, Major", "Tech-touch"),
    Rule("Usage Score", "=", 50, "High-touch"),
    Rule("Expansion Potential", "in", "10, 20, 30", "High-touch"),
    Rule("Usage Score", ">=", 70.5, "Mid-touch"),
    Rule("Company Revenue", "<=", 2_500_000, "Tech-touch"),
)


COMBINED_RULES = tuple(parse_rule(text) for text in (
    "ARR >= 50000 and Industry = healthcare -> High-touch",
    "Industry contains serv and NPS < 0 -> Tech-touch",           # a blank Industry stops only where NPS < 0
    "Segment = Enterprise and Product <> lite -> High-touch",
    "Health = green and Employees is blank -> Mid-touch",         # the user's own column, and a blank test
    "Region in NA, apac and Usage Score >= 70.5 and ARR < 100000 -> Mid-touch",
    "Region = emea -> Mid-touch",                                 # a second way into Mid-touch (OR)
    "Expansion Potential in 10, 20, 30 and Company Revenue <= 2500000 -> High-touch",
    "Segment in SMB, Major and ARR > 20000 and ARR < 10000 -> High-touch",   # contradicts itself
))


def compilable_policies() -> dict[str, Settings]:
    """Every policy shape that compiles, with parameters that exercise each branch kind."""
    four = Settings().with_tiers(["Strategic", "Partner's Choice", "Scale", "Digital"])
    return {
        "arr-accounts": Settings(),
        "arr-share": Settings(policy="arr-share"),
        "arr-accounts-4-tiers": replace(four, account_bands=(0.05, 0.2, 0.35)),
        "segment-2d": Settings(policy="segment"),
        "segment-2d-revenue": Settings(
            policy="segment", size_basis="revenue", revenue_threshold=50_000_000, arr_threshold=75_000,
            segment_tiers={"Enterprise": "High-touch", "Major": "Mid-touch", "Large Opportunity": "Mid-touch"},
        ),
        "segment-industry": Settings(policy="segment", segment_by=Col.INDUSTRY, segment_tiers=SEGMENT_BY_INDUSTRY),
        "rules-default": Settings(policy="rules"),
        "rules-rich": Settings(policy="rules", rules=RICH_RULES, default_tier="Tech-touch"),
        "rules-combined": Settings(policy="rules", rules=COMBINED_RULES, default_tier="Tech-touch"),
        "rules-segment-by-region": Settings(
            policy="rules", segment_by=Col.REGION,
            rules=(Rule("Segment", "=", "emea", "High-touch"), Rule("ARR", ">", 20_000, "Mid-touch")),
        ),
    }


def tricky_book(n: int, seed: int) -> pd.DataFrame:
    """A sample book with real-world defects, plus the cases formulas get wrong.

    Ties at every ARR value (ARR is rounded to hundreds), ARR with cents and
    binary-awkward values, overrides spelled loosely or naming no tier,
    override reasons that are blank in disguise, messy spacing in categories,
    and a user column ("Health") the rules read.
    """
    raw = sample_accounts(n, seed=seed, defects=True)
    rng = np.random.default_rng(seed + 1)
    arr = raw[Col.ARR].to_numpy(dtype=object, copy=True)
    numeric = np.flatnonzero([isinstance(v, float) for v in arr])
    cents = rng.choice(numeric, size=max(1, n // 50), replace=False)
    arr[cents] = [float(v) + float(rng.choice([0.01, 0.1, 0.3, 0.49, 0.5, 0.99])) for v in arr[cents]]
    odd = rng.choice(numeric, size=3, replace=False)
    arr[odd] = [0.1 + 0.2, 1e-9, 100_000.0]
    raw[Col.ARR] = arr
    override = raw[Col.TIER_OVERRIDE].to_numpy(dtype=object, copy=True)
    reason = raw[Col.OVERRIDE_REASON].to_numpy(dtype=object, copy=True)
    picks = rng.choice(n, size=max(8, n // 100), replace=False)
    spellings = [" high-touch ", "MID-TOUCH", "tech_touch", "Tech-Touch", "High - touch", "mid-touch\t"]
    reasons = ["Strategic logo", "#N/A", "   ", None, "Exec sponsor"]
    for i, row in enumerate(picks):
        override[row] = spellings[i % len(spellings)]
        reason[row] = reasons[i % len(reasons)]
    raw[Col.TIER_OVERRIDE] = override
    raw[Col.OVERRIDE_REASON] = reason
    industry = raw[Col.INDUSTRY].to_numpy(dtype=object, copy=True)
    spaced = rng.choice(n, size=max(3, n // 200), replace=False)
    industry[spaced] = ["  financial   Services " if i % 2 else "HEALTHCARE" for i in range(spaced.size)]
    raw[Col.INDUSTRY] = industry
    raw["Health"] = rng.choice(np.array(["Green", " green ", "RED", None, "Amber"], dtype=object), n)
    return raw


@pytest.fixture(scope="session")
def book_10k() -> pd.DataFrame:
    return tricky_book(10_000, seed=11)


@pytest.fixture(scope="session")
def book_300() -> pd.DataFrame:
    return tricky_book(300, seed=23)


@pytest.fixture(scope="session")
def runs_10k(book_10k) -> dict:
    return {name: run(book_10k, settings) for name, settings in compilable_policies().items()}


# ------------------------------------------------------------------- engines
def _java_ok() -> bool:
    return shutil.which("java") is not None


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for the whole test session (starting one takes ~15 s)."""
    pytest.importorskip("pyspark")
    if not _java_ok():
        pytest.skip("Java is not installed")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("tierbook-tests")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def libreoffice_recalc(source: Path, out_dir: Path, timeout: float = 240) -> Path:
    """Open an .xlsx in headless LibreOffice with "always recalculate" and save it again.

    A private profile (OOXMLRecalcMode = 0, always) makes LibreOffice 7.4
    recalculate every formula on load; its default never does.
    """
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = Path(tempfile.mkdtemp(prefix="tierbook_lo_profile_"))
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_XCU)
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
           "--nolockcheck", "--nodefault", "--nologo", "--convert-to", "xlsx", "--outdir", str(out_dir), str(source)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            env=dict(os.environ, SAL_USE_VCLPLUGIN="svp"))
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    result = out_dir / (source.stem + ".xlsx")
    assert result.exists(), f"LibreOffice wrote nothing: {out.decode()} {err.decode()}"
    return result


# ---------------------------------------------------------------- slow tests
def pytest_collection_modifyitems(config, items):
    expr = config.getoption("-m") or ""
    wanted = ("slow" in expr and "not slow" not in expr) or os.environ.get("TIERBOOK_SLOW") == "1"
    if wanted:
        return
    skip = pytest.mark.skip(reason="1,000,000-account run: pytest -m slow (or TIERBOOK_SLOW=1)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
