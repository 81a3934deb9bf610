"""`trackers` is a plain library: importing it pulls in no web framework, no ORM and nothing of the portal."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("flask", "sqlalchemy", "portal", "werkzeug", "jinja2", "flask_babel", "babel")

PROBE = """
import json, sys
import trackers, trackers.classify, trackers.correios, trackers.correios_standin, trackers.s10
print(json.dumps(sorted(sys.modules)))
"""


def test_importing_trackers_loads_no_framework_or_portal_module():
    command = [sys.executable, "-c", PROBE]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert "trackers.correios" in loaded
    leaked = [name for name in loaded if name.split(".")[0] in FORBIDDEN]
    assert leaked == []
