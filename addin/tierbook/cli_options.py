"""What the command line's options mean: counts, band shares, policies, rules and the decimal mark.

Each reader turns an option's text into the value the library takes, or
raises :class:`UsageError` naming the option, the value and what was expected.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from .engine import POLICIES, Settings
from .engine.reading import DECIMALS
from .engine.rules import parse_rule
from .errors import SettingsError, TierbookError
from .sample import MAX_ROWS


class UsageError(TierbookError):
    """A command-line option is wrong."""


def count(name: str, low: int, high: int | None = None):  # type: ignore[no-untyped-def]
    """An argparse type: a whole number from ``low`` (to ``high``), else one line saying what is allowed."""
    def parse(text: str) -> int:
        try:
            value = int(text.strip().replace("_", ""))
        except ValueError:
            raise UsageError(f"{name}: expected a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            bound = f"from {low:,} to {high:,}" if high is not None else f"of {low:,} or more"
            why = " (an Excel sheet holds 1,048,575 rows below its header)" if high == MAX_ROWS else ""
            raise UsageError(f"{name}: expected a whole number {bound}{why}, got {value:,}")
        return value

    return parse


def shares(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise UsageError(f"--bands: expected shares such as 0.15,0.40, got {text!r}") from None


def new_book_settings(tiers: str | None) -> Settings | None:
    """The settings of ``tierbook new --tiers NAMES`` (None: the template's), read as ``--tiers`` is everywhere.

    The segment map and rules move along by position; with another number of
    tiers the bands and cut-offs are evenly spaced (``Settings.with_tiers``).
    """
    if tiers is None:
        return None
    names = [t.strip() for t in tiers.split(",")]
    if len([n for n in names if n]) < 2 or not all(names):
        raise UsageError(f"--tiers: expected at least two tier names separated by commas, most engaged first "
                         f'(e.g. "Strategic,Scale,Digital"), got {tiers!r}')
    return Settings().with_tiers(names)


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the common options (--policy, --tiers, --bands, --decimal)."""
    given_rules = getattr(args, "tier_rule", None) or getattr(args, "default_tier", None)
    policy = args.policy or ("rules" if given_rules else "arr-accounts")
    settings = Settings(policy=policy, decimal_mark=getattr(args, "decimal", None) or "auto")
    if args.tiers:
        settings = settings.with_tiers([t for t in args.tiers.split(",") if t.strip()])
    if args.bands:
        field = "arr_bands" if settings.policy == "arr-share" else "account_bands"
        if settings.policy not in ("arr-accounts", "arr-share"):
            raise UsageError(f"--bands applies to the arr-accounts and arr-share policies, not {settings.policy}")
        settings = replace(settings, **{field: shares(args.bands)})
    return with_rules(settings, args)


def with_rules(settings: Settings, args: argparse.Namespace) -> Settings:
    """The rules policy's rules and default tier from --tier-rule and --default-tier, when given."""
    texts, default = getattr(args, "tier_rule", None) or [], getattr(args, "default_tier", None)
    if not texts and default is None:
        return settings
    if settings.policy != "rules":
        raise UsageError(f"--tier-rule and --default-tier apply to the rules policy, not {settings.policy}; "
                         "add --policy rules")
    rules = []
    for n, text in enumerate(texts, start=1):
        try:
            rules.append(parse_rule(text))
        except SettingsError as exc:
            raise UsageError(f"--tier-rule {n}: {exc.message}") from None
    changes: dict[str, object] = {"rules": tuple(rules)} if rules else {}
    if default is not None:
        changes["default_tier"] = default
    return replace(settings, **changes)


def policy_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", choices=POLICIES, default=None,
                        help="tiering policy (default: arr-accounts; rules with --tier-rule)")
    parser.add_argument("--bands", help="shares per tier but the last, e.g. 0.15,0.40")
    parser.add_argument("--tiers", help='tier names, most engaged first, e.g. "Tier 1,Tier 2,Tier 3"')
    rule_options(parser)
    decimal_option(parser)


def rule_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tier-rule", action="append", metavar='"CONDITIONS -> TIER"',
                        help='a rule of the rules policy, first match wins; repeat it for each rule, e.g. '
                             '--tier-rule "ARR >= 50000 and Industry = Healthcare -> High-touch"')
    parser.add_argument("--default-tier", metavar="TIER", help="the tier of accounts no rule matches (rules policy)")


def decimal_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--decimal", choices=DECIMALS, default=None,
                        help="decimal mark of numbers written as text: auto (each column's other values decide "
                             "whether 1,234 is 1234 or 1.234; default), point or comma")
