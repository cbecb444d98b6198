#!/usr/bin/env python3
"""Resident memory of `minato serve` with a million units (issue 5), against the same server on
the demo terminal alone (about 17,000 units), measured in the same run.

1. `minato demo` creates and loads the demo terminal (sim/scenario.h); it is served and its
   resident memory read from /proc (VmRSS, and its anonymous and file-mapped parts) after start
   and after a 15 s mixed load (bench/wrk/mixed.lua) — the reference.
2. `bench/populate_units` adds 1,000,000 more units through the write path (each audited); the
   server is started again on that store and measured the same way.

Usage: bench/load/rss_million.py [--binary build/release/minato] [--units 1000000]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_terminal import DemoTerminal  # noqa: E402
HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, "..", "wrk", "mixed.lua")


def rss(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
                out[k] = int(v.split()[0]) // 1024  # MiB
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/release/minato")
    ap.add_argument("--units", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=int, default=15)
    args = ap.parse_args()
    os.environ["MINATO_BIN"] = os.path.abspath(args.binary)
    import harness  # noqa: E402
    populate = os.path.join(os.path.dirname(os.path.abspath(args.binary)), "bench",
                            "populate_units")
    root = tempfile.mkdtemp(prefix="minato-rss-")
    try:
        D = DemoTerminal(harness.MINATO, root)
        data = D.path
        password, secret = D.password, D.secret

        def measure(label, run):
            server = harness.Server(D).start(timeout=300)
            try:
                time.sleep(2)
                start = rss(server.proc.pid)
                c = server.client()
                r = c.login("operator", password, secret)
                assert r.status == 201, r
                env = dict(os.environ, MINATO_COOKIE=c.cookie, MINATO_CSRF=c.csrf,
                           MINATO_YARD_UNITS="9000", MINATO_RUN=str(run))
                subprocess.run(["wrk", "-t2", "-c32", f"-d{args.seconds}s", "-s", LUA,
                                f"https://127.0.0.1:{server.port}/"], env=env,
                               capture_output=True, check=True, timeout=args.seconds + 60)
                loaded = rss(server.proc.pid)
            finally:
                server.stop()
            db = sum(os.path.getsize(os.path.join(data, f)) for f in os.listdir(data)
                     if f.startswith("minato.db"))
            print(f"| {label} | {db / 2**20:,.0f} MiB | {start['VmRSS']} MiB "
                  f"(anon {start['RssAnon']}, file {start['RssFile']}) | {loaded['VmRSS']} MiB "
                  f"(anon {loaded['RssAnon']}, file {loaded['RssFile']}) | "
                  f"{loaded['VmHWM']} MiB |", flush=True)

        print(f"| store | database | RSS after start | RSS after {args.seconds} s mixed load | peak |")
        print("|---|---|---|---|---|")
        measure("demo terminal (reference)", 0)
        t0 = time.time()
        subprocess.run([populate, "--data", data, "--units", str(args.units)], check=True)
        print(f"(populated {args.units:,} units in {time.time() - t0:.0f} s)", file=sys.stderr)
        # The next login needs a fresh TOTP step.
        time.sleep(max(0, 31 - (time.time() % 30)))
        measure(f"demo + {args.units:,} units", 1)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
