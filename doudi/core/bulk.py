"""Writing rows fast: COPY on PostgreSQL, one prepared INSERT run over every row
(executemany) on SQLite; and for the registration's hot path, one new row or an upsert with
SQL made once per model.

The ORM's ``bulk_create`` compiles an INSERT of a few dozen rows at a time and prepares every
value through the compiler: for wide rows (a case has forty columns) that costs more than the
database's own work. Even one ``save()`` of a new row compiles its INSERT again each time:
0.7 ms of CPU for an audit entry on this machine, where the statement itself costs 0.16 ms.
``insert_rows`` and ``insert_objects`` are for the bulk paths (rebuilding figures, importing
files): no signal is sent and no primary key comes back. ``save_new`` is ``save()`` for a new
row, signals and primary key included; ``insert_new`` is ``save_new`` for several rows in one
statement, with one ``rows_created`` signal for them all (registrations written together);
``upsert_rows`` is ``bulk_create(update_conflicts=…)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import Signal

M = TypeVar("M", bound=models.Model)

# The ``post_save`` of ``insert_new``: sent once, in the caller's transaction, for the rows of
# one model that it inserted. Arguments: instances (with their primary keys). A receiver that
# keeps something in step with a model's new rows listens to both signals.
rows_created = Signal()


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


# Rows a statement for ``insert_rows(..., grouped=True)`` on SQLite (its limit is 32,766
# values a statement; 500 rows were as fast as 2,000).
GROUPED_ROWS = 500


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    grouped: bool = False,
) -> None:
    """Insert rows of database-ready values into ``model``'s table, in the caller's
    transaction. Table and column names come from the models, never from input.

    On SQLite, ``grouped`` writes ``GROUPED_ROWS`` rows a statement instead of one statement
    run for each row: for a table whose trigger fills an FTS5 table, which writes out its
    pending terms at the end of every statement, one statement a row cost three times as much
    (docs/benchmarks.md, importing)."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = f"({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        elif grouped:
            remaining = iter(rows)
            while chunk := list(islice(remaining, GROUPED_ROWS)):
                cursor.execute(
                    f"INSERT INTO {table} ({names}) VALUES {', '.join([marks] * len(chunk))}",  # noqa: S608
                    [value for row in chunk for value in row],
                )
        else:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {marks}", list(rows))  # noqa: S608


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


@dataclass(frozen=True)
class _Plan:
    """Per model and database vendor: the INSERT of new rows (its head, one row's marks, and
    ``RETURNING`` the primary key, or nothing where the cursor's last row id gives it), and how
    to read each value from an object."""

    head: str
    row: str
    returning: str
    values: list[Callable[[Any], Any]]

    def sql(self, rows: int = 1) -> str:
        return f"{self.head} VALUES {', '.join([self.row] * rows)}{self.returning}"


_new_rows: dict[tuple[type[models.Model], str], _Plan] = {}


def _new_row_plan(model: type[models.Model]) -> _Plan:
    key = (model, connection.vendor)
    plan = _new_rows.get(key)
    if plan is None:
        meta = model._meta
        if meta.parents or model.save is not models.Model.save:
            raise TypeError(f"save_new: {meta.label} has parents or a save() of its own")
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        if any(f.generated or f.db_default is not models.NOT_PROVIDED for f in fields):
            # save() leaves these to the database; this INSERT would write them.
            raise TypeError(f"save_new: {meta.label} has generated or database-default fields")
        quote = connection.ops.quote_name
        returning = connection.features.can_return_columns_from_insert
        plan = _new_rows[key] = _Plan(
            head=f"INSERT INTO {quote(meta.db_table)} "
            f"({', '.join(quote(str(f.column)) for f in fields)})",
            row=f"({', '.join(['%s'] * len(fields))})",
            returning=f" RETURNING {quote(str(meta.pk.column))}" if returning else "",
            # The proxy, not one thread's connection: the plan is shared by the request threads.
            values=[_value(f, connection) for f in fields],
        )
    return plan


def insert_new(objects: Sequence[M]) -> list[M]:
    """``save_new`` for several new rows of one model, in one INSERT (in the caller's
    transaction): each value prepared as ``save`` prepares it, and the primary keys set, then
    one ``rows_created`` signal for all of them instead of ``pre_save`` and ``post_save`` per
    row (no receiver of ``pre_save`` is run).

    The keys come back from ``RETURNING`` in the order of the rows, which is what Django's
    ``bulk_create`` relies on too (PostgreSQL, SQLite 3.35+); an older SQLite inserts the rows
    one by one and reads each ``lastrowid``."""
    if not objects:
        return []
    model = type(objects[0])
    if any(type(obj) is not model or obj.pk is not None for obj in objects):
        raise ValueError("insert_new: new rows of one model only")
    plan = _new_row_plan(model)
    using = DEFAULT_DB_ALIAS
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        if plan.returning:
            cursor.execute(
                plan.sql(len(objects)),
                [value(obj) for obj in objects for value in plan.values],
            )
            keys = [pk for (pk,) in cursor.fetchall()]
        else:  # pragma: no cover - SQLite before 3.35
            keys = []
            for obj in objects:
                cursor.execute(plan.sql(), [value(obj) for value in plan.values])
                keys.append(cursor.lastrowid)
        for obj, pk in zip(objects, keys, strict=True):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, using
        rows_created.send(sender=model, instances=list(objects))
    return list(objects)


def save_new(obj: M) -> M:
    """``obj.save()`` for a new row of a plain model (no parents, no ``save`` of its own, a
    primary key the database numbers): ``pre_save`` and ``post_save`` (``created``) are sent,
    each value is prepared as ``save`` prepares it, and the primary key is set; the INSERT is
    made once per model. In the caller's transaction, if any."""
    model = type(obj)
    if obj.pk is not None:
        raise ValueError("save_new: the row has a primary key already")
    plan = _new_row_plan(model)
    using = DEFAULT_DB_ALIAS
    with transaction.mark_for_rollback_on_error(using):
        pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
        with connection.cursor() as cursor:
            cursor.execute(plan.sql(), [value(obj) for value in plan.values])
            obj.pk = cursor.fetchone()[0] if plan.returning else cursor.lastrowid
        obj._state.adding, obj._state.db = False, using
        post_save.send(
            sender=model, instance=obj, created=True, update_fields=None, raw=False, using=using
        )
    return obj


UPSERT_BATCH = 500


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model._meta.label}.{name} is not a column")
    return field


def column(model: type[models.Model], name: str) -> str:
    """The quoted column of a model's field, for SQL written by hand."""
    return connection.ops.quote_name(str(_field(model, name).column))


def upsert_rows(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    unique: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert rows (field name → value, every row the same fields), or where one with the same
    ``unique`` fields exists, set its ``update`` fields: ``INSERT … ON CONFLICT … DO UPDATE``
    (PostgreSQL; SQLite 3.24+), in the caller's transaction. No signal is sent."""
    if not rows:
        return
    names = list(rows[0])
    fields = [_field(model, name) for name in names]
    columns = [column(model, name) for name in names]
    conflict = ", ".join(column(model, name) for name in unique)
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in (column(model, name) for name in update))
    row = f"({', '.join(['%s'] * len(names))})"
    for start in range(0, len(rows), UPSERT_BATCH):
        chunk = rows[start : start + UPSERT_BATCH]
        sql = (
            f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 - names from the model
            f"VALUES {', '.join([row] * len(chunk))} ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
        )
        params = [
            field.get_db_prep_save(values[name], connection)
            for values in chunk
            for name, field in zip(names, fields, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
