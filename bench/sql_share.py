"""Which side of the cold mix to work on: PostgreSQL's share against Python's, measured apart.

    .venv/bin/python bench/sql_share.py
    .venv/bin/python bench/sql_share.py --scale 1000000 --seconds 30

Why: under wrk the cold mix (bench/run.py) shares the cores between PostgreSQL, gunicorn and
wrk itself, and its rate of requests does not say which side is short. This tool makes each
mixed page once in-process (Django's test client, page cache off, as bench/instructions.py
does), records its SQL, and then:

1. times the pages' Python: the CPU time of this process per page, over ``--rounds`` rounds of
   the mix, with Django loaded through ``inlogov.wsgi`` as the server loads it (its
   garbage-collector settings change the figure by a tenth or more); PostgreSQL's work is in
   other processes and is not counted;
2. replays each page's statements with pgbench, one client, for its SQL latency;
3. replays every page's statements with pgbench, ``--clients`` clients for ``--seconds``
   seconds, for the pages per second PostgreSQL alone serves on this machine.

The cold mix cannot go faster than ``cores x 1000 / (PostgreSQL ms + Python ms)`` pages per
second, where PostgreSQL ms is ``cores x 1000 / (pgbench pages per second)``: the figure
printed last. pgbench runs on the same cores, so PostgreSQL's share is slightly overstated;
HTTP, gunicorn and wrk cost more on top. Needs pgbench (Debian's postgresql-client) and the
benchmark's database (run bench/run.py once).

Statements are sent as Django sends them without prepared statements (pgbench's simple
protocol). pgbench reads ``:name`` as a variable; the fixed requests' SQL has none.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import instructions  # noqa: E402 (the same child environment)
import run as bench  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000, help="publications in the benchmark database")
    parser.add_argument("--database-url", default=None, help="default: the benchmark's database for --scale")
    parser.add_argument("--clients", type=int, default=16, help="pgbench clients (default 16, as wrk's connections)")
    parser.add_argument("--seconds", type=int, default=20, help="seconds of the concurrent replay (default 20)")
    parser.add_argument("--rounds", type=int, default=20, help="rounds of the mix timed for Python (default 20)")
    args = parser.parse_args(argv)
    args.database_url = args.database_url or f"postgres://postgres@127.0.0.1:5432/inlogov_bench_{args.scale}"
    return args


VARIABLE = re.compile(r"(?<!:):[A-Za-z_]")


def pgbench_script(statements):
    """A pgbench script running ``statements`` in order, one per line."""
    lines = []
    for sql in statements:
        if VARIABLE.search(sql):
            raise SystemExit(f"sql_share: pgbench would read a variable in: {sql[:200]}")
        lines.append(" ".join(sql.split()) + ";")
    return "\n".join(lines) + "\n"


def pgbench(url, scripts, clients, seconds=None, transactions=None):
    """(transactions per second, average latency in ms) of pgbench over ``scripts``."""
    command = ["pgbench", "-n", "-M", "simple", "-c", str(clients), "-j", str(min(clients, os.cpu_count() or 1))]
    command += ["-T", str(seconds)] if seconds else ["-t", str(transactions)]
    for script in scripts:
        command += ["-f", str(script)]
    result = subprocess.run([*command, url], capture_output=True, text=True, check=False)
    tps = re.search(r"^tps = ([\d.]+)", result.stdout, re.MULTILINE)
    latency = re.search(r"^latency average = ([\d.]+) ms", result.stdout, re.MULTILINE)
    if result.returncode != 0 or tps is None or latency is None:
        raise SystemExit(f"sql_share: pgbench failed:\n{result.stderr[-2000:]}{result.stdout[-1000:]}")
    return float(tps.group(1)), float(latency.group(1))


def capture(mixed, rounds):
    """({name: [SQL statements]}, Python CPU ms per page) for the mixed pages, in-process."""
    sys.path.insert(0, str(ROOT))
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # Django set up as gunicorn's processes set it up, garbage-collector settings included.
    import inlogov.wsgi  # noqa: F401

    client = Client()
    statements = {}
    for name, path in mixed:
        for _ in range(instructions.WARM_UP):
            if client.get(path).status_code != 200:
                raise SystemExit(f"sql_share: {path} did not answer 200")
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        statements[name] = [query["sql"] for query in queries.captured_queries]
    start = time.process_time()
    for _ in range(rounds):
        for _name, path in mixed:
            client.get(path)
    python_ms = (time.process_time() - start) * 1000 / (rounds * len(mixed))
    return statements, python_ms


def main():
    args = parse_args()
    if shutil.which("pgbench") is None:
        raise SystemExit("sql_share: pgbench not found (apt-get install postgresql-client)")
    os.environ.update(instructions.child_environment(args))
    targets = bench.pick_targets(args)
    mixed = [(n, p) for n, p in bench.request_list(targets) if n.startswith(("publications ", "case studies"))]
    statements, python_ms = capture(mixed, args.rounds)
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as folder:
        scripts = []
        print(f"{'page':34}{'statements':>11}{'SQL ms (1 client)':>19}")
        for index, (name, _path) in enumerate(mixed):
            script = Path(folder) / f"page{index}.sql"
            script.write_text(pgbench_script(statements[name]))
            scripts.append(script)
            _tps, latency = pgbench(args.database_url, [script], clients=1, transactions=20)
            print(f"{name:34}{len(statements[name]):>11}{latency:>19.1f}", flush=True)
        pages_per_second, _latency = pgbench(args.database_url, scripts, clients=args.clients, seconds=args.seconds)
    sql_ms = cores * 1000 / pages_per_second
    print(f"PostgreSQL alone, {args.clients} clients: {pages_per_second:.1f} pages/s "
          f"(about {sql_ms:.1f} ms of {cores} cores per page)")
    print(f"Python, in-process: {python_ms:.1f} ms of CPU per page")
    print(f"ceiling of the cold mix on {cores} cores: {cores * 1000 / (sql_ms + python_ms):.0f} pages/s, "
          "before HTTP, gunicorn and wrk")


if __name__ == "__main__":
    main()
