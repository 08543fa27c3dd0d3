"""HTTP benchmarks: pages of the real app behind gunicorn (2 workers), signed
in, under 20 concurrent connections from wrk on loopback, beside the
yardstick measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/send_bench_2k .venv/bin/python -m bench.http --seconds 15

Needs Debian's wrk. Prints a Markdown table and writes bench/results/<name>.json.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "benchmark-only-secret-key-" + "b" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
    "AXES_ENABLED": "false",
}


def _session_cookie(email: str) -> str:
    """A signed-in, MFA-verified session for `email`, made as the sign-in would."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from accounts.devices import AuthenticatorDevice

    from accounts.models import User

    user = User.objects.get(email=email)
    device, _ = AuthenticatorDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.set_expiry(24 * 3600)
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _serve(port: int, settings_module: str, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "send_register.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-level", "warning"],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": settings_module},
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz" if "yardstick" not in settings_module else f"http://127.0.0.1:{port}/rows/1/", timeout=1)
            return process
        except Exception:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"gunicorn on {port} did not start")


def _wrk(url: str, cookie: str, seconds: int, connections: int = 20) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "20s", "--latency", "-s", str(ROOT / "bench" / "report.lua"),
         "-H", f"Cookie: {cookie}", url],
        capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _rss_mb(process: subprocess.Popen) -> float:
    """Resident memory of the gunicorn workers (the largest one), from /proc."""
    sizes = []
    for child in Path("/proc").iterdir():
        try:
            if child.name.isdigit() and (child / "stat").read_text().split()[3] == str(process.pid):
                for line in (child / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) / 1024)
        except (OSError, IndexError):
            continue
    return max(sizes) if sizes else 0.0


def _cpu_of(pids) -> dict:
    """CPU seconds (user + system) used so far by each process in `pids`."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            out[pid] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return out


def _worker_pids(process: subprocess.Popen) -> list[int]:
    pids = []
    for child in Path("/proc").iterdir():
        try:
            if child.name.isdigit() and (child / "stat").read_text().rsplit(")", 1)[1].split()[1] == str(process.pid):
                pids.append(int(child.name))
        except (OSError, IndexError):
            continue
    return pids


def _db_backend_pids() -> list[int]:
    """The PostgreSQL backends serving this benchmark's database (the web
    workers keep their connections: CONN_MAX_AGE)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return [row[0] for row in cursor.fetchall()]


def _cpu_used(before: dict, pids) -> float:
    now = _cpu_of(pids)
    return sum(now[p] - before.get(p, 0.0) for p in now)


def _wait_until_idle(servers, limit: float = 120.0) -> None:
    """Wait for requests still queued from the last run to finish: when wrk
    stops, a slow page (the yardstick's 20,786 rows) leaves up to 20 requests
    in the workers, and their CPU would be charged to the next page measured."""
    pids = [pid for server in servers for pid in _worker_pids(server)]
    deadline = time.monotonic() + limit
    before = _cpu_of(pids)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = _cpu_of(pids)
        if sum(now[p] - before.get(p, 0.0) for p in now) < 0.05:
            return
        before = now


def benchmark_pages(pupil_id: int, register_rows: int) -> list[tuple[str, str, str, str]]:
    """(label, server, path, who) for every page measured. The CI smoke test
    (tests/bench) requests the same list, so the benchmarks keep working."""
    return [
        ("yardstick: 50 rows", "yardstick", "/rows/50/", "senco"),
        ("register, first page (50 rows)", "app", "/pupils/register/", "senco"),
        # A filtered register is worked out on every request (only the register
        # as it opens is kept in the data cache): the uncached cost.
        ("register, filtered: SEN support (50 rows, not cached)", "app", "/pupils/register/?status=K", "senco"),
        (f"yardstick: {register_rows} rows", "yardstick", f"/rows/{register_rows}/", "senco"),
        (f"register, all rows for printing ({register_rows})", "app", "/pupils/register/?per_page=all", "senco"),
        ("pupil page", "app", f"/pupils/{pupil_id}/", "senco"),
        ("due and overdue", "app", "/reviews/due/", "senco"),
        ("governors' dashboard", "app", "/reports/governors/", "governor"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--name", default="school")
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument("--only", default="", help="measure only the pages whose label contains this text (e.g. register)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("Install Debian's wrk first (apt-get install wrk).")
    env = {**os.environ, **ENV}
    os.environ.update(ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "send_register.settings")
    cookie = _session_cookie("senco@bench.example.org")
    governor_cookie = _session_cookie("governor@bench.example.org")
    from pupils.models import ON_REGISTER, Pupil

    pupil_id = Pupil.objects.filter(sen_status__in=ON_REGISTER).order_by("pk").values_list("pk", flat=True)[10]
    register_rows = Pupil.objects.filter(sen_status__in=ON_REGISTER, leaving_date__isnull=True).count()
    base = f"http://127.0.0.1:{args.port}"
    yard = f"http://127.0.0.1:{args.port + 1}"
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    app = _serve(args.port, "send_register.settings", env)
    yardstick = _serve(args.port + 1, "bench.yardstick_settings", env)
    pages = [
        (label, (yard if where == "yardstick" else base) + path, governor_cookie if who == "governor" else cookie)
        for label, where, path, who in benchmark_pages(pupil_id, register_rows)
        if not args.only or args.only in label or where == "yardstick"
    ]
    results = []
    try:
        for label, url, page_cookie in pages:
            try:
                status = urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": page_cookie}), timeout=60).status
            except (urllib.error.URLError, TimeoutError) as exc:
                # A page that fails or times out (gunicorn's 30 s) is recorded, not measured.
                failed = {"label": label, "url": url.replace(base, "").replace(yard, "[yardstick]"), "failed": str(exc)[:80],
                          "rps": 0.0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "errors": 1, "non_2xx": 0, "requests": 0,
                          "web_cpu_ms": 0.0, "db_cpu_ms": 0.0}
                results.append(failed)
                print(f"{label}: FAILED ({failed['failed']})", flush=True)
                continue
            server = yardstick if url.startswith(yard) else app
            _wait_until_idle((app, yardstick))
            workers = _worker_pids(server)
            before_web, before_db = _cpu_of(workers), _cpu_of(_db_backend_pids())
            result = _wrk(url, page_cookie, args.seconds)
            # CPU per request, of the web workers and of their database
            # backends: what the machine's other load does not inflate much.
            done = max(result["requests"], 1)
            result["web_cpu_ms"] = round(1000 * _cpu_used(before_web, workers) / done, 1)
            result["db_cpu_ms"] = round(1000 * _cpu_used(before_db, _db_backend_pids()) / done, 1)
            result.update(label=label, url=url.replace(base, "").replace(yard, "[yardstick]"), status=status)
            results.append(result)
            print(f"{label}: {result['rps']:.0f} req/s, p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, "
                  f"CPU/request web {result['web_cpu_ms']} ms + db {result['db_cpu_ms']} ms", flush=True)
        memory = _rss_mb(app)
    finally:
        for process in (app, yardstick):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{args.name}.json").write_text(json.dumps({"pages": results, "worker_rss_mb": memory}, indent=2))
    print(f"\n| page | req/s | p50 ms | p95 ms | errors | web CPU ms/req | db CPU ms/req |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['label']} | {r['rps']:.0f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['errors'] + r['non_2xx']} "
              f"| {r['web_cpu_ms']} | {r['db_cpu_ms']} |")
    print(f"\nLargest web worker: {memory:.0f} MB resident")


if __name__ == "__main__":
    main()
