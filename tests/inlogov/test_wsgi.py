"""The WSGI module gunicorn loads tunes garbage collection for a server (inlogov/wsgi.py).

Checked in a child process: importing the module in the test process would change the
collector for every test after it.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json, sys
before = gc.get_threshold()
import inlogov.wsgi
print(json.dumps({
    "before": before,
    "after": gc.get_threshold(),
    "frozen": gc.get_freeze_count(),
    "views_loaded": all(name in sys.modules for name in ("publications.views", "people.views", "themes.views")),
    "callable": callable(inlogov.wsgi.application),
}))
"""


def test_the_server_process_freezes_what_it_loaded_and_collects_less_often():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["before"] == [700, 10, 10]
    assert probe["after"] == [7000, 10, 10]
    # Django, the apps and every view module were loaded before the freeze: tens of thousands
    # of objects the collector no longer walks.
    assert probe["views_loaded"] is True
    assert probe["frozen"] > 20_000
    assert probe["callable"] is True
