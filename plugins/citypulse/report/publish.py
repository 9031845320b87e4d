"""Publish the month's report: write the HTML and its PDF, then tell its readers (the PDF attached
to the e-mail, named or linked for the robots) with the summary's headline sentences."""

from __future__ import annotations

from pathlib import Path

from citypulse.notify import Notifier, monthly_report_ready
from citypulse.report.render import ReportFiles, write_report_files
from citypulse.settings import Settings


def report_path(settings: Settings, period: str) -> Path:
    return settings.reports / f"citypulse-{period}.html"


def publish_report(
    settings: Settings, period: str, out: Path | None = None, notifier: Notifier | None = None
) -> ReportFiles:
    """Write the report of ``period`` (to ``out``, else ``reports/citypulse-<period>.html``) and notify."""
    files = write_report_files(settings, period, out or report_path(settings, period))
    highlights = [*files.summary.leaders, *files.summary.movers, *files.summary.caveats]
    monthly_report_ready(period, files.run_id, files.html, files.pdf, highlights, notifier=notifier)
    return files
