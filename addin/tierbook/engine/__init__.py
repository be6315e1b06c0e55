"""The pure core of Tierbook: pandas in, pandas out.

Nothing here reads or writes files or knows about Excel; the workbook, the
Excel front ends and the CLI are adapters around :func:`run`.
"""

from .accounts import Accounts, prepare_accounts
from .checks import check_accounts, problem_counts
from .pipeline import Run, run
from .settings import POLICIES, Role, Rule, Settings
from .tiers import TierResult, arr_band_codes, assign_tiers

__all__ = [
    "Accounts",
    "POLICIES",
    "Role",
    "Rule",
    "Run",
    "Settings",
    "TierResult",
    "arr_band_codes",
    "assign_tiers",
    "check_accounts",
    "prepare_accounts",
    "problem_counts",
    "run",
]
