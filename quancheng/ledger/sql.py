"""Database-level guards: tables whose rows may be inserted but never updated or deleted."""

from __future__ import annotations

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.special import RunPython

_MESSAGE = "append-only table: rows cannot be updated or deleted"


def _create_guards(schema_editor: BaseDatabaseSchemaEditor, tables: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f'CREATE TRIGGER "{table}_no_{op.lower()}" BEFORE {op} ON "{table}" '
                    f"BEGIN SELECT RAISE(ABORT, '{table}: {_MESSAGE}'); END;"
                )
        elif vendor == "postgresql":
            schema_editor.execute(
                "CREATE OR REPLACE FUNCTION quancheng_append_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION '%: " + _MESSAGE + "', TG_TABLE_NAME "
                "USING ERRCODE = 'integrity_constraint_violation'; END; $$ LANGUAGE plpgsql;",
                None,  # no parameters: the '%' above is PL/pgSQL's, not a placeholder
            )
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION quancheng_append_only();"
            )


def _drop_guards(schema_editor: BaseDatabaseSchemaEditor, tables: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "sqlite":
            for op in ("update", "delete"):
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_no_{op}"')
        elif vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"')


def append_only(*tables: str) -> RunPython:
    """A migration operation that makes ``tables`` refuse UPDATE and DELETE."""

    def forward(apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        _create_guards(schema_editor, list(tables))

    def backward(apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        _drop_guards(schema_editor, list(tables))

    return RunPython(forward, backward)


def drop_append_only(*tables: str) -> RunPython:
    """The reverse of ``append_only``: for a migration that must rewrite existing rows."""

    def forward(apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        _drop_guards(schema_editor, list(tables))

    def backward(apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        _create_guards(schema_editor, list(tables))

    return RunPython(forward, backward)
