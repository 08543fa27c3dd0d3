"""Where a page's time goes: request it through the whole middleware stack
(DEBUG off, a signed-in session as in bench.http) a number of times in one
process and print the CPU time per request, the queries, and the functions
that cost most (cProfile).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/send_bench_2k .venv/bin/python -m bench.profile /pupils/register/
    ... -m bench.profile /reports/governors/ --as governor@bench.example.org --top 40

Use it to find what to change; bench.http measures the result.
"""

import argparse
import cProfile
import os
import pstats
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--as", dest="email", default="senco@bench.example.org")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--queries", action="store_true", help="print the SQL of one request")
    args = parser.parse_args()

    from bench.http import ENV, _session_cookie

    os.environ.update(ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "send_register.settings")
    cookie = _session_cookie(args.email)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    name, value = cookie.split("=", 1)
    client.cookies[name] = value
    for _ in range(3):  # warm the caches (templates, URL resolver, connection)
        response = client.get(args.path)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(args.path)
    if args.queries:
        for q in queries.captured_queries:
            print(f"{q['time']}s {q['sql'][:300]}")
    # The least CPU of five batches: other processes on the machine inflate
    # CPU time (shared caches, frequency), never deflate it.
    batches = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(args.repeat):
            client.get(args.path)
        batches.append(1000 * (time.process_time() - started) / args.repeat)
    print(f"{args.path}: {min(batches):.1f} ms of CPU a request (this process; least of 5 batches of {args.repeat}, "
          f"median {sorted(batches)[2]:.1f}), {len(queries)} queries, {len(response.content) // 1024} KB")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.repeat):
        client.get(args.path)
    profiler.disable()
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
