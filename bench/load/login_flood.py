#!/usr/bin/env python3
"""Unit lookups under a login flood (issue 3): p50/p99 of `GET /api/v1/units/{id}` alone (the
reference) and while other clients send ~1,000 failed login attempts per second, measured in
the same run against a real `minato serve` over TLS on loopback.

The flood is paced (4 processes x 250 attempts/s on keep-alive connections, wrong passwords
for random names, as a password-spraying attack from many addresses would be: the per-source
block is lifted for the run so the flood keeps reaching the Argon2id pool). Prints a table for
docs/performance.md.

The flood is offered, not closed-loop: 4 processes x 25 connections, each paced; a login
waits for Argon2id, so attempts beyond what the bounded login pool holds are answered 429 at
once, and the offered rate is reached only with that many connections.

Usage: bench/load/login_flood.py [--binary build/release/minato] [--seconds 15] [--rate 1000]
"""
import argparse
import http.client
import json
import multiprocessing
import os
import random
import ssl
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration"))
import harness  # noqa: E402


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else float("nan")


def connect(port, cert):
    ctx = ssl.create_default_context(cafile=cert)
    return http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)


def flood(port, cert, rate, seconds, out, threads):
    """`threads` paced senders on their own keep-alive connections (a login waits for its
    answer, so one connection alone cannot offer more than the server's login throughput)."""
    import threading
    results = []

    def worker():
        results.append(flood_one(port, cert, rate / threads, seconds))
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    statuses = {}
    for _, st, _ in results:
        for k, v in st.items():
            statuses[k] = statuses.get(k, 0) + v
    out.put((sum(r[0] for r in results), statuses, max(r[2] for r in results)))


def flood_one(port, cert, rate, seconds):
    conn = connect(port, cert)
    sent, statuses = 0, {}
    start = time.monotonic()
    rng = random.Random(os.getpid())
    while True:
        now = time.monotonic()
        if now - start >= seconds:
            break
        due = start + sent / rate
        if due > now:
            time.sleep(due - now)
        body = json.dumps({"username": f"user{rng.randrange(10000)}", "password": "Wrong#Pass123",
                           "totp": "000000"})
        try:
            conn.request("POST", "/api/v1/session", body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            statuses[r.status] = statuses.get(r.status, 0) + 1
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = connect(port, cert)
        except (OSError, http.client.HTTPException):
            statuses["error"] = statuses.get("error", 0) + 1
            conn.close()
            conn = connect(port, cert)
        sent += 1
    return sent, statuses, time.monotonic() - start


def lookups(port, cert, cookie, path, seconds):
    conn = connect(port, cert)
    lat, bad = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie})
        r = conn.getresponse()
        r.read()
        lat.append((time.perf_counter() - t0) * 1000)
        bad += r.status != 200
        time.sleep(0.01)
    conn.close()
    return lat, bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/release/minato")
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--rate", type=int, default=1000)
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--threads", type=int, default=25, help="connections per process")
    ap.add_argument("--tool", choices=["python", "wrk"], default="python",
                    help="python: paced flood at --rate; wrk: as fast as wrk can (unpaced)")
    a = ap.parse_args()
    harness.MINATO = os.path.abspath(a.binary)
    data = harness.DataDir({"source_failure_threshold": 10000,
                            "max_connections_per_source": 1000})
    secret = data.add_user("planner", ["planner"])
    server = harness.Server(data).start()
    try:
        c = server.client()
        assert c.login("planner", harness.USER_PASSWORD, secret).status == 201
        cid = harness.container_id("ONE", 4242)
        r = c.request("POST", "/api/v1/units", {"container_id": cid, "size_type": "45G1",
                                                "category": "import", "freight": "full",
                                                "line_operator": "ONE", "gross_kg": 20000})
        assert r.status == 201, r
        path = f"/api/v1/units/{cid}"
        ref, ref_bad = lookups(server.port, data.cert, c.cookie, path, a.seconds)

        if a.tool == "wrk":
            import subprocess
            script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "login.lua")
            wrk = subprocess.Popen(["wrk", "-t", "1", "-c", "50", "-d", f"{a.seconds}s", "-s",
                                    script, f"https://127.0.0.1:{server.port}/api/v1/session"],
                                   stdout=subprocess.PIPE, text=True)
            time.sleep(1)
            hot, hot_bad = lookups(server.port, data.cert, c.cookie, path, a.seconds - 2)
            out = wrk.communicate(timeout=a.seconds + 60)[0]
            sent, took = 0, float(a.seconds)
            for line in out.splitlines():
                if "requests in" in line:
                    sent = int(line.split()[0])
                    took = float(line.split("in ")[1].split("s")[0])
            statuses = {"wrk": " ".join(l.strip() for l in out.splitlines()
                                        if "Non-2xx" in l or "Socket errors" in l)}
        else:
            q = multiprocessing.Queue()
            procs = [multiprocessing.Process(target=flood, args=(server.port, data.cert,
                                                                 a.rate / a.procs, a.seconds, q,
                                                                 a.threads))
                     for _ in range(a.procs)]
            for p in procs:
                p.start()
            time.sleep(1)  # let the flood reach its pace
            hot, hot_bad = lookups(server.port, data.cert, c.cookie, path, a.seconds - 2)
            results = [q.get() for _ in procs]
            for p in procs:
                p.join()
            sent = sum(r[0] for r in results)
            took = max(r[2] for r in results)
            statuses = {}
            for _, st, _ in results:
                for k, v in st.items():
                    statuses[k] = statuses.get(k, 0) + v
        print(f"machine: {os.cpu_count()} cores; {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}")
        print(f"login flood: {sent} attempts in {took:.1f} s = {sent / took:.0f}/s; answers {statuses}")
        print("| unit lookup | n | p50 ms | p90 ms | p99 ms | max ms | not 200 |")
        print("|---|---|---|---|---|---|---|")
        for name, lat, bad in (("alone (reference)", ref, ref_bad),
                               (f"during the flood", hot, hot_bad)):
            print(f"| {name} | {len(lat)} | {percentile(lat, 50):.1f} | {percentile(lat, 90):.1f} | "
                  f"{percentile(lat, 99):.1f} | {max(lat):.1f} | {bad} |")
    finally:
        server.stop()
        data.cleanup()


if __name__ == "__main__":
    main()
