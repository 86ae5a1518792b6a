#!/usr/bin/env python3
"""Benchmark the hub as production runs it: PostgreSQL, Redis, gunicorn, DEBUG off.

    make bench                 # 100,000 publications (20,000 contributors, 5,000 case studies)
    make bench SCALE=1000000   # the large run
    .venv/bin/python bench/run.py --help

Steps: create (or reuse) the database inlogov_bench_<scale> and fill it with
`generate_synthetic_content --seed 1`, run collectstatic, start gunicorn with the page cache on
Redis, then measure a fixed list of requests cold (the content version is bumped before every
request, so nothing is served from the cache) and warm (served from the cache), and finally
run 16 concurrent connections with wrk for a fixed time, cold (page cache off) and warm.

Prints a table and writes bench/results/<timestamp>.json. docs/performance.md explains how to
read both and keeps the results of past runs.
"""

import argparse
import contextlib
import http.client
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
SEED = 1


def log(message):
    print(f"[bench] {message}", flush=True)


def page_cost(value):
    """--random-page-cost: a finite number of at least 0, or 'server'."""
    if value == "server":
        return value
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not math.isfinite(number) or number < 0:
        raise argparse.ArgumentTypeError(f"expected a number of at least 0 or 'server', not {value!r}")
    return number


def memory_size(value):
    """--work-mem: a PostgreSQL memory size such as 32MB (kB, MB or GB) within the range work_mem
    accepts (64kB to 2147483647kB), or 'server'."""
    if value == "server":
        return value
    match = re.fullmatch(r"([1-9][0-9]{0,9})(kB|MB|GB)", value)
    kilobytes = int(match[1]) * {"kB": 1, "MB": 1024, "GB": 1024**2}[match[2]] if match else 0
    if not 64 <= kilobytes <= 2147483647:
        raise argparse.ArgumentTypeError(
            f"expected a size from 64kB to 2047GB such as 32MB (kB, MB or GB), or 'server', not {value!r}"
        )
    return value


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000, help="publications (default 100000)")
    parser.add_argument("--database-url", help="default postgres://postgres@127.0.0.1:5432/inlogov_bench_<scale>")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn workers (default 2 x cores + 1)")
    # gthread keeps client connections alive; sync workers close each one, and on this machine
    # that halved warm throughput (see docs/performance.md).
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class (default gthread)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--cold", type=int, default=30, help="cold requests per URL (default 30)")
    parser.add_argument("--warm", type=int, default=200, help="warm requests per URL (default 200)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--duration", type=int, default=20, help="seconds per concurrent run (default 20)")
    parser.add_argument("--regenerate", action="store_true", help="drop and rebuild the database")
    parser.add_argument("--no-concurrency", action="store_true", help="skip the wrk runs")
    parser.add_argument("--only", help="comma-separated request names to measure (default: all)")
    parser.add_argument("--random-page-cost", default=1.1, type=page_cost,
                        help="PostgreSQL's random_page_cost for the benchmark database, as docs/deployment.md "
                             "recommends for a database held in memory or on SSD (default 1.1; 'server' keeps "
                             "the server's own setting, 4 unless changed). It stays set on the database.")
    parser.add_argument("--work-mem", default="32MB", type=memory_size,
                        help="PostgreSQL's work_mem for the benchmark database, as docs/deployment.md recommends "
                             "(default 32MB: at 1,000,000 publications a search's matches outgrow the default 4MB "
                             "and are re-read from disk by each facet; 'server' keeps the server's own setting). "
                             "It stays set on the database.")
    return parser.parse_args()


# --- Database ----------------------------------------------------------------------------------


def with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def server_env(args, page_cache=True):
    return {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": f"bench-{args.scale}",
        "PAGE_CACHE": "true" if page_cache else "false",
        "BENCH_QUERY_HEADER": "true",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only-not-secret"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_MANIFEST": "true",
        # The API's anonymous throttle would turn a benchmark into a test of the throttle.
        "API_ANON_RATE": "100000000/minute",
        "PYTHONUNBUFFERED": "1",
    }


def manage(args, *command, check=True, capture=False):
    return subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *command],
        env=server_env(args),
        cwd=ROOT,
        check=check,
        text=True,
        capture_output=capture,
    )


