"""The pluggable upload scanner hook (virus scanning of attachments).

``ADUAN_UPLOAD_SCANNER`` names a class (dotted path) whose instances have ``scan(data) -> ScanResult``:

- ``aduan.core.scanning.NoScanner`` (the default): nothing is scanned; every file is reported clean
  with a detail saying so, so that ``make run`` works without ClamAV.
- ``aduan.core.scanning.ClamdScanner``: ClamAV's daemon ``clamd`` over TCP (``ADUAN_CLAMD_HOST`` /
  ``ADUAN_CLAMD_PORT``) or a unix socket (``ADUAN_CLAMD_SOCKET``), with the INSTREAM command.

A scanner never raises for an unreachable or failing engine: it answers ``error``, the file stays
in quarantine and is scanned again later (aduan/complaints/tasks.py).

The clamd client is a few lines written here on purpose: the PyPI packages ``clamd`` (last release
2014) and ``pyclamd`` (last release 2017) are unmaintained.
"""

import socket
import struct
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

CLEAN = "clean"
INFECTED = "infected"
ERROR = "error"

DETAIL_MAX = 200  # Attachment.scan_detail


@dataclass(frozen=True)
class ScanResult:
    status: str  # CLEAN, INFECTED or ERROR (the values of complaints.models.ScanStatus)
    detail: str = ""

    def __post_init__(self):
        if self.status not in (CLEAN, INFECTED, ERROR):
            raise ValueError(f"unknown scan status {self.status!r}")
        object.__setattr__(self, "detail", str(self.detail)[:DETAIL_MAX])


class NoScanner:
    """No scanner configured: every file passes, marked as not scanned."""

    def scan(self, data: bytes) -> ScanResult:
        return ScanResult(CLEAN, "tidak dipindai: pemindai virus belum dikonfigurasi")


class ClamdError(Exception):
    pass


class ClamdScanner:
    """clamd's INSTREAM: ``zINSTREAM\\0``, then chunks of <4-byte big-endian length><data>, a zero
    length to end; the reply is ``stream: OK``, ``stream: <Name> FOUND`` or ``<reason> ERROR``."""

    CHUNK = 64 * 1024

    def __init__(self, *, host=None, port=None, socket_path=None, timeout=None):
        self.socket_path = socket_path if socket_path is not None else settings.ADUAN_CLAMD_SOCKET
        self.host = host or settings.ADUAN_CLAMD_HOST
        self.port = int(port or settings.ADUAN_CLAMD_PORT)
        self.timeout = float(timeout or settings.ADUAN_CLAMD_TIMEOUT)

    def _connect(self) -> socket.socket:
        if self.socket_path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(self.socket_path)
            except BaseException:
                sock.close()
                raise
            return sock
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def _instream(self, data: bytes) -> str:
        with self._connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            view = memoryview(data)
            for start in range(0, len(data), self.CHUNK):
                chunk = view[start : start + self.CHUNK]
                sock.sendall(struct.pack(">I", len(chunk)) + chunk)
            sock.sendall(struct.pack(">I", 0))
            reply = b""
            while not reply.endswith(b"\0") and len(reply) < 4096:
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
        return reply.rstrip(b"\0").decode("utf-8", "replace").strip()

    def scan(self, data: bytes) -> ScanResult:
        try:
            reply = self._instream(data)
        except (OSError, ValueError) as exc:  # refused, timed out, reset, bad address
            return ScanResult(ERROR, f"clamd tidak dapat dihubungi: {type(exc).__name__}")
        if reply == "stream: OK":
            return ScanResult(CLEAN, "clamd: OK")
        if reply.startswith("stream: ") and reply.endswith(" FOUND"):
            return ScanResult(INFECTED, reply[len("stream: ") : -len(" FOUND")].strip() or "FOUND")
        return ScanResult(ERROR, f"clamd: {reply or 'tidak ada jawaban'}")


def get_scanner():
    """The configured scanner (``ADUAN_UPLOAD_SCANNER``), a new instance per call."""
    return import_string(settings.ADUAN_UPLOAD_SCANNER)()
