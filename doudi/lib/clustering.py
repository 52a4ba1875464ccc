"""Recurring problems: clusters of similar cases over a period, and whether a new case matches a
problem that was dealt with before.

Pure numpy, scipy and jieba, no Django. ``find_clusters`` works in these steps:

1. A document's text is its title twice and the first ``BODY_CHARS`` characters of its body,
   full-width letters and digits folded, lower-cased; any other character cuts it into runs.
2. Its features are the character bigrams inside the runs, TF-IDF with sublinear term
   frequency, rows L2-normalised. Bigrams found in one document only are dropped; words every
   complaint uses (小区, 问题, 反映 …) stay, weighing little through their inverse document
   frequency. (They were once dropped above a share of the documents, and then a problem that
   was many of a period's cases — a system down for a week — lost its own words with them and
   fell apart.) The bigrams are made with numpy arrays, a chunk of documents at a time:
   segmenting with jieba would take 7 s for 4,000 messages.
3. Candidate pairs come from the product of the vectors cut to their ``TOP_TERMS`` heaviest
   bigrams: the full product is quadratic in the common bigrams (20 s for 30,000 documents,
   a few seconds when cut). Each document keeps its ``NEIGHBOURS`` best candidates among the later
   ones, and the product is taken in blocks of rows whose size is bounded by ``BLOCK_PRODUCTS``:
   a period in which thousands of cases tell the same story (a system down for a week) would
   otherwise make every pair a candidate, quadratic in memory (14 GB for 50,000 such cases).
   The exact cosine is then computed for each candidate pair; two documents about the same
   service item get ``ITEM_BONUS`` added, so that moderately similar text about one item
   joins (a same-item pair is only considered when its cut product reaches ``CANDIDATE``).
4. Pairs at or above ``THRESHOLD`` link documents; each connected group is then split by
   average linkage cut at ``LINKAGE``, so that a chain A~B~C whose ends are unlike
   (the same complaint about two different estates) does not become one cluster.
5. Every cluster of at least ``min_size`` documents gets its size, its distinct reporters, its
   counts in the first and the second half of the period and its documents, the most central
   first; the first clusters of the ranking also get a label (the words of their titles that
   are frequent in them and rare elsewhere).

A ``Signature`` keeps a cluster's heaviest bigrams with their weights, so that a later
document can be compared with it (``match``) without the documents it was made from.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

BODY_CHARS = 600
# The texts' characters whose bigrams are counted at once (about 50 bytes each while they are).
CHUNK_CHARS = 500_000
TOP_TERMS = 40
# A cut pair scoring below this is not a candidate (the cut product never exceeds the exact one).
CANDIDATE = 0.1
# The candidates a document keeps (its best, among the later documents), the most products one
# block of the candidate product may hold (about 20 bytes each while it is made), and the
# candidate pairs whose exact cosines are computed at once.
NEIGHBOURS = 50
BLOCK_PRODUCTS = 1_000_000
EXACT_PAIRS = 20_000
# Pairs at or above THRESHOLD link documents; a linked group is cut where the average cosine
# between two of its parts falls below LINKAGE (both chosen by reading the clusters of the
# public hot-issue messages: docs/benchmarks.md).
THRESHOLD = 0.2
LINKAGE = 0.1
ITEM_BONUS = 0.15
# A connected group larger than this is split at a higher threshold before average linkage,
# which needs a dense matrix of the group.
MAX_DENSE = 2500
SIGNATURE_TERMS = 80
# A document whose cosine with a signature reaches this matches it (bench/clusters.py).
MATCH_THRESHOLD = 0.2
LABEL_WORDS = 3
_NOT_A_LABEL = re.compile(r"^[\da-z]+$")
# Place names as the public messages mask them (A市, A3区): in every title of a district.
_MASKED_PLACE = re.compile(r"[a-z]\d*[市区县]")
# Words every complaint uses; they would label every cluster alike.
_STOP_WORDS = frozenset(
    [
        "问题", "反映", "关于", "请问", "投诉", "建议", "希望", "咨询", "要求", "什么", "如何",
        "为什么", "是否", "能否", "何时", "时候", "严重", "相关", "部门", "政府", "领导", "情况",
        "我们", "你们", "他们", "这个", "那个", "一个", "没有", "已经", "可以", "进行", "解决",
        "处理", "请求", "恳请", "强烈", "尽快", "市民", "群众", "居民", "业主", "村民",
    ]
)  # fmt: skip


@dataclass(frozen=True)
class Document:
    key: int
    title: str
    body: str
    # The same for the same person (a phone or ID hash); "" unknown, counted as a person alone.
    reporter: str = ""
    at: datetime | None = None
    # The service item's key; "" none.
    item: str = ""


@dataclass(frozen=True)
class Cluster:
    keys: tuple[int, ...]  # the most central document first
    reporters: int
    earlier: int  # documents in the first half of the period
    recent: int  # documents in the second half
    label: tuple[str, ...]
    cohesion: float  # mean cosine of the documents with their centroid

    @property
    def size(self) -> int:
        return len(self.keys)

    @property
    def growth(self) -> int:
        """How many more documents came in the second half of the period than in the first."""
        return self.recent - self.earlier


RANKINGS: dict[str, Any] = {
    "reporters": lambda c: (-c.reporters, -c.size, -c.growth, c.keys[0]),
    "count": lambda c: (-c.size, -c.reporters, -c.growth, c.keys[0]),
    "growth": lambda c: (-c.growth, -c.size, -c.reporters, c.keys[0]),
}


def rank(clusters: Iterable[Cluster], by: str = "reporters") -> list[Cluster]:
    """Clusters by distinct reporters (default), by count or by growth, the others breaking ties."""
    return sorted(clusters, key=RANKINGS.get(by, RANKINGS["reporters"]))


@dataclass(frozen=True)
class Signature:
    """A cluster's heaviest bigrams: weight (of the unit centroid) and IDF of each."""

    weights: dict[str, float]
    idf: dict[str, float]
    default_idf: float  # for a bigram the signature does not hold

    def as_json(self) -> dict[str, Any]:
        return {
            "terms": {t: [round(w, 5), round(self.idf[t], 4)] for t, w in self.weights.items()},
            "default_idf": round(self.default_idf, 4),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Signature:
        terms = data.get("terms") or {}
        return cls(
            weights={t: float(v[0]) for t, v in terms.items()},
            idf={t: float(v[1]) for t, v in terms.items()},
            default_idf=float(data.get("default_idf") or 1.0),
        )

    @property
    def empty(self) -> bool:
        return not self.weights


def _parts(title: str, body: str) -> str:
    """The text compared: the title twice and the head of the body, NUL between them."""
    return f"{title}\0{title}\0{body[:BODY_CHARS]}"


# Code points from here on (rare CJK extensions, emoji, private use) count as separators.
_PLANES = 0x30000


@lru_cache(maxsize=1)
def _word_chars() -> Any:
    """For every code point below _PLANES, whether it is a letter or digit (anything else cuts
    a run)."""
    import numpy as np

    return np.array([chr(c).isalnum() for c in range(_PLANES)], dtype=bool)


def _folded_codes(text: str) -> Any:
    """The code points of ``text`` as numpy integers: full-width ASCII folded to ASCII
    (ＡＢ３ → ab3), letters lower-cased, and every character that is not a letter or digit
    made 0. Done on arrays: Python's NFKC normalisation took 3.6 s for 30,000 cases."""
    import numpy as np

    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).copy()
    wide = (codes >= 0xFF01) & (codes <= 0xFF5E)
    codes[wide] -= 0xFEE0
    upper = (codes >= 0x41) & (codes <= 0x5A)
    codes[upper] += 0x20
    codes[codes >= _PLANES] = 0
    codes[~_word_chars()[codes]] = 0
    return codes


