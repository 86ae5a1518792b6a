"""`make bench` (bench/run.py) runs from a clone and reports every request (issue 6, point 1).

The benchmark is a tool, not a timed test: this runs it end to end at a small scale (25,000
publications, a few requests each, two seconds of load) and checks what it reports, not how
fast. The figures of the full runs are in docs/performance.md. PostgreSQL only: the benchmark
builds its own database on the server the test suite uses.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the benchmark needs PostgreSQL (DATABASE_URL=postgres://...); this pass uses SQLite",
    ),
]

SCALE = 25_000  # enough for the tenth page of the publications sitemap (2,000 a page)


def test_the_benchmark_runs_and_reports_every_request_cold_and_warm(tmp_path):
    import run as bench  # bench/run.py

    server = urlsplit(os.environ["DATABASE_URL"])
    name = f"inlogov_bench_test_{os.getpid()}"
    url = urlunsplit((server.scheme, server.netloc, f"/{name}", "", ""))
    admin = urlunsplit((server.scheme, server.netloc, "/postgres", "", ""))
    command = [
        sys.executable, str(ROOT / "bench" / "run.py"), "--scale", str(SCALE), "--database-url", url,
        "--cold", "3", "--warm", "3", "--duration", "2",
    ]
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    try:
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    report = ROOT / re.search(r"^JSON: (\S+)$", out, re.M).group(1)
    data = json.loads(report.read_text())
    for leftover in report.parent.glob(f"{report.stem}*"):
        leftover.unlink()

    # Every request of the fixed list, in the printed table and in the JSON, answered 200 both
    # cold (a miss after a content-version bump) and warm (a hit), with its SQL queries counted.
    names = [name for name, _path in bench.request_list(data["targets"])]
    assert list(data["requests"]) == names and len(names) == 23
    table = out[out.index("request  "):]
    for name in names:
        row = data["requests"][name]
        assert re.search(rf"^{re.escape(name)}\s+[\d.]+\s+[\d.]+\s+\d+\s+[\d.]+\s+[\d.]+\s+0\s+200$", table, re.M), name
        for kind, cache_state in (("cold", "miss"), ("warm", "hit")):
            measured = row[kind]
            assert measured["n"] == 3 and set(measured["statuses"]) == {200}, (name, kind)
            assert set(measured["cache"]) == {cache_state}, (name, kind)
            assert 0 < measured["p50_ms"] <= measured["p95_ms"], (name, kind)
        assert len(row["cold"]["queries"]) == 1 and row["cold"]["queries"][0] > 0, name  # the same count each time
        assert row["warm"]["queries"] == [0], name
    # Both load runs, with the rate and no errors; the database at the scale asked for.
    for key in ("concurrency_cold", "concurrency_warm"):
        assert data[key]["requests_per_second"] > 0 and data[key]["non_2xx"] == 0, key
    assert data["scale"] == SCALE and data["database"]["reused"] is False
    assert "cold (page cache off)" in out and "warm (page cache on)" in out
