#!/usr/bin/env python3
"""Mixed terminal API load over TLS keep-alive (issue 5) against nginx from Debian serving a
static 1 KB JSON over TLS, with the same client (wrk), the same certificate, on the same
machine, alternating in one run.

Minato: the demo terminal (sim/scenario.h: 30,000 TEU about half full, three vessel visits, a
day of appointments), logged in as its operator; bench/wrk/mixed.lua sends 80% lookups (a unit
by container number, now and then the yard occupancy) and 20% gate transactions (an empty
gated in, then out), each gate transaction durable (fsynced) before it is answered.
nginx: `nginx -g 'daemon off;'` with worker_processes auto, TLS 1.3, the demo's certificate and
key, keep-alive without a request limit, access log off, one 1,024-byte JSON file.

Usage: bench/load/mixed_vs_nginx.py [--binary build/release/minato] [--seconds 15] [--runs 3]
       [--connections 32] [--threads 2]
Prints one row per run for docs/performance.md.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_terminal import DemoTerminal  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, "..", "wrk", "mixed.lua")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_wrk(out):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p = {}
    for q, v, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M):
        p[q] = float(v) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": p.get("50"), "p99": p.get("99"),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "errors": errors.group(1).strip() if errors else ""}


def wrk(url, seconds, threads, connections, script=None, env=None):
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        args += ["-s", script]
    proc = subprocess.run(args + [url], capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})), timeout=seconds + 60)
    if proc.returncode != 0:
        raise SystemExit("wrk failed: " + proc.stderr)
    return parse_wrk(proc.stdout), proc.stdout + proc.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/release/minato")
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--worker-threads", type=int, default=0,
                    help="server.worker_threads for Minato (0: the default)")
    args = ap.parse_args()
    os.environ["MINATO_BIN"] = os.path.abspath(args.binary)
    import harness  # noqa: E402  (reads MINATO_BIN)

    root = tempfile.mkdtemp(prefix="minato-mixed-")
    nginx = None
    server = None
    try:
        # 1. The demo terminal, served again with the run's settings.
        D = DemoTerminal(harness.MINATO, root)
        data = D.path
        password, secret = D.password, D.secret
        # The limit per source stays as shipped unless the run asks for more connections.
        settings = {"max_connections_per_source": str(max(32, args.connections))}
        if args.worker_threads:
            settings["worker_threads"] = str(args.worker_threads)
        D.set_config(settings)
        server = harness.Server(D).start(timeout=120)
        c = server.client()
        r = c.login("operator", password, secret)
        assert r.status == 201, r
        probe = c.request("GET", "/api/v1/units/" + harness.container_id("ONE", 100000))
        assert probe.status == 200, probe

        # 2. nginx with the same certificate and a 1,024-byte JSON document.
        www = os.path.join(root, "www")
        os.makedirs(www)
        doc = json.dumps(probe.json, separators=(",", ":"))
        doc = doc[:-1] + ',"pad":"' + "x" * max(0, 1024 - len(doc) - 10) + '"}'
        doc = doc[:1024] if len(doc) > 1024 else doc
        with open(os.path.join(www, "unit.json"), "w") as f:
            f.write(doc)
        nport = free_port()
        conf = os.path.join(root, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""
user root;
worker_processes auto;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 30s;
  types {{ application/json json; }}
  client_body_temp_path {root}/tmp;
  proxy_temp_path {root}/tmp;
  fastcgi_temp_path {root}/tmp;
  uwsgi_temp_path {root}/tmp;
  scgi_temp_path {root}/tmp;
  server {{
    listen 127.0.0.1:{nport} ssl;
    ssl_certificate {D.cert};
    ssl_certificate_key {os.path.join(data, 'tls', 'key.pem')};
    ssl_protocols TLSv1.3;
    root {www};
  }}
}}
""")
        os.makedirs(os.path.join(root, "tmp"))
        nginx = subprocess.Popen(["nginx", "-c", conf, "-p", root, "-g", "daemon off;"],
                                 stderr=subprocess.PIPE, text=True)
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", nport), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        env = {"MINATO_COOKIE": c.cookie, "MINATO_CSRF": c.csrf, "MINATO_YARD_UNITS": "9000"}
        print(f"| run | Minato req/s | p50 | p99 | non-2xx | nginx req/s | p50 | p99 | ratio |")
        print("|---|---|---|---|---|---|---|---|---|")
        for run in range(1, args.runs + 1):
            mi, raw_m = wrk(f"https://127.0.0.1:{server.port}/", args.seconds, args.threads,
                            args.connections, LUA, dict(env, MINATO_RUN=str(run)))
            ng, raw_n = wrk(f"https://127.0.0.1:{nport}/unit.json", args.seconds, args.threads,
                            args.connections)
            print(f"| {run} | {mi['rps']:,.0f} | {mi['p50']:.2f} ms | {mi['p99']:.2f} ms | "
                  f"{mi['non2xx']} {mi['errors']} | {ng['rps']:,.0f} | {ng['p50']:.2f} ms | "
                  f"{ng['p99']:.2f} ms | {mi['rps'] / ng['rps']:.2f} |", flush=True)
            if mi["non2xx"]:
                print(raw_m, file=sys.stderr)
        gates = c.request("GET", "/api/v1/gate/turn-times").status
        assert gates == 200
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait(timeout=30)
        if server:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
