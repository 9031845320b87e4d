"""Print the report's HTML to PDF with headless Chromium (Debian's ``/usr/bin/chromium``).

The HTML is self-contained (inline SVG, MathML, no scripts), so printing needs no network: the
browser runs with networking features off and a throwaway profile, which also lets several
reports print at once (Airflow workers, backfills) without sharing a profile lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from citypulse.errors import CityPulseError

CHROMIUM_ENV = "CITYPULSE_CHROMIUM"
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
TIMEOUT_S = 180
FLAGS = (
    "--headless",
    "--no-sandbox",  # Airflow workers and containers run as root, where Chromium's sandbox refuses
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--run-all-compositor-stages-before-draw",
    "--no-pdf-header-footer",
)


def chromium() -> str | None:
    """The Chromium to print with: ``CITYPULSE_CHROMIUM`` if set, else the first one installed."""
    configured = os.environ.get(CHROMIUM_ENV, "").strip()
    if configured:
        return shutil.which(configured)
    for candidate in CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def print_pdf(html: Path, pdf: Path) -> Path:
    """Print ``html`` to ``pdf`` (temp file + rename, so a reader never sees half a PDF)."""
    browser = chromium()
    if browser is None:
        raise CityPulseError(
            "no Chromium to print the report to PDF: `sudo apt-get install -y chromium fonts-noto-cjk` "
            f"(or set {CHROMIUM_ENV})"
        )
    pdf = pdf.resolve()
    tmp = pdf.with_name(f".{pdf.name}.tmp-{os.getpid()}")
    with tempfile.TemporaryDirectory(prefix="citypulse-chromium-") as profile:
        argv = [
            browser,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={tmp}",
            html.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            tmp.unlink(missing_ok=True)
            raise CityPulseError(f"Chromium did not print {html.name} within {TIMEOUT_S} s") from exc
    if done.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise CityPulseError(
            f"Chromium could not print {html.name} (exit {done.returncode}): {' | '.join(tail)}"
        )
    tmp.replace(pdf)
    return pdf
