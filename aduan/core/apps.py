from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


def embedded_dirs_ensure() -> list[Path]:
    """Create the directories the embedded setup writes to (``make run``, the quick start): the
    SQLite database's folder, the filesystem broker's folders and STATIC_ROOT. Nothing when the
    services are real (PostgreSQL, Redis), so production may run on a read-only file system."""
    made = []
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3" or str(database["NAME"]).startswith(":memory:"):
        return made
    wanted = [Path(database["NAME"]).parent, Path(settings.STATIC_ROOT)]
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        wanted += [Path(options[key]) for key in ("data_folder_in", "processed_folder", "control_folder")]
    for folder in wanted:
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            made.append(folder)
    return made


class CoreConfig(AppConfig):
    name = "aduan.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from .errors import sentry_init

        embedded_dirs_ensure()
        sentry_init()
