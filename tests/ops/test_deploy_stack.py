"""The deployment files, run for real: Debian's nginx, with the site rendered from
deploy/nginx/aduan.conf.template by deploy/render.py, in front of gunicorn started with
deploy/gunicorn.conf.py and the production settings, on loopback with a self-signed certificate.

Checks a filing round trip over HTTPS (API and tracking page), the security headers of a page and
of a static file, the plain-HTTP redirect, the body limit, that a client cannot choose its address
through the proxy, and that no tracking secret reaches nginx's logs or gunicorn's output."""

import http.client
import importlib.util
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import PemdaFactory
from tests.fault.harness import RedisServer, database_url, free_port, port_open, stop_group, wait_for

pytestmark = [pytest.mark.nginx, pytest.mark.postgres]

BASE_DIR = Path(settings.BASE_DIR)
HOST = "aduan.test"
NGINX = shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin") or "nginx"
STRONG_KEY = "k3y-" + "Zq9xW2vB7nM4pL8rT1yU6iO0aS5dF3gH" * 2


def render(template: Path, values: dict) -> str:
    spec = importlib.util.spec_from_file_location("deploy_render", BASE_DIR / "deploy" / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.render(template.read_text(), values)


def self_signed(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={HOST}",
         "-addext", f"subjectAltName=DNS:{HOST},IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


class Stack:
    """gunicorn and nginx, as deploy/ describes them; every wait is bounded."""

    def __init__(self, tmp: Path, broker: str):
        self.tmp = tmp
        self.http_port, self.https_port, self.app_port = free_port(), free_port(), free_port()
        self.cert, key = self_signed(tmp)
        self.static = tmp / "static"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings.production",
                "SECRET_KEY": STRONG_KEY,
                "ALLOWED_HOSTS": HOST,
                "CSRF_TRUSTED_ORIGINS": f"https://{HOST}:{self.https_port}",
                "ADUAN_SITE_URL": f"https://{HOST}:{self.https_port}",
                "DATABASE_URL": database_url(),
                "REDIS_URL": broker,
                "CELERY_BROKER_URL": broker,
                "EMAIL_URL": "smtp://127.0.0.1:1",
                "ADUAN_VAR_DIR": str(tmp / "var"),
                "MEDIA_ROOT": str(tmp / "media"),
                "STATIC_ROOT": str(self.static),
                "ADUAN_TRUSTED_PROXIES": "127.0.0.1",
                "ADUAN_OPS_ALLOWED_IPS": "192.0.2.7",  # not loopback: /metrics is refused to the test
                "GUNICORN_BIND": f"127.0.0.1:{self.app_port}",
                "GUNICORN_WORKERS": "2",
                "LOG_LEVEL": "INFO",
            }
        )
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=BASE_DIR, env=self.env, check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        (tmp / "logs").mkdir()
        site = render(
            BASE_DIR / "deploy" / "nginx" / "aduan.conf.template",
            {
                "SERVER_NAME": HOST,
                "PUBLIC_ORIGIN": f"https://{HOST}:{self.https_port}",
                "HTTP_LISTEN": f"127.0.0.1:{self.http_port}",
                "HTTPS_LISTEN": f"127.0.0.1:{self.https_port}",
                "TLS_CERTIFICATE": str(self.cert),
                "TLS_CERTIFICATE_KEY": str(key),
                "STATIC_ROOT": str(self.static),
                "UPSTREAM": f"127.0.0.1:{self.app_port}",
                "LOG_DIR": str(tmp / "logs"),
            },
        )
        (tmp / "aduan.conf").write_text(site)
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (tmp / name).mkdir()
        # The test's stand-in for Debian's /etc/nginx/nginx.conf (the site goes into its http block).
        (tmp / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"worker_processes 1;\npid {tmp}/nginx.pid;\nevents {{ worker_connections 64; }}\n"
            + "http {\n  include /etc/nginx/mime.types;\n"
            + "".join(f"  {name}_temp_path {tmp}/{name.split('_')[0]};\n"
                      for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
            + f"  include {tmp}/aduan.conf;\n}}\n"
        )  # fmt: skip
        self.nginx_cmd = [
            NGINX,
            "-p",
            str(tmp),
            "-c",
            str(tmp / "nginx.conf"),
            "-e",
            str(tmp / "logs" / "main.log"),
        ]
        checked = subprocess.run([*self.nginx_cmd, "-t"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr
        self.gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(BASE_DIR / "deploy" / "gunicorn.conf.py"),
             "config.wsgi"],
            cwd=BASE_DIR, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )  # fmt: skip
        self.nginx = subprocess.Popen(
            [*self.nginx_cmd, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True,
        )  # fmt: skip
        wait_for(lambda: self.gunicorn.poll() is None and port_open(self.app_port), 45, "gunicorn to listen")
        wait_for(lambda: self.nginx.poll() is None and port_open(self.https_port), 15, "nginx to listen")

    def request(self, method, path, body=None, headers=None, *, port=None):
        context = ssl.create_default_context(cafile=str(self.cert))
        connection = http.client.HTTPSConnection(
            "127.0.0.1", port or self.https_port, context=context, timeout=30
        )
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        all_headers = {
            "Host": HOST,
            **({"Content-Type": "application/json"} if data else {}),
            **(headers or {}),
        }
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        payload = response.read()
        connection.close()
        return response, payload

    def logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted((self.tmp / "logs").glob("*.log")))

    def close(self) -> str:
        output = ""
        for proc in (self.nginx, self.gunicorn):
            stop_group(proc)
        if self.gunicorn.stdout is not None:
            output = self.gunicorn.stdout.read()
        return output


@pytest.fixture
def stack(transactional_db, default_policies, tmp_path):
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    redis = RedisServer(redis_dir)
    stack = Stack(tmp_path, redis.url)
    try:
        yield stack
    finally:
        stack.output = stack.close()
        redis.close()


def test_a_filing_round_trip_through_nginx_and_gunicorn(stack):
    pemda = PemdaFactory(code="BPN")

    # Plain HTTP only redirects to the HTTPS origin, keeping the path.
    plain = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=30)
    plain.request("GET", "/publik/?page=2", headers={"Host": HOST})
    redirect = plain.getresponse()
    assert redirect.status == 301
    assert redirect.getheader("Location") == f"https://{HOST}:{stack.https_port}/publik/?page=2"
    plain.close()

    # File over HTTPS, then follow it by the secret (API and page).
    response, body = stack.request("POST", "/api/v1/complaints/", {
        "pemda": pemda.code, "is_anonymous": True, "title": "Jalan berlubang di Jl. Sudirman",
        "chronology": "Lubang besar di depan kantor pos sejak dua minggu, membahayakan pengendara.",
    })  # fmt: skip
    assert response.status == 201, body
    filed = json.loads(body)
    secret = filed["tracking_secret"]
    response, body = stack.request("GET", f"/api/v1/track/{secret}/")
    assert response.status == 200, body
    assert json.loads(body)["ticket_number"] == filed["ticket_number"]
    assert json.loads(body)["status"] == "submitted"
    response, page = stack.request("GET", f"/lacak/{secret}/", headers={"X-Request-ID": "f" * 32})
    assert response.status == 200
    request_id = response.getheader("X-Request-ID")  # nginx's $request_id, never the client's
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert request_id != "f" * 32
    assert filed["ticket_number"].encode() in page

    # Security headers: Django's on pages (once each), nginx's on static files.
    assert response.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in response.getheader("Content-Security-Policy")
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Referrer-Policy") == "same-origin"
    assert response.getheader("Server") == "nginx"  # no version
    assert len(response.msg.get_all("Strict-Transport-Security")) == 1
    css, content = stack.request("GET", "/static/aduan/site.css")
    assert css.status == 200
    assert content.strip()
    assert css.getheader("X-Content-Type-Options") == "nosniff"
    assert css.getheader("Strict-Transport-Security").startswith("max-age=31536000")
    assert stack.request("GET", "/media/complaints/1/x")[0].status == 404  # uploads only through views

    # Liveness through the proxy; /metrics refused: the client's address is nginx's $remote_addr,
    # whatever X-Real-IP the client sends (ADUAN_OPS_ALLOWED_IPS is 192.0.2.7 here).
    assert stack.request("GET", "/healthz")[0].status == 200
    refused, _ = stack.request(
        "GET", "/metrics", headers={"X-Real-IP": "192.0.2.7", "X-Forwarded-For": "192.0.2.7"}
    )
    assert refused.status == 403

    # The body limit: refused by nginx before gunicorn reads a byte.
    connection = http.client.HTTPSConnection(
        "127.0.0.1", stack.https_port, context=ssl.create_default_context(cafile=str(stack.cert)), timeout=30
    )
    connection.putrequest("POST", "/aduan/", skip_host=True)
    connection.putheader("Host", HOST)
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(56 * 1024 * 1024))
    connection.endheaders()
    assert connection.getresponse().status == 413
    connection.close()

    # With gunicorn gone nginx answers 502, and still writes no secret anywhere.
    stop_group(stack.gunicorn)
    assert stack.request("GET", f"/lacak/{secret}/")[0].status == 502

    # nginx writes a request's line after it answered (the log phase): wait for the last one, bounded
    deadline = time.monotonic() + 10
    while '"GET /lacak/.../" 502' not in (logs := stack.logs()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert re.search(rf'"GET /lacak/\.\.\./" 200 .* {request_id}\n', logs)
    assert '"GET /api/v1/track/.../" 200' in logs
    assert '"GET /lacak/.../" 502' in logs
    assert '"POST /api/v1/complaints/" 201' in logs
    assert "page=2" not in logs  # no query strings either
    assert secret not in logs
    assert secret not in stack.close()  # gunicorn's own output
