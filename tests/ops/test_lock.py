"""Reproducible installs: requirements/lock.txt pins every dependency of pyproject.toml (the
package, the dev, s3 and sentry extras) inside its range, with hashes, and is what `make install`
installs and `.ci/run` audits."""

import re
import tomllib
from pathlib import Path

from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

BASE_DIR = Path(settings.BASE_DIR)
LOCK = BASE_DIR / "requirements" / "lock.txt"


def pinned() -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes)"""
    entries = re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text())
    result = {}
    for entry in entries:
        match = re.match(r"([A-Za-z0-9_.\-]+)==([^\s;\\]+)", entry)
        if match:
            result[canonicalize_name(match[1])] = (match[2], entry.count("--hash=sha256:"))
    return result


def test_the_lock_pins_every_dependency_inside_its_range_with_hashes():
    project = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"]]
    for extra in ("dev", "s3", "sentry"):
        wanted += project["optional-dependencies"][extra]
    pins = pinned()
    assert len(pins) > len(wanted)  # their own dependencies are pinned too
    for line in wanted:
        requirement = Requirement(line)
        version, hashes = pins[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version, prereleases=True), (line, version)
    assert all(hashes >= 1 for _version, hashes in pins.values())
    assert pins["ruff"][0] == "0.17.6"  # the formatter CI runs is the one the code was formatted with


def test_make_install_and_ci_use_the_lock():
    makefile = (BASE_DIR / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile
    assert "LOCK := requirements/lock.txt" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
    ci = (BASE_DIR / ".ci" / "run").read_text()
    assert "pip-audit --disable-pip --require-hashes -r requirements/lock.txt" in ci
