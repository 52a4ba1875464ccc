"""Reads through the search index: cases matching typed text, and a case's similar cases.

Both go through the reader's scope (``doudi.cases.access.case_visibility``) in the same query
as the index, so that nobody learns of a case they could not open.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Expression, F, QuerySet
from django.utils.functional import cached_property

from doudi.cases.access import case_visibility
from doudi.cases.models import Case
from doudi.cases.workflow import State
from doudi.lib.cjk import document_terms, pairs, query_terms
from doudi.search.models import TEXT_FIELDS, index_key

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

    from doudi.accounts.access import AnyUser

# A search counts its matches up to here ("more than 1,000"): a common word matches a tenth
# of a million cases, and nobody pages through them; counting them all would cost more than
# finding the first page.
COUNT_CAP = 1000

# Similar cases: how many of the case's rarest terms look for candidates, how many postings
# those terms may have in all (the candidate query's cost), how many candidates are scored,
# and the least score shown.
SIMILAR_TERMS = 8
SIMILAR_POSTINGS = 20_000
SIMILAR_CANDIDATES = 200
SIMILAR_MIN_SCORE = 0.15


def fts_query(terms: list[str], *, every: bool = True) -> str:
    """An FTS5 query for the terms: each quoted (the terms are letters and digits only, and
    quoted all the same), joined by AND or OR. Query text is never query syntax."""
    return (" AND " if every else " OR ").join(f'"{t}"' for t in terms)


class TermMatch(Expression):
    """PostgreSQL: true for the index rows whose terms hold all (``every``) or any of
    ``terms``, through the GIN index. ``prefix`` leads from the queryset's model to the index
    row ("search_index__" from a case)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, terms: list[str], *, every: bool = True, prefix: str = "") -> None:
        super().__init__()
        self.terms = terms
        self.every = every
        self.tokens: Any = F(f"{prefix}tokens")

    def get_source_expressions(self) -> list[Any]:
        return [self.tokens]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.tokens,) = exprs

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.tokens)
        query = (" & " if self.every else " | ").join(f"'{t}'" for t in self.terms)
        # search_terms: the function of the GIN index (migration 0001).
        return f"search_terms({sql}) @@ %s::tsquery", (*params, query)


def matching(
    cases: QuerySet[Case], terms: list[str], *, every: bool = True, before: int | None = None
) -> tuple[QuerySet[Case], str]:
    """``cases`` narrowed to those whose index row holds the terms (and whose key is below
    ``before``), and the field that orders them newest first. On SQLite the FTS5 table is
    joined and read newest first, so that a common word stops at the first page's rows
    instead of collecting every match; on PostgreSQL the planner chooses between walking the
    key and the GIN index's matches."""
    if connection.vendor == "postgresql":
        key = "search_index__id"
        # "isnull=False" makes the join an inner one, which the planner may start from.
        narrowed = cases.filter(
            TermMatch(terms, every=every, prefix="search_index__"), search_index__isnull=False
        )
    else:
        key = "search_index__fulltext__index"
        narrowed = cases.filter(search_index__fulltext__match=fts_query(terms, every=every))
    if before is not None:
        narrowed = narrowed.filter(**{f"{key}__lt": before})
    return narrowed, f"-{key}"


def search_cases(cases: QuerySet[Case], text: str) -> QuerySet[Case]:
    """The cases of ``cases`` whose text holds every word of ``text``, newest first; none
    when ``text`` has nothing to search for (punctuation only)."""
    terms = query_terms(text)
    if not terms:
        return cases.none()
    narrowed, newest_first = matching(cases, terms)
    return narrowed.order_by(newest_first)


class CappedPaginator(Paginator):
    """Counts a search's matches up to ``COUNT_CAP``: the pages beyond are not offered.

    On SQLite one query reads the ids of the first ``COUNT_CAP`` + 1 matches in order (the
    FTS5 table gives them newest first, lazily): that is the count and every page offered,
    and a page's rows then come by id, so that the reader's scope (a department's work
    orders) is worked out once per page view, not twice. On PostgreSQL the count is an
    unordered query with a limit (the GIN index's matches, stopping at the cap) and the page
    an ordered one: the planner picks the best way for each."""

    @cached_property
    def _ids(self) -> list[int]:
        matches: Any = self.object_list  # a queryset of cases
        return list(matches.values_list("pk", flat=True)[: COUNT_CAP + 1])

    @cached_property
    def count(self) -> int:
        if connection.vendor == "postgresql":
            matches: Any = self.object_list
            return int(matches.order_by()[: COUNT_CAP + 1].count())
        return len(self._ids)

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    def page(self, number: int | str) -> Page:
        if connection.vendor == "postgresql":
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = self._ids[bottom : min(bottom + self.per_page, COUNT_CAP)]
        matches: Any = self.object_list
        rows = Case.objects.all()
        rows.query.select_related = matches.query.select_related  # the list's own joins
        found = rows.in_bulk(ids)
        return Page([found[pk] for pk in ids if pk in found], number, self)


# --- Similar cases ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SimilarCase:
    case: Case
    score: float


def _frequencies_sqlite(terms: list[str], total: int) -> tuple[dict[str, float], float]:
    """Each term's share of the cases, from the FTS5 vocabulary (exact), and the share of a
    term it does not know (none)."""
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(terms))
        cursor.execute(f"SELECT term, doc FROM search_casevocab WHERE term IN ({marks})", terms)  # noqa: S608
        return {term: doc / total for term, doc in cursor.fetchall()}, 0.0