def bigrams(title: str, body: str) -> Counter[str]:
    """The bigrams of one document, counted (as ``find_clusters`` sees them)."""
    codes = _folded_codes(_parts(title, body)).tolist()
    return Counter(chr(a) + chr(b) for a, b in itertools.pairwise(codes) if a and b)


# --- the vectors -------------------------------------------------------------------------
@dataclass
class _Space:
    matrix: Any  # csr, documents x kept bigrams, rows unit length
    vocabulary: Any  # uint64 codes of the kept bigrams
    idf: Any
    default_idf: float


def _code(term: str) -> int:
    return (ord(term[0]) << 21) | ord(term[1])


def _term(code: int) -> str:
    return chr(code >> 21) + chr(code & 0x1FFFFF)


def _vectorise(docs: Sequence[Document]) -> _Space:
    """TF-IDF of the documents' bigrams, rows of unit length. Counted a chunk of documents
    at a time (each with its own vocabulary, mapped onto the common one at the end): done at
    once, the arrays of every character's code, owner and bigram took about 50 bytes per
    character, 225 MB for a month of 36,000 cases, ten times the matrix itself."""
    import numpy as np
    import scipy.sparse as sp

    pieces = [_counts(docs[start:stop]) for start, stop in _text_chunks(docs)]
    vocabulary = np.unique(np.concatenate([local for local, _ in pieces]))
    counts = sp.vstack(
        [
            sp.csr_matrix(
                (part.data, np.searchsorted(vocabulary, local)[part.indices], part.indptr),
                shape=(part.shape[0], len(vocabulary)),
            )
            for local, part in pieces
        ],
        format="csr",
    )
    del pieces
    n = len(docs)
    df = np.bincount(counts.indices, minlength=len(vocabulary))
    idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
    data = (1 + np.log(counts.data)) * idf[counts.indices]
    # The bigrams of one document only count in its length (they are part of what makes it
    # unlike the others) but are then dropped, since they add nothing to any product.
    lengths = np.diff(counts.indptr)
    norms = np.sqrt(sp.csr_matrix((data * data, counts.indices, counts.indptr)).sum(axis=1).A1)
    norms[norms == 0] = 1
    data = (data * np.repeat(1 / norms, lengths)).astype(np.float32)
    shared = df >= 2
    kept = shared[counts.indices]
    column = np.cumsum(shared) - 1
    indptr = np.concatenate([[0], np.cumsum(kept)])[counts.indptr]
    matrix = sp.csr_matrix(
        (data[kept], column[counts.indices[kept]].astype(np.int32), indptr),
        shape=(n, int(shared.sum())),
    )
    every = np.log((1 + n) / (1 + df[df > 0])) + 1
    return _Space(
        matrix, vocabulary[shared], idf[shared], float(np.median(every)) if len(every) else 1.0
    )


