"""The quick start (README: `make run`) on its own SQLite database, whatever database the suite
runs on: migrate, load the Balikpapan demo, then every demo staff member's pages and the public
pages answer without a server error. CI runs the suite on PostgreSQL, so PostgreSQL-only SQL on
a staff page (ArraySubquery, once) would otherwise only show on a newcomer's machine.
"""

import json

from tests.core.test_settings import run_python

SCRIPT = r"""
import json, sys
import django
django.setup()
from django.conf import settings
settings.ALLOWED_HOSTS = ["testserver"]
from django.core.management import call_command
from django.db import connection
from django.test import Client
from aduan.agencies.models import Pemda
from aduan.complaints.models import Complaint
from aduan.users.models import User

assert connection.vendor == "sqlite", connection.vendor
call_command("migrate", verbosity=0)
call_command("load_demo", verbosity=0)
pemda = Pemda.objects.get(name__icontains="Balikpapan")
held = Complaint.objects.filter(pemda=pemda, current_opd__isnull=False).order_by("pk").first()
public = ["/", f"/aduan/?pemda={pemda.code}", "/statistik/", "/kepatuhan/"]
staff_pages = [
    "/staf/", "/staf/beranda/", "/staf/triase/", "/staf/kotak-masuk/", "/staf/kotak-masuk/?sort=risk",
    "/staf/kotak-masuk/?sort=due", "/staf/kepala/", "/staf/ombudsman/", "/staf/peta/",
    f"/staf/aduan/{held.pk}/", f"/kepatuhan/pemda/{pemda.pk}/",
]
statuses = {}
client = Client()
for path in public:
    statuses["anonymous " + path] = client.get(path).status_code
for user in User.objects.filter(email__endswith="balikpapan.test").order_by("email"):
    client = Client()
    client.force_login(user)
    for path in staff_pages:
        statuses[f"{user.email} {path}"] = client.get(path).status_code
print(json.dumps(statuses))
"""


def test_the_quick_start_on_sqlite_serves_every_demo_page(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'aduan.sqlite3'}",
        "ADUAN_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_DEBUG": "0",
    }
    result = run_python(SCRIPT, env)
    assert result.returncode == 0, result.stderr[-4000:]
    statuses = json.loads(result.stdout.strip().splitlines()[-1])
    assert not {page: code for page, code in statuses.items() if code >= 500}
    petugas, koordinator = "petugas.dpu@balikpapan.test", "koordinator@balikpapan.test"
    for page in ("/staf/kotak-masuk/", "/staf/kotak-masuk/?sort=risk", "/staf/kotak-masuk/?sort=due"):
        assert statuses[f"{petugas} {page}"] == 200
    assert statuses["kepala.dpu@balikpapan.test /staf/kepala/"] == 200
    for page in ("/staf/", "/staf/triase/", "/staf/peta/"):
        assert statuses[f"{koordinator} {page}"] == 200
    assert [code for page, code in statuses.items() if "/staf/aduan/" in page and koordinator in page] == [
        200
    ]
    assert all(statuses[f"anonymous {page}"] == 200 for page in ("/", "/statistik/"))
