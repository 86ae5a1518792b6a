#!/usr/bin/env python3
"""Print a bench/results/*.json file as Markdown tables, for docs/performance.md.

    .venv/bin/python bench/report.py                      # the newest result
    .venv/bin/python bench/report.py bench/results/X.json
"""

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _load(values):
    return ", ".join(f"{v:.1f}" for v in values) if values else "unknown"


def main():
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else max(RESULTS.glob("*.json"))
    data = json.loads(path.read_text())
    m = data["machine"]
    print(f"Run {data['started']}: {data['scale']:,} publications; {m['cores']} cores ({m['cpu']}); "
          f"gunicorn {data['workers']} x {data.get('worker_class', 'sync')} workers, "
          f"{data.get('threads', 1)} threads; load average (1, 5, 15 min) {_load(m.get('load_average_at_start'))} "
          f"at start and {_load(data.get('load_average_at_end'))} at end; {data['cold_requests']} cold and "
          f"{data['warm_requests']} warm requests per row.")
    if "host_speed_ms_at_start" in m:
        print(f"Host speed (bench/run.py's fixed Python work): {m['host_speed_ms_at_start']} ms at start, "
              f"{m.get('host_speed_ms_at_end', 'unknown')} ms at end.")
    print()
    print("| request | cold p50 ms | cold p95 ms | SQL cold | warm p50 ms | warm p95 ms | SQL warm | KB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in data["requests"].items():
        c, w = r["cold"], r["warm"]
        print(f"| {name} | {c['p50_ms']:.1f} | {c['p95_ms']:.1f} | {'/'.join(map(str, c['queries']))} | "
              f"{w['p50_ms']:.2f} | {w['p95_ms']:.2f} | {'/'.join(map(str, w['queries']))} | "
              f"{r['bytes'] / 1024:.0f} |")
    print()
    for key in ("concurrency_cold", "concurrency_warm"):
        if key in data:
            c = data[key]
            print(f"- {c['label']}: **{c.get('requests_per_second')} requests/s**, {c['connections']} "
                  f"connections for {c['seconds']} s with {c['tool']}; latency p50 {c.get('p50', '-')}, "
                  f"p90 {c.get('p90', '-')}, p99 {c.get('p99', '-')}; non-2xx {c['non_2xx']}")


if __name__ == "__main__":
    main()
