"""The targets ``tierbook export --rule`` compiles to, by name: declared here, apart from the compilers.

The command line lists them in its help and its choices; keeping the names
out of the compilers' modules means a command that compiles nothing (Assign
Tiers, an import) never imports sqlglot.
"""

from __future__ import annotations

SQL_TARGETS: dict[str, str] = {
    "sql": "duckdb",
    "duckdb": "duckdb",
    "spark": "spark",
    "databricks": "databricks",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "postgres": "postgres",
}
"""A SQL target's name -> the sqlglot dialect its statement is written in."""

TARGETS: tuple[str, ...] = (*SQL_TARGETS, "salesforce", "excel")
"""Every target the rule compiles to as thresholds frozen at export."""

LIVE_SUFFIX = "-live"
LIVE_TARGETS: tuple[str, ...] = tuple(f"{t}{LIVE_SUFFIX}" for t in SQL_TARGETS)
"""The SQL targets whose ARR bands are recomputed in the warehouse on every run (``duckdb-live``, ...)."""


def is_live(target: str) -> bool:
    """Whether a ``--rule`` target asks for the live bands (``duckdb-live``, ``snowflake-live``, ...)."""
    return target in LIVE_TARGETS


__all__ = ["LIVE_SUFFIX", "LIVE_TARGETS", "SQL_TARGETS", "TARGETS", "is_live"]
