"""Migration operations of our own (used by the apps' migrations: keep them stable)."""

from __future__ import annotations

from typing import Any

from django.db.migrations.operations.base import Operation


class DropLikeIndexes(Operation):
    """On PostgreSQL, drop the ``varchar_pattern_ops`` ("…_like") indexes that Django adds
    beside the plain index of every indexed or unique CharField.

    They serve ``LIKE 'abc%'`` only, which no query of ours makes on these columns, and every
    insert pays for them. The plain (or unique) index stays. The model state does not change:
    Django's state does not record these indexes. An ``AlterField`` that later changes such a
    column's type may make Django create it again. A no-op on other databases; reversible.
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, fields: list[str]) -> None:
        self.model_name = model_name
        self.fields = fields

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            self.__class__.__qualname__,
            [],
            {"model_name": self.model_name, "fields": self.fields},
        )

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def _indexes(self, app_label: str, schema_editor: Any, state: Any) -> list[tuple[Any, Any]]:
        if schema_editor.connection.vendor != "postgresql":
            return []
        model = state.apps.get_model(app_label, self.model_name)
        return [(model, model._meta.get_field(name)) for name in self.fields]

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        for model, field in self._indexes(app_label, schema_editor, to_state):
            name = schema_editor._create_index_name(
                model._meta.db_table, [field.column], suffix="_like"
            )
            schema_editor.execute(schema_editor._delete_index_sql(model, name))

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        for model, field in self._indexes(app_label, schema_editor, to_state):
            statement = schema_editor._create_like_index_sql(model, field)
            if statement is not None:
                schema_editor.execute(statement)

    def describe(self) -> str:
        return f"Drop the LIKE indexes of {self.model_name}: {', '.join(self.fields)}"

    @property
    def migration_name_fragment(self) -> str:
        return f"drop_like_indexes_{self.model_name.lower()}"
