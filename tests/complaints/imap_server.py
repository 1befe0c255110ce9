"""A real IMAP server for the inbound e-mail tests: Debian's dovecot (dovecot-imapd), started with
its own configuration in a temporary directory, on its own port of 127.0.0.1, with one passwd-file
user and maildirs under the same directory; stopped at the end of the session."""

import contextlib
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

USER, PASSWORD = "aduan@imap.test", "sandi-imap-uji"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {uid}
default_internal_user = {internal}
default_login_user = {login}
mail_max_userip_connections = 50
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    root: Path

    def client(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.port, timeout=60)
        conn.login(self.user, self.password)
        return conn

    def new_folder(self, name: str) -> str:
        conn = self.client()
        try:
            typ, data = conn.create(name)
            assert typ == "OK", data
        finally:
            conn.logout()
        return name

    def append(self, folder: str, raw: bytes) -> None:
        conn = self.client()
        try:
            typ, data = conn.append(folder, None, None, raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def flags(self, folder: str) -> list[bytes]:
        conn = self.client()
        try:
            conn.select(folder, readonly=True)
            _typ, data = conn.uid("FETCH", "1:*", "(FLAGS)")
            return [d for d in data if d]
        finally:
            conn.logout()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dovecot() -> str | None:
    return shutil.which("dovecot", path=os.environ.get("PATH", "") + ":/usr/sbin")


@contextlib.contextmanager
def imap_server():
    binary = _dovecot()
    assert binary, "dovecot is not installed (apt-get install dovecot-imapd)"
    root = Path(tempfile.mkdtemp(prefix="aduan-imap-"))
    os.chmod(root, 0o755)
    if os.geteuid() == 0:  # dovecot refuses to run its login and mail processes as root
        internal, _login = pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull")
        uid, gid, internal_name, login_name = internal.pw_uid, internal.pw_gid, "dovecot", "dovenull"
    else:
        me = pwd.getpwuid(os.geteuid())
        uid, gid, internal_name, login_name = me.pw_uid, me.pw_gid, me.pw_name, me.pw_name
    port = _free_port()
    for sub in ("run", "state", "home"):
        (root / sub).mkdir()
    os.chown(root / "home", uid, gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    config = root / "dovecot.conf"
    config.write_text(
        CONFIG.format(root=root, uid=uid, gid=gid, internal=internal_name, login=login_name, port=port)
    )
    subprocess.run([binary, "-c", str(config)], check=True, timeout=30)
    server = ImapServer("127.0.0.1", port, USER, PASSWORD, root)
    try:
        for _ in range(100):
            try:
                server.client().logout()
                break
            except (OSError, imaplib.IMAP4.error):
                time.sleep(0.1)
        else:
            raise AssertionError("dovecot did not answer: " + (root / "dovecot.log").read_text()[-2000:])
        yield server
    finally:
        pid_file = root / "run" / "master.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            for _ in range(50):
                if not pid_file.exists():
                    break
                time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)
