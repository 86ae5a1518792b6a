"""Where the cold mix's CPU goes in the running servers: PostgreSQL, gunicorn and the rest.

    .venv/bin/python bench/cpu_share.py                  # 100,000 publications, 20 s of wrk
    .venv/bin/python bench/cpu_share.py --duration 30 --scale 1000000

Why: under wrk the cold mix (bench/run.py) shares the two cores between PostgreSQL's backends,
gunicorn's workers and wrk, and its rate says nothing of which side is short. bench/sql_share.py
measures the two sides apart (PostgreSQL through pgbench, the Python in-process); this tool
measures them where they run: it starts the cold server as bench/run.py does (page cache off),
reads every process's CPU time from /proc before and after ``--duration`` seconds of wrk over
the mixed pages, and prints the requests per second and the milliseconds of CPU per request of
PostgreSQL, of gunicorn, of everything else, and of idle time. The cold mix cannot go faster
than ``cores x 1000 / (the sum of the CPU shares)``. Linux only (it reads /proc); needs wrk and
the benchmark's database (run bench/run.py once). Takes the options of bench/run.py that apply
(--scale, --duration, --workers, --threads, --connections ...).
"""

import json
import os
import re
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_by_process():
    """({(pid, kind): CPU ticks}, idle ticks) for every process now; kind is postgres, gunicorn,
    wrk or other."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat_file:
                stat = stat_file.read()
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline_file:
                command = cmdline_file.read().decode(errors="replace")
        except OSError:
            continue  # gone meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        kind = (
            "postgres" if name.startswith("postgres")
            else "gunicorn" if "gunicorn" in command
            else "wrk" if name == "wrk"
            else "other"
        )
        found[(pid, kind)] = int(fields[11]) + int(fields[12])  # utime + stime
    with open("/proc/stat") as stat_file:
        idle = int(stat_file.readline().split()[4])
    return found, idle


def main():
    args = bench.parse_args()
    args.database_url = args.database_url or f"postgres://postgres@127.0.0.1:5432/inlogov_bench_{args.scale}"
    os.environ.update(bench.server_env(args))
    os.environ["DJANGO_SETTINGS_MODULE"] = "inlogov.settings"
    targets = bench.pick_targets(args)
    mixed = [path for name, path in bench.request_list(targets) if name.startswith(("publications ", "case studies"))]
    server = bench.Server(args, page_cache=False, log_path=Path(tempfile.gettempdir()) / "cpu_share-gunicorn.log")
    try:
        for path in mixed:  # each worker's first request of a page compiles its templates
            bench.fetch(server.port, path)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(bench.WRK_SCRIPT % ", ".join(json.dumps(path) for path in mixed))
        before, idle_before = cpu_by_process()
        # wrk exits before the second reading: its CPU is this process's children's.
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(
            ["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "30s", "-s", script.name,
             server.base],
            capture_output=True, text=True, check=True,
        ).stdout
        after, idle_after = cpu_by_process()
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        os.unlink(script.name)
    finally:
        server.stop()
    served = int(re.search(r"(\d+) requests in", out).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    totals = {}
    for key, ticks in after.items():
        totals[key[1]] = totals.get(key[1], 0) + ticks - before.get(key, 0)
    per_request = {kind: ticks * 1000 / TICKS / served for kind, ticks in sorted(totals.items())}
    wrk_seconds = (children_after.ru_utime + children_after.ru_stime) - (children_before.ru_utime + children_before.ru_stime)
    per_request["wrk"] = wrk_seconds * 1000 / served
    print(f"cold mix: {rate:.1f} requests/s ({served} requests, {args.connections} connections, {args.duration} s)")
    print("CPU per request: " + ", ".join(f"{kind} {ms:.2f} ms" for kind, ms in per_request.items())
          + f", idle {(idle_after - idle_before) * 1000 / TICKS / served:.2f} ms")


if __name__ == "__main__":
    main()
