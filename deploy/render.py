#!/usr/bin/env python3
"""Fill a deploy template: every @@NAME@@ is replaced by the value given as NAME=value.

    python3 deploy/render.py deploy/nginx/aduan.conf.template \
        SERVER_NAME=aduan.balikpapan.go.id ... > /etc/nginx/sites-available/aduan

Refuses (exit 2) a value that is missing or a name the template does not use, so a typo never
reaches the server. tests/ops/test_deploy_stack.py renders the same template this way.
"""

import re
import sys
from pathlib import Path

PLACEHOLDER = re.compile(r"@@([A-Z][A-Z0-9_]*)@@")


def render(template: str, values: dict[str, str]) -> str:
    wanted = set(PLACEHOLDER.findall(template))
    missing, unknown = sorted(wanted - set(values)), sorted(set(values) - wanted)
    if missing or unknown:
        raise ValueError(
            f"missing values: {missing or 'none'}; names the template does not use: {unknown or 'none'}"
        )
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or any("=" not in arg for arg in argv[2:]):
        sys.stderr.write(__doc__)
        return 2
    values = dict(arg.split("=", 1) for arg in argv[2:])
    try:
        sys.stdout.write(render(Path(argv[1]).read_text(), values))
    except ValueError as exc:
        sys.stderr.write(f"{argv[1]}: {exc}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
