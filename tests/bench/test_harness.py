"""`make bench` stays out of `make test`; here it runs once, briefly, to show that the harness works."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["order page", "order list", "staff queue", "staff queue, waiting tab", "ticket workspace",
         "merchant statuses", "API order", "all orders"]

pytestmark = [pytest.mark.xdist_group("bench")]


def test_the_harness_fills_serves_drives_every_page_and_prints_the_table(tmp_path):
    doc = (ROOT / "docs" / "performance.md").read_text()
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--no-docs", "--loadgen", "python"],
                          cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "load generator: python" in out
    for name in PAGES:
        row = re.search(rf"^\| {re.escape(name)} `[^`]+` \| ([\d,]+) \| [\d.]+ ms \| [\d.]+ ms \| (\d+) \| (\d+) \| "
                        rf"([\d,]+) \| \*\*([\d.]+)\*\* \|$", out, re.M)
        assert row, f"no row for {name}:\n{out}"
        rps, errors, queries, bare, ratio = row.groups()
        assert int(rps.replace(",", "")) > 0 and int(bare.replace(",", "")) > 0
        assert errors == "0" and 0 < int(queries) <= 20
        assert 0 < float(ratio) < 1.5
    hook = re.search(r"^\| signed webhook ingest .*\| duplicates: \*\*(\d+)\*\* \((\d+) tickets\) \|$", out, re.M)
    assert hook and hook.group(1) == "0" and int(hook.group(2)) > 0, out
    assert re.search(r"^\| p99 slow ÷ p99 healthy \| \| \| \*\*[\d.]+\*\* \| \|$", out, re.M), out
    # --no-docs leaves the document alone.
    assert (ROOT / "docs" / "performance.md").read_text() == doc
    leftovers = subprocess.run(["pgrep", "-f", "bench.bare:app"], capture_output=True, text=True).stdout  # noqa: S607
    assert leftovers.strip() == ""