def _text_chunks(docs: Sequence[Document]) -> Iterable[tuple[int, int]]:
    """Ranges of documents whose compared texts hold about ``CHUNK_CHARS`` characters."""
    start, total = 0, 0
    for n, doc in enumerate(docs):
        total += len(doc.title) * 2 + min(len(doc.body), BODY_CHARS) + 3
        if total >= CHUNK_CHARS:
            yield start, n + 1
            start, total = n + 1, 0
    if start < len(docs):
        yield start, len(docs)


def _counts(docs: Sequence[Document]) -> tuple[Any, Any]:
    """The bigram codes the documents use, sorted, and a csr of how often each document uses
    each of them."""
    import numpy as np
    import scipy.sparse as sp

    texts = [_parts(d.title, d.body) for d in docs]
    codes = _folded_codes("\0".join(texts) + "\0")
    owner = np.repeat(np.arange(len(texts), dtype=np.int32), [len(t) + 1 for t in texts])
    valid = (codes[:-1] != 0) & (codes[1:] != 0)
    keys = (codes[:-1][valid].astype(np.uint64) << np.uint64(21)) | codes[1:][valid]
    local, column = np.unique(keys, return_inverse=True)
    counts = sp.csr_matrix(
        (np.ones(len(column), dtype=np.float32), (owner[:-1][valid], column)),
        shape=(len(docs), len(local)),
    )
    counts.sum_duplicates()
    return local, counts


