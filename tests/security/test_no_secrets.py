"""No secret in the repository: every file git tracks is searched for private keys, cloud and
service credentials, and passwords written into connection URLs. The only credentials allowed are
the documented throwaway ones of local development and CI (the ``aduan``/``aduan`` database role on
loopback, the demo logins' password)."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "Aduan API token": re.compile(r"\baduan_[0-9a-f]{64}\b"),  # aduan.users.tokens
    "password in a URL": re.compile(r"\b[a-z][a-z0-9+.-]*://([^/\s:@'\"]+):([^/\s@'\"]+)@([^/\s:'\"]+)"),
}
# Passwords in URLs that are documented throwaways (CI's loopback role) or placeholders in examples.
ALLOWED_URL_PASSWORDS = {"aduan", "guest", "pw", "pass"}
PLACEHOLDER = re.compile(r"^[.…<>{}$A-Z_]+$|\.\.\.|…")


def tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / name for name in out.decode().split("\0") if name]


def findings_in(text: str) -> list[str]:
    found = []
    for name, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            if name == "password in a URL":
                _user, password, _host = match.groups()
                if password in ALLOWED_URL_PASSWORDS or PLACEHOLDER.search(password):
                    continue
            found.append(f"{name}: {match.group(0)[:60]}")
    return found


def test_the_scanner_finds_what_it_looks_for():
    # Assembled from pieces, so that this file does not trip its own search.
    planted = "\n".join(
        [
            "-----BEGIN RSA " + "PRIVATE KEY-----",
            "AKIA" + "ABCDEFGHIJKLMNOP",
            "Authorization: Token aduan_" + "3f" * 32,
            "DATABASE_URL=postgres://app:" + "S3cr3t-pw@db.example.id:5432/aduan",
        ]
    )
    assert len(findings_in(planted)) == 4
    assert findings_in("postgres://aduan:aduan@127.0.0.1:5432/aduan smtp+tls://user:pw@smtp.example.id") == []


def test_no_secret_in_any_tracked_file():
    if not (ROOT / ".git").exists():
        pytest.fail("not a git checkout: cannot list the tracked files")
    problems = []
    for path in tracked_files():
        if path.suffix in {".mo", ".png", ".jpg", ".ico", ".woff", ".woff2"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        problems += [f"{path.relative_to(ROOT)}: {f}" for f in findings_in(text)]
    assert problems == []
