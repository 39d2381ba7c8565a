"""The review pack, rendered in a real browser (headless Chromium): its text and its charts.

Without Chromium the test is skipped with that reason, unless SCOP_LEDGER_TEST_CHROMIUM=required
(CI sets it, after installing Debian's chromium), when it fails instead."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).parents[2] / "examples" / "fabrique.csv"


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("SCOP_LEDGER_TEST_CHROMIUM") == "required":
        pytest.fail("Chromium is required (SCOP_LEDGER_TEST_CHROMIUM=required) but not installed")
    pytest.skip("the browser test needs Chromium (Debian package chromium)")


def browse(page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1200,2400",
            *args,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_review_pack_renders_in_chromium(run_cli, store_url, tmp_path) -> None:
    db = store_url
    init = ["init", "fabrique", "--name", "La Fabrique", "--legal-form", "sarl"]
    assert run_cli(db, *init, "--share-value", "25", "--date", "2014-01-06").code == 0
    assert run_cli(db, "import", str(SAMPLE)).code == 0
    entries = json.loads(run_cli(db, "history", "gabriel", "--format", "json").out)["entries"]
    twice = next(e["id"] for e in entries if e["note"] == "entered twice by mistake")
    fixed = run_cli(db, "reverse", str(twice), "--reason", "entered twice", "--date", "2025-07-01")
    assert fixed.code == 0, fixed.err
    head = run_cli(db, "verify").out.splitlines()[0]
    page = tmp_path / "pack.html"
    made = run_cli(db, "--read-only", "report", "--as-of", "2025-12-31", "--out", str(page))
    assert made.code == 0, made.err
    assert made.out.startswith(
        f"{page}: review pack of fabrique as of 2025-12-31; chain head {head}"
    )
    source = page.read_text()
    # Self-contained: no script, nothing fetched.
    assert "<script" not in source
    assert not re.search(r"""(src|href)=["']?(https?:|//)|url\(\s*["']?https?:""", source)

    dom = browse(page, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-500:]
    text = html.unescape(re.sub(r"<[^>]+>", " ", dom.stdout))
    text = re.sub(r"\s+", " ", text)
    assert "Review pack — La Fabrique" in text
    assert "2014-01-06 (registration) to 2025-12-31" in text
    assert head in text
    assert "NOT compliant : surplus-allocation, refunds-due" in text  # 2016 never allocated
    # The breach of the employee majority, found by the 2019 review, with its dates and source.
    assert "employee-capital-majority 2018-05-31 2019-07-14 410" in text
    assert "loi 78-763 art. 5" in text
    # The charts: inline SVG with their titles and the threshold lines' labels, as text.
    assert dom.stdout.count("<svg") == 3  # and the legal representatives' bands
    for label in (
        "Employee partners' share of the capital",
        "Employee partners' share of the votes",
        "51% minimum",
        "65% minimum",
        "breach",
    ):
        assert label in text, label
    # Register, refunds and their ageing, mandates, late or reversed entries.
    assert "coopinvest" in text and "withdrawal" in text
    assert "overdue 1 to 2 years 1 500.00" in text
    assert "chloe manager 2022-01-06 2026-01-06" in text
    assert "Entries recorded late or reversed" in text
    # Every financial year's allocation (2016's never made), the legal representatives.
    assert "2016 2017-06-30 missing" in text and "2025 2026-06-30 not yet due" in text
    assert "Legal representatives in office" in text and "chloe manager 2022-01-06" in text
    assert "reversed by entry" in text and f"reverses entry {twice}" in text

    shot = tmp_path / "pack.png"
    painted = browse(page, f"--screenshot={shot}")
    assert painted.returncode == 0 and shot.exists(), painted.stderr[-500:]
    assert shot.stat().st_size > 50_000  # text, tables and two charts, not a blank page