def database_settings(args):
    return {"random_page_cost": args.random_page_cost, "work_mem": args.work_mem}


def prepare_database(args):
    import psycopg

    name = urlsplit(args.database_url).path.lstrip("/")
    admin_url = with_database(args.database_url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and args.regenerate:
            log(f"dropping {name} (--regenerate)")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')
        # Settings for the database, as docs/deployment.md recommends (new sessions only, so every
        # server started below has them). Both values were checked by argparse.
        for setting, value in database_settings(args).items():
            if value == "server":
                conn.execute(f'ALTER DATABASE "{name}" RESET {setting}')
            else:
                conn.execute(f"ALTER DATABASE \"{name}\" SET {setting} = '{value}'")
    log("migrating")
    manage(args, "migrate", "--noinput", "-v", "0")
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_marker (scale integer, seed integer, generated_at "
            "timestamptz, seconds double precision)"
        )
        marker = conn.execute("SELECT scale, seed, seconds FROM bench_marker").fetchone()
        count = conn.execute("SELECT count(*) FROM publications_publication").fetchone()[0]
        # What the servers' new sessions get, whatever was asked for (recorded in the JSON).
        args.settings_in_force = {
            setting: conn.execute(f"SHOW {setting}").fetchone()[0] for setting in database_settings(args)
        }
    if marker and marker[0] == args.scale and marker[1] == SEED and count >= args.scale:
        log(f"reusing {name}: {count} publications (generated in {marker[2]:.1f} s)")
        return {"reused": True, "generate_seconds": marker[2]}
    if count:
        log(f"{name} holds {count} publications but no matching marker: rebuilding it")
        args.regenerate = True
        return prepare_database(args)
    log(f"generating {args.scale} publications (seed {SEED})")
    started = time.monotonic()
    manage(
        args, "generate_synthetic_content",
        "--publications", str(args.scale),
        "--contributors", str(max(1, args.scale // 5)),
        "--case-studies", str(max(1, args.scale // 20)),
        "--seed", str(SEED),
    )
    seconds = time.monotonic() - started
    log(f"generated in {seconds:.1f} s; analysing tables")
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        conn.execute("DELETE FROM bench_marker")
        conn.execute("INSERT INTO bench_marker VALUES (%s, %s, now(), %s)", (args.scale, SEED, seconds))
    return {"reused": False, "generate_seconds": seconds}


def pick_targets(args):
    """Real slugs and values from the database, so every URL exercises a real filter."""
    import re

    import psycopg

    def published(match):
        # The publishing rule (inlogov/publishing.py) for table alias `match[1]`.
        a = match[1]
        return f"({a}.status = 'published' AND ({a}.publish_from IS NULL OR {a}.publish_from <= now()))"

    with psycopg.connect(args.database_url) as conn:
        def one(sql):
            row = conn.execute(re.sub(r"PUBLISHED\((\w+)\)", published, sql)).fetchone()
            if row is None:
                raise SystemExit(f"bench: the database has no row for: {sql}")
            return row[0]

        return {
            "sub_theme": one(
                "SELECT t.slug FROM themes_theme t JOIN publications_publication_themes pt "
                "ON pt.theme_id = t.id WHERE t.parent_id IS NOT NULL AND PUBLISHED(t) "
                "GROUP BY t.slug ORDER BY count(*) DESC, t.slug LIMIT 1"
            ),
            "parent_theme": one(
                "SELECT p.slug FROM themes_theme p JOIN themes_theme c ON c.parent_id = p.id "
                "WHERE p.parent_id IS NULL AND PUBLISHED(p) GROUP BY p.slug "
                "ORDER BY count(*) DESC, p.slug LIMIT 1"
            ),
            "publication": one(
                "SELECT p.slug FROM publications_publication p WHERE PUBLISHED(p) "
                "AND p.kind = 'edited_book' ORDER BY p.id LIMIT 1"
            ),
            "case_study": one(
                "SELECT c.slug FROM publications_casestudy c WHERE PUBLISHED(c) ORDER BY c.id LIMIT 1"
            ),
            "person": one(
                "SELECT c.slug FROM people_contributor c JOIN publications_publicationcontributor pc "
                "ON pc.contributor_id = c.id WHERE PUBLISHED(c) GROUP BY c.slug "
                "ORDER BY count(*) DESC, c.slug LIMIT 1"
            ),
            "country": one(
                "SELECT c.country FROM publications_casestudy c WHERE PUBLISHED(c) GROUP BY c.country "
                "ORDER BY count(*) DESC LIMIT 1"
            ),
        }


def request_list(t):
    """The fixed list of requests: (name, path). Names are stable across runs for comparison."""
    def q(path, **params):
        pairs = [(k, v) for k, values in params.items() for v in (values if isinstance(values, list) else [values])]
        return f"{path}?{urlencode(pairs)}" if pairs else path

    return [
        ("home", "/"),
        ("publications", q("/publications/")),
        ("publications sub-theme", q("/publications/", theme=t["sub_theme"])),
        ("publications parent theme", q("/publications/", theme=t["parent_theme"])),
        ("publications theme+kind+years", q("/publications/", theme=t["sub_theme"], kind="journal_article",
                                             year_from=2010, year_to=2020)),
        ("publications search", q("/publications/", q="participatory budgeting")),
        ("publications search+2 facets", q("/publications/", q="co-production", theme=t["parent_theme"],
                                            kind=["journal_article", "chapter"])),
        ("publications page 2000", q("/publications/", page=2000)),
        ("case studies 2 facets", q("/case-studies/", theme=t["parent_theme"], country=t["country"])),
        ("publication detail", f"/publications/{t['publication']}/"),
        ("case study detail", f"/case-studies/{t['case_study']}/"),
        ("person detail", f"/people/{t['person']}/"),
        ("theme detail", f"/themes/{t['parent_theme']}/"),
        # Pages whose size once grew with the catalogue (29 November 2026, third session).
        ("themes index", "/themes/"),
        ("people index", "/people/"),
        ("people group page 50", q("/people/", relation="external", page=50)),
        ("feed", "/feeds/publications/"),
        ("sitemap index", "/sitemap.xml"),
        ("sitemap page 10", q("/sitemap-publications.xml", p=10)),
        ("api publications", "/api/v1/publications/"),
        ("api publications filtered", q("/api/v1/publications/", theme=t["sub_theme"], kind="journal_article",
                                        year_from=2010, year_to=2020)),
        ("api publication facets", q("/api/v1/facets/publications/", theme=t["parent_theme"], kind="chapter")),
        ("api publication detail", f"/api/v1/publications/{t['publication']}/"),
    ]


# --- Server ------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, args, page_cache, log_path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
        self.log_file = open(log_path, "a")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [gunicorn, "inlogov.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(args.workers), "--worker-class", args.worker_class, "--threads", str(args.threads),
             "--backlog", "2048", "--log-level", "warning"],
            env=server_env(args, page_cache), cwd=ROOT, stdout=self.log_file, stderr=self.log_file,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"bench: gunicorn exited; see {log_path}")
            try:
                if fetch(self.port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("bench: gunicorn did not answer within 60 s")
            time.sleep(0.2)
        # Every worker imports and connects on its first request: get that out of the way.
        for _ in range(args.workers * 4):
            fetch(self.port, "/healthz")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log_file.close()


def fetch(port, path):
    """One GET on a new connection: the latency of a visitor's single request, connect included."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        started = time.perf_counter()
        conn.request("GET", path)  # no Accept header, like wrk: both share cache entries
        response = conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        return response.status, dict(response.getheaders()), body, elapsed
    finally:
        conn.close()


# --- Measurements ------------------------------------------------------------------------------


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summarise(samples, queries, statuses, caches):
    ms = [s * 1000 for s in samples]
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "max_ms": round(max(ms), 2),
        "queries": sorted(set(queries)),
        "statuses": sorted(set(statuses)),
        "cache": sorted(set(caches)),
    }


def warm_up(server, requests_, args, bump):
    """Give every worker each page once, cold, so first-use costs (template compilation, lazy
    imports, new database connections) stay out of the numbers, as on a server that has run."""
    for _, path in requests_:
        for _ in range(args.workers):
            bump()
            fetch(server.port, path)


def measure(server, requests_, args, bump):
    warm_up(server, requests_, args, bump)
    results = {}
    for name, path in requests_:
        cold, cold_q, cold_s, cold_c = [], [], [], []
        for _ in range(args.cold):
            bump()
            status, headers, _, elapsed = fetch(server.port, path)
            cold.append(elapsed)
            cold_q.append(int(headers.get("X-Query-Count", -1)))
            cold_s.append(status)
            cold_c.append(headers.get("X-Cache", "-"))
        fetch(server.port, path)  # fill the cache
        warm, warm_q, warm_s, warm_c = [], [], [], []
        size = 0
        for _ in range(args.warm):
            status, headers, body, elapsed = fetch(server.port, path)
            warm.append(elapsed)
            warm_q.append(int(headers.get("X-Query-Count", -1)))
            warm_s.append(status)
            warm_c.append(headers.get("X-Cache", "-"))
            size = len(body)
        results[name] = {
            "path": path,
            "bytes": size,
            "cold": summarise(cold, cold_q, cold_s, cold_c),
            "warm": summarise(warm, warm_q, warm_s, warm_c),
        }
        r = results[name]
        log(f"{name:32} cold p50 {r['cold']['p50_ms']:8.1f} ms  p95 {r['cold']['p95_ms']:8.1f}  "
            f"q {r['cold']['queries']}  warm p50 {r['warm']['p50_ms']:6.2f} ms  status {r['cold']['statuses']}")
    return results


WRK_SCRIPT = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def concurrency(server, paths, args, label):
    wrk = shutil.which("wrk")
    if wrk is None:
        log("wrk not found (apt-get install wrk): using the Python client, which is slower itself")
        return python_load(server, paths, args, label)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
    out = subprocess.run(
        [wrk, "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "30s", "--latency",
         "-s", script.name, server.base],
        capture_output=True, text=True, check=True,
    ).stdout
    os.unlink(script.name)
    result = {"tool": "wrk", "label": label, "connections": args.connections, "seconds": args.duration}
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            result["requests_per_second"] = float(parts[1])
        elif line.strip().startswith(("50%", "90%", "99%")):
            result[f"p{parts[0].rstrip('%')}"] = parts[1]
        elif "requests in" in line:
            result["requests"] = int(parts[0])
        elif line.strip().startswith("Non-2xx"):
            result["non_2xx"] = int(parts[-1])
        elif line.strip().startswith("Socket errors"):
            result["socket_errors"] = line.strip()
    result.setdefault("non_2xx", 0)
    log(f"concurrency {label}: {result.get('requests_per_second')} req/s, p50 {result.get('p50')}, "
        f"p99 {result.get('p99')}, non-2xx {result['non_2xx']}")
    return result


def python_load(server, paths, args, label):
    import threading

    stop = time.monotonic() + args.duration
    counts, errors, lock = [0], [0], threading.Lock()

    def worker(offset):
        i = offset
        while time.monotonic() < stop:
            status = fetch(server.port, paths[i % len(paths)])[0]
            i += 1
            with lock:
                counts[0] += 1
                errors[0] += status >= 400

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = {"tool": "python-threads", "label": label, "connections": args.connections,
              "seconds": args.duration, "requests": counts[0],
              "requests_per_second": round(counts[0] / args.duration, 1), "non_2xx": errors[0]}
    log(f"concurrency {label}: {result['requests_per_second']} req/s, non-2xx {errors[0]}")
    return result


def print_table(results):
    header = (f"{'request':32} {'cold p50':>9} {'cold p95':>9} {'SQL':>5} {'warm p50':>9} {'warm p95':>9} "
              f"{'SQL':>4} {'status':>7}")
    print()
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        c, w = r["cold"], r["warm"]
        print(f"{name:32} {c['p50_ms']:9.1f} {c['p95_ms']:9.1f} {'/'.join(map(str, c['queries'])):>5} "
              f"{w['p50_ms']:9.2f} {w['p95_ms']:9.2f} {'/'.join(map(str, w['queries'])):>4} "
              f"{'/'.join(map(str, c['statuses'])):>7}")
    print("(milliseconds; SQL = queries per request from X-Query-Count)")
    broken = [name for name, r in results.items() if r["cold"]["statuses"] != [200] or r["warm"]["statuses"] != [200]]
    if broken:
        print(f"WARNING: not every response was 200 for: {', '.join(broken)}; those rows measure an error page")


def host_speed():
    """Milliseconds for a fixed piece of pure-Python work (dictionary and string work, as a page's
    Python does), best of five: the host's own speed at that moment.

    The virtual machines these runs use differ in speed, and some slow down after minutes of
    load (the seventh session saw pages take 1.3-2 times as long after twenty minutes of
    valgrind). Measured at the start and at the end of a run and printed with the table, it
    says whether two runs, or the two ends of one run, saw the same host.
    """

    def work():
        table = {}
        for i in range(100_000):
            table[f"key-{i}"] = i * 7 % 1_000
        return sorted(table, key=table.__getitem__)[-1]

    return round(min(timeit.repeat(work, number=1, repeat=5)) * 1000, 1)


def machine():
    cpu = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "")
    return {"cores": os.cpu_count(), "cpu": cpu, "python": platform.python_version(), "platform": platform.platform(),
            "load_average_at_start": os.getloadavg(), "host_speed_ms_at_start": host_speed()}


def main():
    args = parse_args()
    args.database_url = args.database_url or f"postgres://postgres@127.0.0.1:5432/inlogov_bench_{args.scale}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    data = {"started": stamp, "scale": args.scale, "machine": machine(), "workers": args.workers,
            "worker_class": args.worker_class, "threads": args.threads,
            "cold_requests": args.cold, "warm_requests": args.warm}
    data["code"] = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                                  text=True).stdout.strip()
    data["database"] = prepare_database(args)
    data.update(args.settings_in_force)
    log(", ".join(f"{name} {value}" for name, value in args.settings_in_force.items())
        + f" on {urlsplit(args.database_url).path.lstrip('/')}")
    log("collectstatic")
    manage(args, "collectstatic", "--noinput", "-v", "0")
    targets = pick_targets(args)
    requests_ = request_list(targets)
    # The concurrent runs mix every faceted listing (publications and case studies).
    mixed = [p for n, p in requests_ if n.startswith(("publications ", "case studies"))]
    data["mixed_paths"] = mixed
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        requests_ = [(n, p) for n, p in requests_ if n in wanted]
    data["targets"] = targets

    # The benchmark bumps the content version itself (as a content edit would) before each cold
    # request, through the same settings as the servers.
    os.environ.update(server_env(args))
    os.environ["DJANGO_SETTINGS_MODULE"] = "inlogov.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from inlogov.caching import bump_content_version

    def bump():
        bump_content_version()
        connection.close()  # hold no idle connection between requests

    server_log = RESULTS / f"{stamp}-gunicorn.log"
    log(f"gunicorn with {args.workers} workers, page cache on (log: {server_log.name})")
    server = Server(args, page_cache=True, log_path=server_log)
    try:
        data["requests"] = measure(server, requests_, args, bump)
        if not args.no_concurrency:
            for path in mixed:
                fetch(server.port, path)
            data["concurrency_warm"] = concurrency(server, mixed, args, "warm (page cache on)")
    finally:
        server.stop()
    if not args.no_concurrency:
        log("gunicorn again with the page cache off, for the cold concurrent run")
        server = Server(args, page_cache=False, log_path=server_log)
        try:
            data["concurrency_cold"] = concurrency(server, mixed, args, "cold (page cache off)")
        finally:
            server.stop()

    data["load_average_at_end"] = os.getloadavg()
    data["machine"]["host_speed_ms_at_end"] = host_speed()
    print_table(data["requests"])
    print(f"host speed (fixed Python work, lower is faster): {data['machine']['host_speed_ms_at_start']} ms "
          f"at the start, {data['machine']['host_speed_ms_at_end']} ms at the end")
    for key in ("concurrency_cold", "concurrency_warm"):
        if key in data:
            c = data[key]
            print(f"{c['label']:32} {c.get('requests_per_second')} requests/s with {c['connections']} "
                  f"connections for {c['seconds']} s (p50 {c.get('p50', '-')}, p99 {c.get('p99', '-')}, "
                  f"non-2xx {c['non_2xx']})")
    out = RESULTS / f"{stamp}.json"
    out.write_text(json.dumps(data, indent=2))
    print(f"\nJSON: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
