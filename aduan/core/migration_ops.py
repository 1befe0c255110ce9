"""Database operations for migrations on large tables, each a ``RunPython`` that works on both
backends: on PostgreSQL an index is built and dropped CONCURRENTLY (filings and moves go on while it
builds), elsewhere (SQLite, the quick start) plainly. A migration using them sets ``atomic = False``
and pairs the operation with the state change (``SeparateDatabaseAndState``)."""

from django.db import migrations


def _model(apps, app_label: str, model_name: str):
    return apps.get_model(app_label, model_name)


def _concurrently(schema_editor) -> dict:
    return {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}


def index_added(app_label: str, model_name: str, index) -> migrations.RunPython:
    """Add ``index`` (remove it when migrating back)."""

    def forwards(apps, schema_editor):
        model = _model(apps, app_label, model_name)
        schema_editor.add_index(model, index, **_concurrently(schema_editor))

    def backwards(apps, schema_editor):
        model = _model(apps, app_label, model_name)
        schema_editor.remove_index(model, index, **_concurrently(schema_editor))

    return migrations.RunPython(forwards, backwards)


def index_replaced(app_label: str, model_name: str, before, after) -> migrations.RunPython:
    """Replace ``before`` by ``after`` of the same name: on PostgreSQL the new one is built under a
    temporary name, the old one dropped, the new one renamed, so the name never goes missing."""

    def swap(apps, schema_editor, old, new):
        model = _model(apps, app_label, model_name)
        if schema_editor.connection.vendor != "postgresql":
            schema_editor.remove_index(model, old)
            schema_editor.add_index(model, new)
            return
        building = type(new)(fields=new.fields, include=new.include, name=f"{new.name}_new")
        schema_editor.add_index(model, building, concurrently=True)
        schema_editor.remove_index(model, old, concurrently=True)
        schema_editor.rename_index(model, building, new)

    return migrations.RunPython(
        lambda apps, schema_editor: swap(apps, schema_editor, before, after),
        lambda apps, schema_editor: swap(apps, schema_editor, after, before),
    )


def column_n_distinct(table: str, column: str, ratio: float) -> migrations.RunPython:
    """Fix PostgreSQL's estimate of ``column``'s distinct values as a ratio of the table's rows
    (negative: -0.2 is "a fifth of the rows"), where ANALYZE's sample guesses far too few; ANALYZE
    applies it at once. Migrating back resets it. Takes no lock that blocks reads or writes;
    nothing to do on other databases."""

    def set_to(schema_editor, setting: str):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} {setting}")
            schema_editor.execute(f"ANALYZE {table}")

    return migrations.RunPython(
        lambda apps, schema_editor: set_to(schema_editor, f"SET (n_distinct = {float(ratio)})"),
        lambda apps, schema_editor: set_to(schema_editor, "RESET (n_distinct)"),
    )
