"""Staff search with PostgreSQL's ``indonesian`` text search configuration (Snowball stemming:
"berlubang" and "lubang" share the stem ``lubang``), replacing the ``simple`` index of 0006.

The index expression is exactly ``selectors._search_vector()``, so PostgreSQL uses it for
``complaint_search()``. RunPython because SQLite cannot hold a GIN index (it searches with LIKE)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

SIMPLE = GinIndex(SearchVector("title", "chronology", config="simple"), name="complaint_fulltext")
INDONESIAN = GinIndex(SearchVector("title", "chronology", config="indonesian"), name="complaint_fulltext_id")


def to_indonesian(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        model = apps.get_model("complaints", "Complaint")
        schema_editor.remove_index(model, SIMPLE)
        schema_editor.add_index(model, INDONESIAN)


def to_simple(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        model = apps.get_model("complaints", "Complaint")
        schema_editor.remove_index(model, INDONESIAN)
        schema_editor.add_index(model, SIMPLE)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0012_polish_category_name_en")]
    operations = [migrations.RunPython(to_indonesian, to_simple)]
