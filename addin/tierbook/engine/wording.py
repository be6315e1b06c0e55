"""How messages word a count: one plural rule for every sentence that counts something."""

from __future__ import annotations


def counted(n: int, word: str) -> str:
    """``n`` with ``word``, in the plural unless ``n`` is 1: "1 override", "1,200 overrides"."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


__all__ = ["counted"]
