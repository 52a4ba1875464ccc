"""The search index: one row per case with the terms of its text (doudi.lib.cjk).

The terms are stored as a space-separated string; the database indexes them its own way (see
migrations/0001_initial.py): on SQLite an FTS5 table over this one, kept in step by triggers;
on PostgreSQL a GIN index of the terms as a tsvector. The row's key orders it by registration,
so that "newest first" is the index's own order (``index_key``).

On SQLite, Django alters a table by making a new one: a migration that alters this model must
make the triggers of 0001_initial again (``actions.SQLITE_TRIGGERS``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models

from doudi.cases.models import Case
from doudi.directory.models import Centre

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

# The case fields whose text is searched (the work orders' results reach ``outcome`` when the
# task force accepts them).
TEXT_FIELDS = ("number", "title", "description", "request", "matter_text", "outcome")

# The key is the registration second shifted past the case id: ids below 2**30 stay unique
# and a second's cases keep their id order.
_ID_BITS = 30


def index_key(case_id: int, registered_at: datetime) -> int:
    return (max(0, int(registered_at.timestamp())) << _ID_BITS) | case_id


# PostgreSQL: each row's stored terms also hold its time bucket, "@k<bucket>": the key's
# registration second shifted right by BUCKET_BITS (2**21 s, about 24 days; migration 0005
# writes the sum of the shifts, 51, in the column's expression). A search's newest matches
# are then looked for a few buckets at a time, newest first, through the GIN index
# (``selectors.CappedPaginator``).
BUCKET_BITS = 21


def key_bucket(key: int) -> int:
    return key >> (_ID_BITS + BUCKET_BITS)


def case_of_key(key: int) -> int:
    return key & ((1 << _ID_BITS) - 1)


class IndexKeyField(models.BigIntegerField):
    """A 64-bit key that is SQLite's rowid: only a column declared "integer primary key" is,
    and the FTS5 table finds its rows by rowid (Django's BigAutoField does the same)."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        return "integer" if connection.vendor == "sqlite" else super().db_type(connection)


class CaseIndex(models.Model):
    # Not an AutoField: ``index_key`` (registration second, then case id), so that scanning
    # the primary key backwards lists the newest cases first.
    id = IndexKeyField(primary_key=True)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="search_index")
    # For "similar cases in the same centre" without a join (no index of its own: never a
    # search on its own).
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Last, so that SQLite reads the key and centre without the long text's overflow pages.
    tokens = models.TextField()
    # Which departments see the case ("@i<item id> @d<department id> …",
    # ``doudi.cases.access.case_reach``): on PostgreSQL the stored terms hold these marks
    # too, so that a department reader's search finds a word among its own cases in the index.
    reach = models.TextField(default="", blank=True)

    class Meta:
        verbose_name = "检索索引"
        verbose_name_plural = "检索索引"

    def __str__(self) -> str:
        return f"{self.case_id}"


class CaseFullText(models.Model):
    """SQLite only: the FTS5 table over ``CaseIndex`` (made by the migration, not by Django),
    so that a query can join it and read its matches newest first, lazily, instead of
    collecting every match of a common word. ``match`` is FTS5's hidden column named after
    the table: ``match = '"社保" AND "断缴"'`` is a full-text query."""

    index = models.OneToOneField(
        CaseIndex,
        primary_key=True,
        db_column="rowid",
        on_delete=models.DO_NOTHING,
        related_name="fulltext",
    )
    match = models.TextField(db_column="search_casefts")

    class Meta:
        managed = False
        db_table = "search_casefts"

    def __str__(self) -> str:
        return f"{self.pk}"


class Term(models.Model):
    """How many cases hold each term (document frequency), for similar cases: a case's rarest
    terms find its candidates, and each term weighs by its rarity.

    Counted in full by ``actions.search_rebuild`` (and migration 0003); then kept in step by
    ``actions.index_case`` just after the case's transaction commits (an import: in its
    batch's transaction), for the terms held by fewer than ``COUNTED_BELOW`` cases: the rare
    terms, whose counts decide which terms look for
    candidates. A common term's count stays as the last rebuild left it (its weight hardly
    moves, and counting it would make every intake write the same few rows)."""

    term = models.TextField(primary_key=True)
    docs = models.IntegerField()

    class Meta:
        verbose_name = "检索词频"
        verbose_name_plural = "检索词频"

    def __str__(self) -> str:
        return f"{self.term} {self.docs}"
