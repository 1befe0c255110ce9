"""The files under deploy/ without starting them (tests/ops/test_deploy_stack.py starts nginx and
gunicorn): the renderer refuses gaps, the units run what the README says (exactly one beat, a
worker per queue, the nightly backup), the environment template names only documented variables
and production refuses it until its placeholders are replaced; and the proxy middleware trusts
X-Real-IP from the configured proxy only."""

import importlib.util
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.core.test_settings import run_python

DEPLOY = Path(settings.BASE_DIR) / "deploy"
README = (Path(settings.BASE_DIR) / "README.md").read_text()


def renderer():
    spec = importlib.util.spec_from_file_location("deploy_render", DEPLOY / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def template_values() -> dict[str, str]:
    lines = (DEPLOY / "aduan.env.template").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_the_renderer_refuses_a_missing_or_unknown_value():
    render = renderer().render
    assert render("listen @@PORT@@;", {"PORT": "443"}) == "listen 443;"
    with pytest.raises(ValueError, match=r"missing values: \['PORT'\]"):
        render("listen @@PORT@@;", {})
    with pytest.raises(ValueError, match=r"does not use: \['PROT'\]"):
        render("listen @@PORT@@;", {"PORT": "443", "PROT": "80"})
    nginx = (DEPLOY / "nginx" / "aduan.conf.template").read_text()
    assert set(re.findall(r"@@([A-Z_]+)@@", nginx)) == {
        "SERVER_NAME", "PUBLIC_ORIGIN", "HTTP_LISTEN", "HTTPS_LISTEN", "TLS_CERTIFICATE",
        "TLS_CERTIFICATE_KEY", "STATIC_ROOT", "UPSTREAM", "LOG_DIR",
    }  # fmt: skip


def test_the_units_start_one_beat_a_worker_per_queue_gunicorn_and_the_backup():
    units = {path.name: path.read_text() for path in (DEPLOY / "systemd").iterdir()}
    assert sorted(units) == [
        "aduan-backup.service", "aduan-backup.timer", "aduan-beat.service", "aduan-web.service",
        "aduan-worker@.service",
    ]  # fmt: skip
    beat = [name for name, text in units.items() if " beat " in text and "ExecStart" in text]
    assert beat == ["aduan-beat.service"]  # not a template: exactly one
    assert "celery -A config worker --queues=%i" in units["aduan-worker@.service"]
    assert "gunicorn --config /opt/aduan/deploy/gunicorn.conf.py config.wsgi" in units["aduan-web.service"]
    assert "ExecStart=/opt/aduan/deploy/backup.sh" in units["aduan-backup.service"]
    assert "OnCalendar=*-*-* 01:00:00" in units["aduan-backup.timer"]
    for name in ("aduan-web.service", "aduan-worker@.service", "aduan-beat.service"):
        assert "EnvironmentFile=/etc/aduan/aduan.env" in units[name]
        assert "ProtectSystem=strict" in units[name]
    assert subprocess.run(["bash", "-n", str(DEPLOY / "backup.sh")], check=False).returncode == 0
    backup = (DEPLOY / "backup.sh").read_text()
    assert backup.index("pg_dump") < backup.index("rsync")  # the database first (docs/backup.md)


def test_every_variable_of_the_environment_template_is_documented():
    for name in template_values():
        assert f"`{name}`" in README, name


def test_production_refuses_the_environment_template_until_its_placeholders_are_replaced(tmp_path):
    env = {**template_values(), "ADUAN_VAR_DIR": str(tmp_path), "MEDIA_ROOT": str(tmp_path / "m")}
    env["STATIC_ROOT"] = str(tmp_path / "s")
    starts = "import django; django.setup(); print('started')"
    refused = run_python(starts, env)
    assert refused.returncode != 0
    assert "SECRET_KEY is a development or placeholder key" in refused.stderr
    accepted = run_python(starts, {**env, "SECRET_KEY": "k3y-" + "Zq9xW2vB7nM4pL8rT1yU6iO0aS5dF3gH" * 2})
    assert accepted.returncode == 0, accepted.stderr
    assert "started" in accepted.stdout


@pytest.mark.django_db
def test_x_real_ip_names_the_client_only_when_the_trusted_proxy_sends_it(client, settings):
    settings.ADUAN_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.ADUAN_OPS_ALLOWED_IPS = ["198.51.100.4"]
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403  # no header: nginx itself
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_REAL_IP="198.51.100.4").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="not-an-ip").status_code == 403
    settings.ADUAN_TRUSTED_PROXIES = []
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.4").status_code == 403


def test_the_deployment_enables_a_worker_for_every_queue():
    """Every queue tasks are routed to (settings: ADUAN_CELERY_QUEUES) has a worker in the
    deployment guide's enable command, the unit's comment and the README's layout."""
    guide = (Path(settings.BASE_DIR) / "docs" / "deploy.md").read_text()
    enable = re.search(r"systemctl enable --now aduan-worker@[^\n]*\n[^\n]*", guide).group(0)
    unit = (DEPLOY / "systemd" / "aduan-worker@.service").read_text()
    for queue in settings.ADUAN_CELERY_QUEUES:
        assert f"aduan-worker@{queue}" in enable, queue
        assert f"aduan-worker@{queue}" in unit, queue
        assert f"aduan-worker@{queue}" in README, queue
