"""Every benchmark for one data size, on the database in DATABASE_URL (made
by bench.generate), with the results written to bench/results/<name>.json:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/send_bench_2k .venv/bin/python -m bench.run --name school-2k

- the SEN information report PDF as the worker renders it (target < 5 s at 2,000 pupils);
- the daily reminder sweep, timed and its queries counted (target < 30 s at 100,000 pupils,
  a number of queries that does not grow with the data);
- an import of 2,000 MIS rows: a new school's file and a re-import with changes (target < 10 s);
- the HTTP pages (bench/http.py): throughput, latency and the web worker's memory.

The task benchmarks run inside transactions that are rolled back, so the data
set stays as generated and a run can be repeated. `--skip-http` leaves out
the pages; `--only pdf,reminders,import` picks task benchmarks.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    from django.db import transaction

    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


@contextmanager
def measured(result: dict):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        yield
        result["seconds"] = round(time.perf_counter() - started, 3)
        # This process's CPU time: what the machine's other load does not inflate
        # (the database's own time is in "seconds" only).
        result["cpu_seconds"] = round(time.process_time() - cpu, 3)
    result["queries"] = len(queries.captured_queries)


def bench_pdf() -> dict:
    """The SEN information report for the current year, rendered as the PDF
    worker does (send_register.pdf.render_pdf_bytes)."""
    from accounts.models import User
    from reports.pdfs import REPORT_KIND
    from reports.services import report_start
    from send_register.calendar import academic_year_containing
    from send_register.pdf import render_pdf_bytes
    from django.utils import timezone

    cold, warm = {}, {}
    with rolled_back():
        senco = User.objects.get(email="senco@bench.example.org")
        report = report_start(academic_year=academic_year_containing(timezone.localdate()), by=senco)
        # The first PDF in a process also imports WeasyPrint and loads its
        # fonts (about 3.5 s here); a Celery worker pays that once.
        with measured(cold):
            render_pdf_bytes(REPORT_KIND, report.pk)
        with measured(warm):
            data = render_pdf_bytes(REPORT_KIND, report.pk)
        warm["bytes"] = len(data)
    return {"first_in_process": cold, "warm_worker": warm}


def bench_reminders() -> dict:
    """The daily sweep (reviews.reminders.send_due_reminders, what the Celery
    task runs), then the same day again (sends nothing: the idempotent path)."""
    from django.utils import timezone

    from reviews.reminders import send_due_reminders

    first, second = {}, {}
    today = timezone.localdate()
    with rolled_back():
        with measured(first):
            first["digests"] = send_due_reminders(today=today)
        with measured(second):
            second["digests"] = send_due_reminders(today=today)
    return {"first_run": first, "second_run": second}


def _mis_csv(rows: list[dict]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _row(upn, first, last, dob, sex, year, form, sen="", need=""):
    return {"UPN": upn, "Legal Forename": first, "Legal Surname": last, "Date of Birth": dob.strftime("%d/%m/%Y"),
            "Sex": sex, "NC Year": year, "Reg Group": form, "SEN Provision": sen, "Primary Need": need}


def bench_import(count: int = 2000) -> dict:
    """2,000 MIS rows through pupils.importer (parse, plan, apply): a new
    school's first file (every row a new pupil, a fifth on the register), and a
    re-import of the school's own pupils with 5% of them changed."""
    import random
    from datetime import date

    from accounts.models import User
    from pupils.importer import import_text
    from pupils.models import Pupil
    from pupils.upn import make_upn

    rng = random.Random(11)
    senco = User.objects.get(email="senco@bench.example.org")
    new_rows = []
    for n in range(count):
        roll = rng.random()
        sen, need = ("E", "ASD") if roll < 0.03 else ("K", "SPLD") if roll < 0.19 else ("", "")
        new_rows.append(_row(make_upn(n, la="831", establishment="9999", year="40"), "Alex", f"Imported{n % 97}",
                             date(2016, 1, 1 + n % 28), "F" if n % 2 else "M", "4", f"4-I{n % 60:02d}", sen, need))
    existing = list(Pupil.objects.filter(leaving_date__isnull=True).select_related("form").order_by("pk")[:count])
    again = []
    for i, p in enumerate(existing):
        changed = i % 20 == 0
        again.append(_row(p.upn, p.legal_first_name, p.legal_last_name + ("-Smith" if changed else ""), p.date_of_birth,
                          p.sex, p.year_group, p.form.name if p.form else "", p.sen_status if p.sen_status in ("K", "E") else "",
                          (p.primary_need.need_type_id if p.primary_need else "") if p.sen_status in ("K", "E") else ""))
    results = {}
    for label, rows in (("new_pupils", new_rows), ("reimport_5pc_changed", again)):
        if not rows:
            continue
        out = {"rows": len(rows)}
        with rolled_back():
            with measured(out):
                parsed, plan, counts = import_text(_mis_csv(rows), user=senco, commit=True)
            out["ok"] = bool(parsed.ok)
            out["counts"] = counts if counts is None else {k: v for k, v in counts.items() if isinstance(v, int)}
            if not parsed.ok:
                out["header_errors"] = parsed.header_errors
                out["first_row_errors"] = sorted({e for r in parsed.rows_with_errors[:50] for e in r.errors})
        results[label] = out
    return results


TASKS = {"pdf": bench_pdf, "reminders": bench_reminders, "import": bench_import}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", required=True, help="like school-2k: names bench/results/<name>.json")
    parser.add_argument("--only", default="pdf,reminders,import")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()

    from .http import ENV

    os.environ.update(ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "send_register.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # the data set may predate the newest migrations
    from pupils.models import ON_REGISTER, Pupil

    results = {"pupils": Pupil.objects.count(), "on_register": Pupil.objects.filter(sen_status__in=ON_REGISTER).count(),
               "cpus": os.cpu_count()}
    for name in [n for n in args.only.split(",") if n]:
        started = time.perf_counter()
        results[name] = TASKS[name]()
        print(f"{name}: {json.dumps(results[name])} ({time.perf_counter() - started:.1f}s wall)", flush=True)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"{args.name}-tasks.json"
    # --only some: keep the other benchmarks' last results beside the new ones.
    earlier = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**earlier, **results}, indent=2, default=str))
    if not args.skip_http:
        subprocess.run([sys.executable, "-m", "bench.http", "--name", args.name, "--seconds", str(args.seconds)],
                       cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
