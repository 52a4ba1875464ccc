"""Writing many rows fast: COPY on PostgreSQL, one prepared INSERT run over every row
(executemany) on SQLite.

The ORM's ``bulk_create`` compiles an INSERT of a few dozen rows at a time and prepares every
value through the compiler: for wide rows (a case has forty columns) that costs more than the
database's own work. These helpers are for the bulk paths only (rebuilding figures, importing
files); no signal is sent and no primary key comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


@contextmanager
def bulk_session(cache_mb: int = 256) -> Iterator[None]:
    """A larger SQLite page cache for a bulk load (the default 2 MB makes every index insert
    into a big table read its pages again), set back afterwards: the connection may be kept."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{int(cache_mb) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert rows of database-ready values into ``model``'s table, in the caller's
    transaction. Table and column names come from the models, never from input."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))  # noqa: S608


# Fields whose database value is the Python value itself (str, int, bool, None): their
# ``get_db_prep_save`` only checks and copies it, which costs most of a wide insert.
_PLAIN = (
    models.CharField, models.TextField, models.BooleanField, models.IntegerField,
    models.BigIntegerField, models.SmallIntegerField, models.PositiveIntegerField,
    models.PositiveSmallIntegerField, models.PositiveBigIntegerField,
)  # fmt: skip


def _value(field: models.Field[Any, Any], database: Any) -> Callable[[models.Model], Any]:
    if type(field) in _PLAIN or isinstance(field, models.ForeignKey):
        return lambda obj: getattr(obj, field.attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, add=True), database)


def insert_objects(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert unsaved model instances (their primary keys left to the database): each field's
    value prepared as ``save`` prepares it (``pre_save``, then ``get_db_prep_save``: defaults,
    ``auto_now``, encryption, JSON), except for plain text, number and key fields, whose value
    is the attribute itself."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    database = connections[DEFAULT_DB_ALIAS]  # not the proxy: it is asked once per value
    values = [_value(f, database) for f in fields]
    insert_rows(
        model,
        [str(f.column) for f in fields],
        ([value(obj) for value in values] for obj in objects),
    )
