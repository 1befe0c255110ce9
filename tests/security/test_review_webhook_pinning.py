"""Security review: an integration webhook is delivered to the address that was checked.

The endpoint's host is resolved once; every address must be public (loopback only where
ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK allows it), and the connection goes to that address with the
Host header, TLS SNI and certificate check of the host name. A name that resolves to an internal
address a moment after the check (DNS rebinding) never gets the request. ``socket.getaddrinfo`` is
replaced here because DNS is the thing under test; the servers are real, on loopback."""

import json
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from aduan.notifications.channels import ChannelError, send_integration
from aduan.notifications.models import Audience, Channel, Notification, WebhookEndpoint

REAL_GETADDRINFO = socket.getaddrinfo
REAL_CREATE_CONNECTION = socket.create_connection
PUBLIC = "8.8.8.8"


class Server:
    """A real HTTP server on a loopback address, recording what it receives."""

    def __init__(self, address: str, port: int = 0):
        self.requests: list[tuple[dict, bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server.requests.append((dict(self.headers), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((address, port), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.daemon = True
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class Listener:
    """A raw TCP listener on 127.0.0.1 that counts connections and closes them at once."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()


class Dns:
    """``host`` resolves to ``answers[0]`` the first time, then to ``answers[1]`` (a rebinding)."""

    def __init__(self, host: str, *answers: list[str]):
        self.host, self.answers, self.calls = host, answers, 0

    def __call__(self, host, port, *args, **kwargs):
        if host != self.host:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        addresses = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0)) for address in addresses]


def notification_for(endpoint) -> Notification:
    return Notification(
        key="int:review:1",
        kind="integration_event",
        channel=Channel.INTEGRATION,
        audience=Audience.INTEGRATION,
        address=endpoint.url,
        context={"endpoint": endpoint.pk, "event": {"type": "complaint.submit", "event_id": 1}},
    )


@pytest.fixture
def servers():
    made: list = []
    yield made
    for server in made:
        server.close()


def test_delivery_goes_to_the_address_resolved_once_with_the_host_name(pemda, settings, monkeypatch, servers):
    settings.ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    real = Server("127.0.0.1")
    servers.append(real)
    decoy = Server("127.0.0.2", real.port)  # where "localhost" would point on a second look-up
    servers.append(decoy)
    endpoint = WebhookEndpoint.objects.create(pemda=pemda, url=f"http://localhost:{real.port}/kait")
    dns = Dns("localhost", ["127.0.0.1"], ["127.0.0.2"])
    monkeypatch.setattr(socket, "getaddrinfo", dns)

    send_integration(notification_for(endpoint))

    assert dns.calls == 1
    assert decoy.requests == []
    assert len(real.requests) == 1
    headers, body = real.requests[0]
    assert headers["Host"] == f"localhost:{real.port}"
    assert json.loads(body)["type"] == "complaint.submit"
    assert headers["X-Aduan-Signature"].startswith("sha256=")


def test_a_name_rebound_to_an_internal_address_after_the_check_is_never_contacted(
    pemda, settings, monkeypatch
):
    settings.ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    internal = Listener()  # a service on the server's own network
    try:
        endpoint = WebhookEndpoint.objects.create(
            pemda=pemda, url=f"https://hooks.example.id:{internal.port}/kait"
        )
        dns = Dns("hooks.example.id", [PUBLIC], ["127.0.0.1"])  # public when checked, then internal
        connects = []

        def create_connection(address, *args, **kwargs):
            connects.append(address)
            if address[0] == PUBLIC:  # the checked address: unreachable from the test machine
                raise ConnectionRefusedError("refused")
            return REAL_CREATE_CONNECTION(address, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", dns)
        monkeypatch.setattr(socket, "create_connection", create_connection)

        with pytest.raises(ChannelError) as failed:
            send_integration(notification_for(endpoint))

        assert failed.value.transient  # a refused connection may be retried
        assert connects == [(PUBLIC, internal.port)]
        assert internal.accepted == 0
        assert dns.calls == 1
    finally:
        internal.close()


def test_tls_to_the_pinned_address_checks_the_host_name(pemda, settings, monkeypatch):
    settings.ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    endpoint = WebhookEndpoint.objects.create(pemda=pemda, url="https://hooks.example.id/kait")
    monkeypatch.setattr(socket, "getaddrinfo", Dns("hooks.example.id", [PUBLIC], ["127.0.0.1"]))
    connects, handshakes, pairs = [], [], []

    def create_connection(address, *args, **kwargs):
        connects.append(address)
        pair = socket.socketpair()
        pairs.append(pair)
        return pair[0]

    def wrap_socket(context, sock, *args, server_hostname=None, **kwargs):
        handshakes.append((server_hostname, context.verify_mode, context.check_hostname))
        raise ssl.SSLError("handshake refused by the test")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(ssl.SSLContext, "wrap_socket", wrap_socket)
    try:
        with pytest.raises(ChannelError):
            send_integration(notification_for(endpoint))
    finally:
        for pair in pairs:
            for end in pair:
                end.close()

    assert connects == [(PUBLIC, 443)]
    assert handshakes == [("hooks.example.id", ssl.CERT_REQUIRED, True)]


@pytest.mark.parametrize(
    "answers", [[PUBLIC, "10.0.0.7"], ["169.254.169.254"], ["127.0.0.1"], ["192.168.1.1", PUBLIC]]
)
def test_a_name_with_any_internal_address_is_refused_without_connecting(
    pemda, settings, monkeypatch, answers
):
    settings.ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    endpoint = WebhookEndpoint.objects.create(pemda=pemda, url="https://hooks.example.id/kait")
    monkeypatch.setattr(socket, "getaddrinfo", Dns("hooks.example.id", answers))
    connects = []
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: connects.append(address))

    with pytest.raises(ChannelError) as refused:
        send_integration(notification_for(endpoint))

    assert not refused.value.transient
    assert connects == []


def test_loopback_allowance_needs_the_name_to_resolve_to_loopback(pemda, settings, monkeypatch):
    settings.ADUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    endpoint = WebhookEndpoint.objects.create(pemda=pemda, url="http://localhost:9/kait")
    monkeypatch.setattr(socket, "getaddrinfo", Dns("localhost", ["10.0.0.7"]))
    connects = []
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: connects.append(address))

    with pytest.raises(ChannelError):
        send_integration(notification_for(endpoint))

    assert connects == []
