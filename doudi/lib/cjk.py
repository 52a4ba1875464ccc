"""Chinese text as search terms, without a dictionary: characters and overlapping pairs.

A two-character word (社保, 户口) is one pair, so it is found wherever it occurs, whatever a
word segmenter would have made of the sentence; longer words are the AND of their pairs.

Steps of ``document_terms``, for each field on its own (so that no pair spans two fields):
NFKC (full-width letters, digits and spaces become half-width) and lower case; a run of CJK
characters gives each character and each pair of neighbours, and goes on across white space
(a word broken by a line break is still one word) but stops at punctuation; a run of other
letters and digits gives one word (case numbers, "12345", "app").

``query_terms`` does the same for what a person types, except that white space separates
words: a run of one character asks for that character, a longer run for all its pairs. Query
text is plain text: quotes, ``*``, ``-`` and ``NEAR`` are characters or words like any other.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Sequence

# Han (with extensions and compatibility ideographs), kana and Hangul: scripts written
# without spaces, where pairs of characters stand in for words.
_CJK = (
    "\u3005\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0003134f"
)
_DOCUMENT = re.compile(rf"(?P<cjk>[{_CJK}](?:\s*[{_CJK}])*)|(?P<word>(?:(?![{_CJK}])[^\W_])+)")
_QUERY = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>(?:(?![{_CJK}])[^\W_])+)")
_SPACE = re.compile(r"\s+")

# A longer "word" (a pasted hash, a base64 blob) is cut: terms stay small in every index.
MAX_WORD = 32
# A query asks for at most this many terms (a pasted paragraph still costs a bounded AND).
MAX_QUERY_TERMS = 24


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _run_terms(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def document_terms(*fields: str) -> set[str]:
    """Every term of the fields: characters, pairs and words."""
    terms: set[str] = set()
    for field in fields:
        for match in _DOCUMENT.finditer(normalise(field or "")):
            if match["word"]:
                terms.add(match["word"][:MAX_WORD])
                continue
            run = _SPACE.sub("", match["cjk"])
            terms.update(run)
            terms.update(_run_terms(run))
    return terms


def document_tokens(*fields: str) -> str:
    """The terms as one space-separated string, sorted (what the index stores)."""
    return " ".join(sorted(document_terms(*fields)))


def many_tokens(rows: Sequence[Sequence[str]]) -> list[str]:
    """``document_tokens`` of each row's fields (a batch, sent to another process at once)."""
    return [document_tokens(*fields) for fields in rows]


def with_terms(tokens: str, *fields: str) -> str:
    """``tokens`` (of ``document_tokens``) with the terms of more fields, still sorted: the
    same as ``document_tokens`` of all the fields, without sorting every term again."""
    terms = tokens.split()
    for term in document_terms(*fields):
        at = bisect_left(terms, term)
        if at == len(terms) or terms[at] != term:
            terms.insert(at, term)
    return " ".join(terms)


def query_terms(text: str) -> list[str]:
    """The terms a document must all have to match ``text``; empty when it has none
    (punctuation only)."""
    terms: list[str] = []
    for match in _QUERY.finditer(normalise(text)):
        if match["word"]:
            terms.append(match["word"][:MAX_WORD])
        elif len(match["cjk"]) == 1:
            terms.append(match["cjk"])
        else:
            terms.extend(_run_terms(match["cjk"]))
    return list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]


def pairs(terms: Iterable[str]) -> set[str]:
    """The terms that carry meaning for similarity: pairs of characters and words (a single
    CJK character says little on its own; nor does any other single non-ASCII letter)."""
    return {t for t in terms if len(t) > 1 or t.isascii()}
