"""The cost of cleaning one uploaded image: ``python bench/uploads.py [--runs N]``.

For each format (PNG, WebP, baseline JPEG square and 16:1, progressive JPEG) it builds the worst
files the caps of aduan/complaints/attachments.py allow — the most pixels the format may have,
blank (a tiny file that decodes to a huge image) and noisy (as much random content as fits under
MAX_BYTES, the rest blank) — and re-encodes each through ``validate_upload`` in a fresh Python
process. It prints, per
file, the child's peak resident memory above its own baseline after imports (the child's
high-water mark after the upload minus before it; the mark is reset through /proc/self/clear_refs
once the imports are done, so this needs Linux) and the wall time of ``validate_upload``. No
database is needed.
"""

import argparse
import gc
import io
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, django_setup


def _caps():
    from aduan.complaints import attachments

    full = getattr(attachments, "MAX_PIXELS_FULL_DECODE", attachments.MAX_PIXELS)
    webp = getattr(attachments, "MAX_PIXELS_WEBP", full)
    return attachments.MAX_BYTES, {
        ("PNG", 1): full,
        ("WEBP", 1): webp,
        ("JPEG", 1): attachments.MAX_PIXELS,
        ("JPEG", 16): attachments.MAX_PIXELS,  # 16 times as wide as tall
        ("JPEG-progressive", 1): full,
    }


def _size(pixels: int, aspect: int) -> tuple[int, int]:
    height = math.isqrt(pixels // aspect)
    return min(height * aspect, 65500), height


def _encode(img, kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "PNG":
        img.save(out, "PNG", compress_level=9)
    elif kind == "WEBP":
        img.save(out, "WEBP", quality=90, method=0)
    else:
        img.save(out, "JPEG", quality=95, subsampling=0, progressive=kind == "JPEG-progressive")
    return out.getvalue()


def _build(kind: str, size: tuple[int, int], noisy: bool, max_bytes: int) -> bytes:
    """A blank RGB image of ``size``; when noisy, random pixels fill the top band, as tall as the
    file stays under max_bytes."""
    from PIL import Image

    width, height = size
    img = Image.new("RGB", size, (255, 255, 255))
    if not noisy:
        return _encode(img, kind)
    rng = random.Random(311)
    band = min(height, max_bytes // (width * 3))  # random RGB costs about 3 bytes a pixel
    while True:
        noise = Image.frombytes("RGB", (width, band), rng.randbytes(width * band * 3))
        img.paste(noise, (0, 0))
        data = _encode(img, kind)
        if len(data) <= max_bytes:
            return data
        img.paste((255, 255, 255), (0, 0, width, band))
        band = max(1, int(band * 0.92 * max_bytes / len(data)))


def _high_water_kb() -> int:
    """This process's peak resident memory (VmHWM, what ``ru_maxrss`` reports for a process that
    did not exec: after fork and exec, ``ru_maxrss`` also keeps the parent's peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def child(path: str) -> None:
    """Run in a fresh process: one upload through validate_upload, figures as JSON on stdout."""
    django_setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aduan.complaints.attachments import validate_upload
    from aduan.core.exceptions import InvalidInput

    data = Path(path).read_bytes()
    upload = SimpleUploadedFile(Path(path).name, data, content_type="application/octet-stream")
    gc.collect()
    # Start the high-water mark afresh (Linux): imports may have peaked above what stays resident.
    Path("/proc/self/clear_refs").write_text("5")
    baseline = _high_water_kb()
    started = time.perf_counter()
    try:
        clean = validate_upload(upload)
        outcome = f"stored {clean.content_type} {clean.size} bytes"
    except InvalidInput as exc:
        outcome = f"refused {exc.code}"
    wall = time.perf_counter() - started
    peak = _high_water_kb()
    print(
        json.dumps(
            {
                "peak_mb": (peak - baseline) / 1024,
                "baseline_mb": baseline / 1024,
                "wall_s": wall,
                "outcome": outcome,
            }
        )
    )


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="fresh processes per file (the worst is shown)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return {}
    django_setup()
    max_bytes, caps = _caps()
    figures: dict = {}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        for (kind, aspect), pixels in caps.items():
            width, height = _size(pixels, aspect)
            for noisy in (False, True):
                name = f"{kind.lower()}-{width}x{height}-{'noisy' if noisy else 'blank'}"
                path = Path(tmp) / name
                data = _build(kind, (width, height), noisy, max_bytes)
                path.write_bytes(data)
                worst = None
                for _ in range(args.runs):
                    run = subprocess.run(
                        [sys.executable, __file__, "--child", str(path)],
                        capture_output=True, text=True, check=True, env=env,
                    )  # fmt: skip
                    result = json.loads(run.stdout.strip().splitlines()[-1])
                    if worst is None or result["peak_mb"] > worst["peak_mb"]:
                        worst = {**result, "wall_s": max(result["wall_s"], (worst or result)["wall_s"])}
                figures[name] = worst
                print(
                    f"{name}: {len(data) / 1024:,.0f} KiB, {width * height / 1e6:.1f} MP → "
                    f"peak {worst['peak_mb']:.0f} MB above baseline ({worst['baseline_mb']:.0f} MB), "
                    f"{worst['wall_s']:.2f} s ({worst['outcome']})",
                    flush=True,
                )
    print(
        f"worst: peak {max(f['peak_mb'] for f in figures.values()):.0f} MB, "
        f"{max(f['wall_s'] for f in figures.values()):.2f} s"
    )
    return figures


if __name__ == "__main__":
    main()
