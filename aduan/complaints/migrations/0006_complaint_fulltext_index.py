"""Full-text search index for staff search (PostgreSQL only; SQLite searches with LIKE).

The index expression is exactly ``selectors.SEARCH_VECTOR``, so PostgreSQL uses it for
``complaint_search()``. It is created with RunPython because SQLite cannot hold a GIN index, and a
model Meta index would be created on every backend."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = GinIndex(SearchVector("title", "chronology", config="simple"), name="complaint_fulltext")


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("complaints", "Complaint"), INDEX)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("complaints", "Complaint"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0005_staff_workspace")]
    operations = [migrations.RunPython(add_index, remove_index)]
