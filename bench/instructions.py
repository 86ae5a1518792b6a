"""Instructions the app server's Python executes per request, counted by valgrind: a figure that
repeats to about 0.1% on a host whose timings move by a third.

    .venv/bin/python bench/instructions.py --only "theme detail,publications sub-theme"
    .venv/bin/python bench/instructions.py --help

Why: a change worth a millisecond is lost in the timing noise of a shared virtual machine (the
benchmark's p50s moved by up to a third between identical runs in the fifth and sixth sessions).
valgrind's callgrind counts the instructions of the Python process instead, which do not depend
on what else the host is doing. Counts of the same code agree to about 0.1% (some 90,000
instructions in eighty million). Compare two versions of the code with this, then confirm
with bench/run.py.

What it counts: the requests of bench/run.py (same names, same URLs from the same database,
which run.py must have built), made in-process with Django's test client, page cache off, after
three warm-up requests. Each request is counted twice in separate processes, once making
``--requests`` more requests than the other, and the difference divided: start-up and warm-up
cancel out. PostgreSQL's own work is in another process and is not counted; the Python side of
each query (compiling it, reading its rows) is.

Needs valgrind (``apt-get install valgrind``). About 40 s per request name at 100,000
publications: callgrind runs the interpreter some 50 times slower.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
WARM_UP = 3


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000, help="publications in the benchmark database")
    parser.add_argument("--database-url", default=None, help="default: the benchmark's database for --scale")
    parser.add_argument("--only", default="", help="comma-separated request names (default: all)")
    parser.add_argument("--requests", type=int, default=8, help="requests counted per name (default 8)")
    parser.add_argument("--json", type=Path, default=None, help="also write the counts to this file")
    parser.add_argument("--count", type=int, default=None, help=argparse.SUPPRESS)  # the child's mode
    parser.add_argument("--path", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    args.database_url = args.database_url or f"postgres://postgres@127.0.0.1:5432/inlogov_bench_{args.scale}"
    return args


def child_environment(args):
    return {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": "",
        "PAGE_CACHE": "false",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only-not-secret"),
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "inlogov.settings",
        "STATIC_MANIFEST": "true",
        "API_ANON_RATE": "100000000/minute",
        "LOG_LEVEL": "WARNING",
        # The same hash seed in both processes, so dict and set layouts cost the same.
        "PYTHONHASHSEED": "0",
    }


def run_requests(path, count):
    """The child: warm up, then make ``count`` more requests to ``path``."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client

    client = Client()
    for _ in range(WARM_UP + count):
        status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"instructions: {path} answered {status}")


def counted(args, path, count):
    """Instructions of a child process that makes ``count`` requests after the warm-up."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", str(PYTHON), __file__,
         "--database-url", args.database_url, "--path", path, "--count", str(count)],
        env=child_environment(args), cwd=ROOT, capture_output=True, text=True, check=False,
    )
    match = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or match is None:
        raise SystemExit(f"instructions: the count for {path} failed:\n{result.stderr[-2000:]}")
    return int(match.group(1))


def main():
    args = parse_args()
    if args.count is not None:
        run_requests(args.path, args.count)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("instructions: valgrind not found (apt-get install valgrind)")
    sys.path.insert(0, str(ROOT / "bench"))
    import run as bench

    requests = bench.request_list(bench.pick_targets(args))
    if args.only:
        wanted = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = sorted(set(wanted) - {name for name, _ in requests})
        if unknown:
            raise SystemExit(f"instructions: no request named {', '.join(unknown)} (see bench/run.py)")
        requests = [(name, path) for name, path in requests if name in wanted]
    results = {}
    print(f"{'request':34}{'instructions per request':>26}")
    for name, path in requests:
        per_request = (counted(args, path, args.requests) - counted(args, path, 0)) // args.requests
        results[name] = {"path": path, "instructions": per_request}
        print(f"{name:34}{per_request:>26,}", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"scale": args.scale, "requests": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
