"""A real ClamAV daemon for the upload-scanning tests.

The virus database cannot be downloaded here (freshclam has no internet), so each daemon gets its
own tiny database: one MD5 signature of the EICAR test file (``md5:size:Name`` in an .hdb file).
ClamAV's PDF parser scans a PDF's embedded files too, so an EICAR file attached inside a PDF is found
as well. clamd listens on a free loopback TCP port and on a unix socket in a temporary directory.
"""

import hashlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.factories import api_token

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Eicar-Test-Signature"
CLAMD = shutil.which("clamd", path=os.environ.get("PATH", "") + os.pathsep + "/usr/sbin:/sbin")
START_TIMEOUT = 60  # seconds; a one-signature database loads in about one


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Clamd:
    """One clamd process with a one-signature database, started and stopped by the tests."""

    def __init__(self, root: Path, port: int | None = None):
        self.root = root
        self.port = port or free_port()
        self.socket_path = str(root / "clamd.sock")
        self.log = root / "clamd.log"
        self.process: subprocess.Popen | None = None
        db = root / "db"
        db.mkdir(parents=True, exist_ok=True)
        (db / "eicar.hdb").write_text(f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:{SIGNATURE}\n")
        self.conf = root / "clamd.conf"
        self.conf.write_text(
            "Foreground yes\n"
            f"TCPSocket {self.port}\n"
            "TCPAddr 127.0.0.1\n"
            f"LocalSocket {self.socket_path}\n"
            f"DatabaseDirectory {db}\n"
            f"LogFile {self.log}\n"
            "MaxThreads 2\n"
        )

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                s.sendall(b"zPING\0")
                return s.recv(16).startswith(b"PONG")
        except OSError:
            return False

    def start(self) -> "Clamd":
        if CLAMD is None:
            pytest.fail("clamd is not installed (apt-get install clamav-daemon)")
        self.process = subprocess.Popen(
            [CLAMD, "-c", str(self.conf)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self.ping():
                return self
            time.sleep(0.1)
        log = self.log.read_text()[-2000:] if self.log.exists() else ""
        self.stop()
        pytest.fail(f"clamd did not start within {START_TIMEOUT} s:\n{log}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    """A running clamd shared by the tests of this session (started on first use)."""
    daemon = Clamd(tmp_path_factory.mktemp("clamd")).start()
    yield daemon
    daemon.stop()


@pytest.fixture
def clamd_scanner(settings, clamd):
    """ADUAN_UPLOAD_SCANNER set to ClamAV, talking to the test daemon over TCP."""
    settings.ADUAN_UPLOAD_SCANNER = "aduan.core.scanning.ClamdScanner"
    settings.ADUAN_CLAMD_HOST = "127.0.0.1"
    settings.ADUAN_CLAMD_PORT = clamd.port
    settings.ADUAN_CLAMD_SOCKET = ""
    settings.ADUAN_CLAMD_TIMEOUT = 10
    return clamd


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user():
    """A DRF client authenticated with ``user``'s API token."""

    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        return client

    return make