def _heaviest(matrix: Any, k: int) -> Any:
    """Each row of a csr cut to its ``k`` largest entries (values at most 1). A span of rows at
    a time, so that the sort's arrays stay small."""
    import numpy as np
    import scipy.sparse as sp

    lengths = np.diff(matrix.indptr)
    keep = []
    for start, stop in _row_spans(matrix.indptr, 1_000_000):
        low, high = matrix.indptr[start], matrix.indptr[stop]
        rows = np.repeat(np.arange(stop - start), lengths[start:stop])
        # Row by row, largest first: one sort of (2 row - value), since values are at most 1.
        order = np.argsort(rows * 2.0 - matrix.data[low:high], kind="stable")
        rank_in_row = np.arange(high - low) - (matrix.indptr[start:stop] - low)[rows[order]]
        keep.append(np.sort(order[rank_in_row < k]) + low)
    chosen = np.concatenate(keep) if keep else np.zeros(0, dtype=np.int64)
    indptr = np.concatenate([[0], np.cumsum(np.minimum(lengths, k))])
    return sp.csr_matrix((matrix.data[chosen], matrix.indices[chosen], indptr), shape=matrix.shape)


def _row_spans(indptr: Any, entries: int) -> Iterable[tuple[int, int]]:
    """Ranges of a csr's rows holding at most ``entries`` entries (or one row, if larger)."""
    import numpy as np

    n, start = len(indptr) - 1, 0
    while start < n:
        stop = int(np.searchsorted(indptr, indptr[start] + entries, side="right")) - 1
        stop = min(max(stop, start + 1), n)
        yield start, stop
        start = stop


def _pairs(space: _Space, items: Any, threshold: float) -> tuple[Any, Any, Any]:
    """The pairs (i < j) whose similarity (cosine, plus the item bonus) reaches ``threshold``,
    at most ``NEIGHBOURS`` for each i."""
    import numpy as np
    import scipy.sparse as sp

    cut = _heaviest(space.matrix, TOP_TERMS)
    cut_t = cut.T.tocsr()
    left, right = [], []
    for start, stop in _blocks(cut):
        block = cut[start:stop] @ cut_t
        rows = np.repeat(np.arange(start, stop, dtype=np.int32), np.diff(block.indptr))
        chosen = (block.data >= CANDIDATE) & (rows < block.indices)
        indptr = np.concatenate([[0], np.cumsum(chosen)])[block.indptr]
        candidates = sp.csr_matrix(
            (block.data[chosen], block.indices[chosen], indptr), shape=block.shape
        )
        del block, rows, chosen
        best = _heaviest(candidates, NEIGHBOURS)
        left.append(np.repeat(np.arange(start, stop, dtype=np.int32), np.diff(best.indptr)))
        right.append(best.indices)
    i = np.concatenate(left) if left else np.zeros(0, dtype=np.int32)
    j = np.concatenate(right) if right else np.zeros(0, dtype=np.int32)
    sims = np.zeros(len(i), dtype=np.float32)
    for start in range(0, len(i), EXACT_PAIRS):
        a, b = i[start : start + EXACT_PAIRS], j[start : start + EXACT_PAIRS]
        products = space.matrix[a].multiply(space.matrix[b])
        sims[start : start + EXACT_PAIRS] = np.asarray(products.sum(axis=1)).ravel()
    sims += ITEM_BONUS * ((items[i] == items[j]) & (items[i] != ""))
    chosen = sims >= threshold
    return i[chosen], j[chosen], sims[chosen]


def _blocks(cut: Any) -> Iterable[tuple[int, int]]:
    """Ranges of rows whose products with all rows stay within ``BLOCK_PRODUCTS``, from an
    upper bound for each row: the sum of its bigrams' document counts, at most every row."""
    import numpy as np

    n = cut.shape[0]
    present = cut.copy()
    present.data[:] = 1
    counts = np.asarray(present.sum(axis=0)).ravel()
    bound = np.minimum(present @ counts, n)
    start, total = 0, 0.0
    for row, products in enumerate(bound):
        if row > start and total + products > BLOCK_PRODUCTS:
            yield start, row
            start, total = row, 0.0
        total += products
    if start < n:
        yield start, n


