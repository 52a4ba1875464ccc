"""Sentences people typed, joined into a longer one ("结果甲。" and "结果乙" → "结果甲；结果乙")."""

from __future__ import annotations

from collections.abc import Iterable

# What may end a typed sentence and would double up before "；" or "，".
_ENDINGS = "。．.；;，,、 \t\r\n"


def clause(text: str) -> str:
    """The text without white space around it and without the punctuation that ends it."""
    return text.strip().rstrip(_ENDINGS)


def join_clauses(parts: Iterable[str], separator: str = "；") -> str:
    """The non-empty parts as clauses of one sentence."""
    return separator.join(c for c in (clause(p) for p in parts) if c)
