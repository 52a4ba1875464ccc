"""Reads through the search index: cases matching typed text, and a case's similar cases.

Both go through the reader's scope (``doudi.cases.access.case_visibility``) in the same query
as the index, so that nobody learns of a case they could not open.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Expression, F, Max, QuerySet
from django.utils.functional import cached_property

from doudi.cases.access import (
    case_visibility,
    is_department_reader,
    reader_centres_q,
    reader_reach,
)
from doudi.cases.models import Case
from doudi.cases.workflow import State
from doudi.lib.cjk import document_terms, pairs, query_terms
from doudi.search.models import TEXT_FIELDS, CaseIndex, Term, index_key, key_bucket

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

    from doudi.accounts.access import AnyUser

# A search counts its matches up to here ("more than 1,000"): a common word matches a tenth
# of a million cases, and nobody pages through them; counting them all would cost more than
# finding the first page.
COUNT_CAP = 1000

# PostgreSQL (``CappedPaginator._newest``): matches denser than this among the cases are left
# to the key's walk; sparser ones are looked for in the newest time buckets, at most this
# many times.
DENSE_MATCHES = 0.05
BUCKET_LOOKS = 5
# A search whose every term is in this share of the cases or more looks for its count's
# matches in the newest buckets first, at most this many times (``CappedPaginator._keyed``).
FREQUENT_TERMS = 0.10
CAP_LOOKS = 2

# Similar cases: how many of the case's rarest terms look for candidates, how many postings
# those terms may have in all (the candidate query's cost), how many candidates are scored,
# and the least score shown.
SIMILAR_TERMS = 8
SIMILAR_POSTINGS = 20_000
SIMILAR_CANDIDATES = 200
SIMILAR_MIN_SCORE = 0.15


def fts_query(terms: list[str], *, every: bool = True, reach: list[str] | None = None) -> str:
    """An FTS5 query for the terms: each quoted (the terms are letters and digits only, and
    quoted all the same), joined by AND or OR; and any of the ``reach`` marks when given (a
    department reader's, ``reader_reach``; the FTS5 table indexes them beside the tokens,
    migration 0006). Query text is never query syntax."""
    query = (" AND " if every else " OR ").join(f'"{t}"' for t in terms)
    if reach is None:
        return query
    # No marks (a reader who sees no department's cases): a mark no row holds.
    marks = " OR ".join(f'"{m}"' for m in reach) or '"@"'
    return f"({query}) AND ({marks})"


class TermMatch(Expression):
    """PostgreSQL: true for the index rows whose terms hold all (``every``) or any of
    ``terms``, and any of the ``reach`` marks when given, through the GIN index of the stored
    terms and marks. ``prefix`` leads from the queryset's model to the index row
    ("search_index__" from a case)."""

    output_field = BooleanField()
    conditional = True

    def __init__(
        self,
        terms: list[str],
        *,
        every: bool = True,
        reach: list[str] | None = None,
        prefix: str = "",
    ) -> None:
        super().__init__()
        self.terms = terms
        self.every = every
        self.reach = reach
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
        if self.reach is not None:
            # No marks (a reader who sees no department's cases): a mark no row holds.
            marks = " | ".join(f"'{m}'" for m in self.reach) or "'@'"
            query = f"({query}) & ({marks})"
        # The stored tsvector next to the tokens (migrations 0004, 0005), which the GIN index
        # holds: the same table alias, the other column.
        if not sql.endswith('"tokens"'):
            raise ValueError(sql)
        terms = sql.removesuffix('"tokens"') + '"terms"'
        return f"{terms} @@ %s::tsquery", (*params, query)


def matching(
    cases: QuerySet[Case],
    terms: list[str],
    *,
    every: bool = True,
    before: int | None = None,
    reader: AnyUser | None = None,
) -> tuple[QuerySet[Case], str]:
    """``cases`` narrowed to those whose index row holds the terms (and whose key is below
    ``before``), and the field that orders them newest first. On SQLite the FTS5 table is
    joined and read newest first, so that a common word stops at the first page's rows
    instead of collecting every match; on PostgreSQL the planner chooses between walking the
    key and the GIN index's matches. Both look only among the rows holding any of the reach
    marks of the ``reader`` whose cases ``cases`` are, when a department's
    (``reader_reach``): the scope of ``cases`` still decides, the marks only let the index
    leave out most of what it would refuse."""
    reach = reader_reach(reader) if reader is not None else None
    if connection.vendor == "postgresql":
        key = "search_index__id"
        # "isnull=False" makes the join an inner one, which the planner may start from.
        narrowed = cases.filter(
            TermMatch(terms, every=every, reach=reach, prefix="search_index__"),
            search_index__isnull=False,
        )
    else:
        key = "search_index__fulltext__index"
        query = fts_query(terms, every=every, reach=reach)
        narrowed = cases.filter(search_index__fulltext__match=query)
    if before is not None:
        narrowed = narrowed.filter(**{f"{key}__lt": before})
    return narrowed, f"-{key}"


CASE_NUMBER = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*-\d{8}-\d{4,}$")


def search_cases(
    cases: QuerySet[Case], text: str, *, reader: AnyUser | None = None
) -> QuerySet[Case]:
    """The cases of ``cases`` whose text holds every word of ``text``, newest first; none
    when ``text`` has nothing to search for (punctuation only). A case number typed whole
    finds that case alone (SFQ-20260929-0001 is not also SFQ-DHM-20260929-0001). ``reader``:
    whose cases ``cases`` are (see ``matching``)."""
    number = text.strip().upper()
    if CASE_NUMBER.match(number) and cases.filter(number=number).exists():
        return cases.filter(number=number)
    terms = query_terms(text)
    if not terms:
        return cases.none()
    narrowed, newest_first = matching(cases, terms, reader=reader)
    return narrowed.order_by(newest_first)


class CappedPaginator(Paginator):
    """Counts a search's matches up to ``COUNT_CAP``: the pages beyond are not offered.

    One query reads the ids of the first ``COUNT_CAP`` + 1 matches: that is the count, and a
    page's rows then come by id, so that the reader's scope (a department's recipients) is
    worked out once per page view, not twice. On SQLite the FTS5 table gives them newest
    first, lazily, and so does a plain list, which is every page offered.

    On PostgreSQL a search reads them unordered (the GIN index's matches, stopping past the
    cap) with their keys: when there are no more than the cap, these are all the matches,
    sorted here. When there are more, and they are sparse (a word of several pairs, which
    the planner takes for a handful and sorts all 20,000 of), the page's newest matches are
    looked for a few time buckets at a time (``_newest``); when they are frequent, or the
    buckets do not find them, an ordered query walks the key. A plain list on PostgreSQL is
    counted by an unordered query and paged by an ordered one.

    ``text`` and ``reader``: the searched text and whose cases they are, when
    ``object_list`` is a search (``search_cases``)."""

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        *,
        text: str = "",
        reader: AnyUser | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.text = text
        self.reader = reader

    @cached_property
    def _searched_on_postgresql(self) -> bool:
        matches: Any = self.object_list  # a queryset of cases
        return connection.vendor == "postgresql" and tuple(matches.query.order_by) == (
            "-search_index__id",
        )

    @cached_property
    def _keyed(self) -> list[tuple[int, int]]:
        """PostgreSQL, a search: (key, id) of up to ``COUNT_CAP`` + 1 matches, newest first.

        For a department reader, when every searched term is in ``FREQUENT_TERMS`` of the
        cases or more, first looked for in the newest time buckets (``CAP_LOOKS`` looks): such
        a word fills the cap there from a GIN scan of a few buckets' rows, where reading any
        1,001 of its matches and the department's marks builds the bitmap of all of them
        first (窗口, in 60% of the cases: 110 ms). Then these are the newest matches, which
        every page offered is cut from (``_newest_keyed``). Otherwise any 1,001, sorted: for
        rarer words the looks would mostly come back short, and a reader who sees every case
        finds the newest buckets holding tens of thousands of a frequent word's matches."""
        if self._newest_keyed is not None:
            return self._newest_keyed
        matches: Any = self.object_list
        keyed = matches.order_by().values_list("search_index__id", "pk")[: COUNT_CAP + 1]
        return sorted(keyed, reverse=True)

    @cached_property
    def _newest_keyed(self) -> list[tuple[int, int]] | None:
        """PostgreSQL: the newest ``COUNT_CAP`` + 1 matches, found in the newest buckets, for a
        department reader's frequent words (see ``_keyed``); None otherwise (the buckets are
        marks of PostgreSQL's stored terms only)."""
        if not self._searched_on_postgresql:
            return None
        if self.reader is None or not is_department_reader(self.reader):
            return None
        terms = query_terms(self.text)
        shares = term_frequencies(terms, _index_rows()) if terms else {}
        if not shares or min(shares.values()) < FREQUENT_TERMS:
            return None
        found = self._in_buckets(COUNT_CAP + 1, CAP_LOOKS)
        return None if found is None else found[: COUNT_CAP + 1]

    @cached_property
    def _ids(self) -> list[int]:
        if self._searched_on_postgresql:
            return [pk for _, pk in self._keyed]
        matches: Any = self.object_list
        return list(matches.values_list("pk", flat=True)[: COUNT_CAP + 1])

    @cached_property
    def count(self) -> int:
        if connection.vendor == "postgresql" and not self._searched_on_postgresql:
            matches: Any = self.object_list
            return int(matches.order_by()[: COUNT_CAP + 1].count())
        return len(self._ids)

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @cached_property
    def num_pages(self) -> int:
        # Past the cap, the pages of the first COUNT_CAP matches only.
        if self.capped:
            return math.ceil(COUNT_CAP / self.per_page)
        return int(super().num_pages)

    def _newest(self, need: int) -> list[int] | None:
        """PostgreSQL, a search with more matches than were read: the ids of its ``need``
        newest matches, newest first, looked for in the newest time buckets (2, then 4, 8 …
        older ones; each look one GIN scan of the words and the buckets' marks, reading
        only that span's matches). None when the matches read say they are frequent (the
        key's walk finds a page in a few hundred rows) or the looks run out."""
        # The matches read for the count: their share of the cases between the oldest and
        # the newest of them is the word's density there.
        cases = [pk for _, pk in self._keyed]
        if len(cases) / (max(cases) - min(cases) + 1) > DENSE_MATCHES:
            return None
        found = self._in_buckets(need, BUCKET_LOOKS, oldest=key_bucket(self._keyed[-1][0]))
        return None if found is None else [pk for _, pk in found]

    def _in_buckets(self, need: int, looks: int, oldest: int = 0) -> list[tuple[int, int]] | None:
        """PostgreSQL: (key, id) of the matches in the newest time buckets, newest first, once
        they number ``need`` or more (2, then 4, 8 … buckets; each look one GIN scan of the
        words and the buckets' marks, reading only that span's matches); None when ``looks``
        looks, or the buckets down to ``oldest``, found fewer."""
        matches: Any = self.object_list
        newest = CaseIndex.objects.aggregate(newest=Max("id"))["newest"] or 0
        top, width = key_bucket(newest), 2
        found: list[tuple[int, int]] = []
        for _ in range(looks):
            marks = [f"@k{bucket}" for bucket in range(max(0, top - width + 1), top + 1)]
            span = matches.filter(TermMatch(marks, every=False, prefix="search_index__"))
            found += sorted(span.order_by().values_list("search_index__id", "pk"), reverse=True)
            if len(found) >= need:
                return found
            top, width = top - width, width * 2
            if top < oldest:
                break
        return None

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        ids: list[int] | None
        if connection.vendor != "postgresql":
            ids = self._ids  # read in order
        elif not self._searched_on_postgresql:
            ids = None  # a plain list: ordered by the database
        elif not self.capped or self._newest_keyed is not None:
            ids = self._ids  # every match, or the newest, sorted
        else:
            ids = self._newest(min(number * self.per_page, COUNT_CAP))
        bottom = (number - 1) * self.per_page
        if ids is None:
            page = super().page(number)
            if not self.capped:
                return page
            # The last page offered ends at the cap, as the count says.
            return Page(list(page.object_list)[: COUNT_CAP - bottom], number, self)
        ids = ids[bottom : min(bottom + self.per_page, COUNT_CAP)]
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


def term_frequencies(terms: list[str], total: int) -> dict[str, float]:
    """Each term's share of the ``total`` cases (0..1), from ``Term`` (one read by primary
    key; a term it does not hold is in no case)."""
    counts = dict(Term.objects.filter(term__in=terms).values_list("term", "docs"))
    total = max(1, total)
    return {term: counts.get(term, 0) / total for term in terms}


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
    for term in sorted(mine, key=lambda t: (shares[t], t)):
        expected = shares[term] * total
        if expected < 2:
            continue  # only this case has it (rare terms' counts are exact)
        if len(chosen) == SIMILAR_TERMS or (chosen and postings + expected > SIMILAR_POSTINGS):
            break
        chosen.append(term)
        postings += expected
    if not chosen:
        return []  # no term that another case has
    visible = Case.objects.filter(case_visibility(user))
    visible = visible.exclude(state=State.MERGED).exclude(pk=case.pk)
    before = index_key(case.pk, case.registered_at)
    if connection.vendor == "postgresql":
        # The newest candidates from the index rows alone, then only those joined to their
        # cases for the scope (the reader's marks have already left out most of what it
        # would refuse). The rows come from the GIN index's bitmap of the rare terms (a few
        # thousand), sorted by an expression: by the key's index the planner walks it testing
        # every row's terms. Joined to its case before the sort, each of the thousands cost a
        # case read: half the time.
        marks = reader_reach(user)
        index = CaseIndex.objects.filter(TermMatch(chosen, every=False, reach=marks), id__lt=before)
        if scope == "centre":
            index = index.filter(centre_id=case.centre_id)
        else:  # a centre reader's own centres: the others' would fill the candidates
            index = index.filter(reader_centres_q(user, "centre__"))
        newest = index.order_by((F("id") + 0).desc()).values("case_id")[:SIMILAR_CANDIDATES]
        rows = visible.filter(pk__in=newest).order_by().values_list("pk", "search_index__tokens")
    else:
        if scope == "centre":
            visible = visible.filter(search_index__centre_id=case.centre_id)
        candidates, newest_first = matching(
            visible, chosen, every=False, before=before, reader=user
        )
        rows = candidates.order_by(newest_first).values_list("pk", "search_index__tokens")[
            :SIMILAR_CANDIDATES
        ]
    average = sum(weights.values()) / len(weights)
    norm_mine = math.sqrt(sum(w * w for w in weights.values()))
    scored: list[tuple[float, int]] = []
    for pk, tokens in rows:
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
    """The number of index rows, as the database knows it cheaply: on PostgreSQL the larger of
    the planner's estimate and the statistics' live rows, counted when neither knows yet (a
    table never analysed, as in a new installation: counting a small table is cheap)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT GREATEST(c.reltuples, s.n_live_tup, 0)::bigint FROM pg_class c"
                " LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid"
                " WHERE c.relname = 'search_caseindex'"
            )
            row = cursor.fetchone()
            if row and row[0]:
                return int(row[0])
            cursor.execute("SELECT count(*) FROM search_caseindex")
        else:
            cursor.execute("SELECT MAX(rowid) & 1073741823 FROM search_caseindex")
        row = cursor.fetchone()
        return int(row[0] or 0) if row else 0