def _groups(n: int, i: Any, j: Any, sims: Any, threshold: float) -> list[Any]:
    """Connected groups of the pairs at or above ``threshold``; a group too large for a dense
    matrix is split again at a higher threshold (by steps of 0.05, up to 0.95). One level at
    a time, keeping only the large groups' pairs: a flood of near-duplicates needs a dozen
    levels, and holding every level's pairs at once would take a gigabyte."""
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    groups = []
    while True:
        chosen = sims >= threshold
        i, j, sims = i[chosen], j[chosen], sims[chosen]
        graph = sp.coo_matrix((sims, (i, j)), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
        sizes = np.bincount(labels)
        last = threshold >= 0.95
        large = sizes > MAX_DENSE
        for label in np.flatnonzero((sizes >= 2) & (~large | last)):
            groups.append(np.flatnonzero(labels == label))
        if last or not large.any():
            return groups
        # The pairs inside the large groups (both ends are in the same one) go on.
        inside = large[labels[i]]
        i, j, sims = i[inside], j[inside], sims[inside]
        threshold += 0.05


def _dense_block(space: _Space, members: Any) -> Any:
    """The rows of ``members`` as a dense array over the columns they use."""
    import numpy as np

    block = space.matrix[members]
    columns, inverse = np.unique(block.indices, return_inverse=True)
    dense = np.zeros((len(members), len(columns)), dtype=np.float32)
    rows = np.repeat(np.arange(len(members)), np.diff(block.indptr))
    dense[rows, inverse] = block.data
    return dense, columns


def _average_linkage(space: _Space, items: Any, members: Any, threshold: float) -> list[Any]:
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    if len(members) == 2:
        return [members]
    if len(members) <= 300:  # a small dense product: scipy's sparse overhead dominates
        dense, _ = _dense_block(space, members)
        sims = dense @ dense.T
    else:
        block = space.matrix[members]
        sims = (block @ block.T).toarray()
    same = (items[members][:, None] == items[members][None, :]) & (items[members][:, None] != "")
    sims = np.clip(sims + ITEM_BONUS * same, 0, 1)
    if sims.min() >= threshold:  # every pair alike (near-duplicates, mostly): one cluster
        return [members]
    distances = 1 - sims
    np.fill_diagonal(distances, 0)
    tree = linkage(squareform(distances, checks=False), method="average")
    labels = fcluster(tree, t=1 - threshold + 1e-9, criterion="distance")
    return [members[labels == label] for label in np.unique(labels)]


# --- clusters ----------------------------------------------------------------------------
def find_clusters(
    docs: Sequence[Document],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    threshold: float = THRESHOLD,
    linkage: float = LINKAGE,
    min_size: int = 2,
    by: str = "reporters",
    labelled: int = 50,
) -> list[Cluster]:
    """The clusters of similar documents (steps in the module's docstring), ranked ``by``
    (``rank``); the first ``labelled`` get a label (jieba is slow). ``start`` and ``end`` bound
    the period whose halves ``growth`` compares (by default, the documents' first and last
    times)."""
    import numpy as np

    if len(docs) < 2:
        return []
    space = _vectorise(docs)
    items = np.array([d.item for d in docs], dtype=object)
    i, j, sims = _pairs(space, items, threshold)
    times = [d.at for d in docs if d.at is not None]
    start = start or (min(times) if times else None)
    end = end or (max(times) if times else None)
    middle = start + (end - start) / 2 if start and end else None
    clusters = []
    for group in _groups(len(docs), i, j, sims, threshold):
        # A group still too large for a dense matrix is linked at 0.95: near-duplicates all.
        parts = (
            _average_linkage(space, items, group, linkage) if len(group) <= MAX_DENSE else [group]
        )
        for members in parts:
            if len(members) >= min_size:
                clusters.append(_describe(space, docs, members, middle))
    ranked = rank(clusters, by)
    index = {d.key: n for n, d in enumerate(docs)}
    for n, cluster in enumerate(ranked[:labelled]):
        members = np.array([index[key] for key in cluster.keys])
        titles = [docs[k].title for k in members]
        ranked[n] = replace(cluster, label=label_words(titles, _signature(space, members)))
    return ranked


def _describe(
    space: _Space, docs: Sequence[Document], members: Any, middle: datetime | None
) -> Cluster:
    import numpy as np

    dense, _ = _dense_block(space, members)
    centroid = dense.mean(axis=0)
    norm = float(np.linalg.norm(centroid)) or 1.0
    closeness = dense @ (centroid / norm)
    order = [int(members[k]) for k in np.argsort(-closeness, kind="stable")]
    chosen = [docs[k] for k in order]
    people = {d.reporter or f"\0{d.key}" for d in chosen}
    dated = [d.at for d in chosen if d.at is not None]
    recent = sum(1 for at in dated if middle is not None and at >= middle)
    return Cluster(
        keys=tuple(d.key for d in chosen),
        reporters=len(people),
        earlier=len(dated) - recent,
        recent=recent,
        label=(),
        cohesion=float(closeness.mean()),
    )


def _signature(space: _Space, members: Any) -> Signature:
    """The heaviest bigrams of the members' centroid. Made only for the clusters that get a
    label: a month of 36,000 cases has thousands of clusters, and their signatures (two
    dictionaries of 80 entries each) took 50 MB."""
    import numpy as np

    dense, columns = _dense_block(space, members)
    centroid = dense.mean(axis=0)
    heaviest = np.argsort(-centroid)[:SIGNATURE_TERMS]
    heaviest = heaviest[centroid[heaviest] > 0]
    weights = centroid[heaviest] / (float(np.linalg.norm(centroid[heaviest])) or 1.0)
    terms = [_term(int(code)) for code in space.vocabulary[columns[heaviest]]]
    return Signature(
        weights={t: float(w) for t, w in zip(terms, weights, strict=True)},
        idf={t: float(v) for t, v in zip(terms, space.idf[columns[heaviest]], strict=True)},
        default_idf=space.default_idf,
    )


def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" on every start
    return jieba


def label_words(
    titles: Sequence[str], signature: Signature, *, top: int = LABEL_WORDS
) -> tuple[str, ...]:
    """The words most titles of a cluster share, weighted by how distinctive their bigrams are
    (a word the signature lacks is taken as common)."""
    seen: Counter[str] = Counter()
    for title in titles:
        folded = _MASKED_PLACE.sub(" ", unicodedata.normalize("NFKC", title).lower())
        seen.update({w for w in _jieba().lcut(folded) if _may_label(w)})
    scored = []
    for word, count in seen.items():
        weight = max(signature.weights.get(word[k : k + 2], 0.0) for k in range(len(word) - 1))
        if count >= 2 or len(titles) == 1:
            scored.append((-(count * (weight + 0.01)), -len(word), word))
    return tuple(word for *_, word in sorted(scored)[:top])


def _may_label(word: str) -> bool:
    return len(word) >= 2 and word not in _STOP_WORDS and not _NOT_A_LABEL.match(word)


# --- matching a later document -----------------------------------------------------------
def signature_of(docs: Sequence[Document], background: Sequence[Document] = ()) -> Signature:
    """The signature of ``docs`` taken as one cluster, their bigrams weighed against
    ``background`` (other documents of the time) as well as against each other."""
    import numpy as np

    everything = [*docs, *background]
    if not docs:
        return Signature({}, {}, 1.0)

    return _signature(_vectorise(everything), np.arange(len(docs)))


def match(signature: Signature, title: str, body: str) -> float:
    """The cosine between a document and a signature, in [0, 1]."""
    if signature.empty:
        return 0.0
    counts = bigrams(title, body)
    vector = {
        term: (1 + math.log(n)) * signature.idf.get(term, signature.default_idf)
        for term, n in counts.items()
    }
    norm = math.sqrt(sum(v * v for v in vector.values()))
    if not norm:
        return 0.0
    score = sum(w * vector.get(term, 0.0) for term, w in signature.weights.items())
    return min(1.0, score / norm)