def _frequencies_postgresql(terms: list[str]) -> tuple[dict[str, float], float]:
    """The commonest terms' shares from the planner's statistics of the GIN index (kept by
    ANALYZE and autovacuum); a term not among them is taken as half as common as the rarest
    listed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
            " WHERE schemaname = current_schema() AND tablename = 'search_caseindex_terms'"
        )
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return {}, 0.0
    elems, freqs = row
    wanted = set(terms)
    # The frequencies list ends with the least and greatest frequency and the null share.
    return {e: f for e, f in zip(elems, freqs, strict=False) if e in wanted}, freqs[-3] / 2


# Terms' shares change slowly, and reading a common term's share costs its whole list of
# cases (SQLite) or the planner's statistics (PostgreSQL): each process keeps them for a day
# (a dictionary of the vocabulary, a few megabytes; Django's local-memory cache holds only
# 300 entries, fewer than two cases' terms).
SHARE_SECONDS = 24 * 3600
_shares: dict[str, tuple[float, float]] = {}  # term -> (share, monotonic time it expires)


def term_frequencies(terms: list[str], total: int) -> dict[str, float]:
    """Each term's share of the ``total`` cases (0..1)."""
    now = time.monotonic()
    shares = {t: _shares[t][0] for t in terms if t in _shares and _shares[t][1] > now}
    missing = [t for t in terms if t not in shares]
    if missing:
        if connection.vendor == "postgresql":
            found, unknown = _frequencies_postgresql(missing)
        else:
            found, unknown = _frequencies_sqlite(missing, max(1, total))
        for term in missing:
            shares[term] = found.get(term, unknown)
            _shares[term] = (shares[term], now + SHARE_SECONDS)
    return shares


def _weight(share: float) -> float:
    """Inverse document frequency: a term in every case weighs nothing, a rare one much."""
    return math.log(1 + 1 / max(share, 1e-6))


def similar_cases(
    user: AnyUser, case: Case, *, scope: Literal["centre", "all"] = "centre", limit: int = 5
) -> list[SimilarCase]:
    """The earlier cases most like ``case`` that ``user`` may see, best first.

    Steps: the case's terms (pairs of characters and words of its title, account, request
    and matter); their frequencies; candidates: the newest earlier cases (of the same
    centre, or all) holding any of its rarest terms, within a bound on their postings;
    each candidate scored by the cosine of the two term sets weighted by inverse frequency
    (a term the case lacks weighs the case's average); the best ``limit`` above a floor.
    Merged cases (duplicates of another) and the case itself are left out.
    """
    text = [getattr(case, name) or "" for name in TEXT_FIELDS if name not in {"number", "outcome"}]
    mine = sorted(pairs(document_terms(*text)))
    if not mine:
        return []
    total = _index_rows()
    shares = term_frequencies(mine, total)
    weights = {t: _weight(shares[t]) for t in mine}
    chosen: list[str] = []
    postings = 0.0
    # SQLite's counts are exact: a term only this case has finds nothing else.
    exact = connection.vendor != "postgresql"
    for term in sorted(mine, key=lambda t: (shares[t], t)):
        expected = shares[term] * total
        if exact and expected < 2:
            continue
        if len(chosen) == SIMILAR_TERMS or (chosen and postings + expected > SIMILAR_POSTINGS):
            break
        chosen.append(term)
        postings += expected
    if not chosen:
        return []  # no term that another case has
    visible = Case.objects.filter(case_visibility(user))
    if scope == "centre":
        visible = visible.filter(search_index__centre_id=case.centre_id)
    visible = visible.exclude(state=State.MERGED).exclude(pk=case.pk)
    candidates, newest_first = matching(
        visible, chosen, every=False, before=index_key(case.pk, case.registered_at)
    )
    if connection.vendor == "postgresql":
        # Ordered by an expression, not the key's index: otherwise the planner walks the key
        # backwards testing every row's terms (tens of thousands for rare terms); the GIN
        # index's bitmap of the rare terms' few thousand rows, sorted, is what it should read.
        newest: Any = (F("search_index__id") + 0).desc()
    else:
        newest = newest_first
    rows = candidates.order_by(newest).values_list("pk", "search_index__tokens")
    average = sum(weights.values()) / len(weights)
    norm_mine = math.sqrt(sum(w * w for w in weights.values()))
    scored: list[tuple[float, int]] = []
    for pk, tokens in rows[:SIMILAR_CANDIDATES]:
        theirs = pairs(tokens.split())
        shared = sum(weights[t] ** 2 for t in theirs if t in weights)
        norm_theirs = math.sqrt(sum(weights.get(t, average) ** 2 for t in theirs))
        if shared and norm_theirs:
            scored.append((shared / (norm_mine * norm_theirs), pk))
    scored.sort(reverse=True)
    best = [(score, pk) for score, pk in scored[:limit] if score >= SIMILAR_MIN_SCORE]
    found = Case.objects.select_related("centre", "service_item", "triage__cause").in_bulk(
        [pk for _, pk in best]
    )
    return [SimilarCase(found[pk], round(score, 3)) for score, pk in best if pk in found]


def _index_rows() -> int:
    """The number of index rows, as the planner knows it (cheap on both databases)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE relname = "
                "'search_caseindex'"
            )
        else:
            cursor.execute("SELECT MAX(rowid) & 1073741823 FROM search_caseindex")
        row = cursor.fetchone()
        return int(row[0] or 0) if row else 0
