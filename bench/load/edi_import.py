#!/usr/bin/env python3
"""A 10,000-container bay plan imported end to end (issue 6: < 1 s): `minato edi import` as an
operator runs it — the process starts, opens the data directory, takes the file in (quarantine,
SHA-256, type check, a real clamd scan over its socket, the intake record), parses and maps it,
and creates the 10,000 units of the visit's discharge list in one audited transaction. Timed
from the outside (wall clock of the whole command), a few runs, each into a fresh visit.
Reference in the same run: the same command on a one-container bay plan (what the fixed costs
of a run are).

  bench/load/edi_import.py --binary build/release/minato [--units 10000] [--runs 3]
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration"))
import harness  # noqa: E402


def bay_plan(visit_no, units):
    """A BAPLIE of `units` containers discharging at JPNGO, valid ISO 6346 numbers."""
    seg = ["UNB+UNOA:2+BENCH+MINATO+261126:1200+%d" % visit_no,
           "UNH+1+BAPLIE:D:95B:UN:SMDG22", "BGM++%d+9" % visit_no,
           "TDT+20+%03dE+++ONE:172:20+++9321483:146::ONE HARMONY" % visit_no,
           "LOC+5+CNSHA:139:6"]
    for i in range(units):
        bay, row, tier = 1 + (i // 400) % 99, (i // 20) % 20, 2 + i % 20
        owner = "B" + chr(ord("A") + visit_no // 26 % 26) + chr(ord("A") + visit_no % 26)
        cid = harness.container_id(owner, 100000 + i)
        seg += ["LOC+147+%03d%02d%02d::5" % (bay, row, tier), "MEA+WT++KGM:%d" % (8000 + i % 20000),
                "LOC+9+CNSHA:139:6", "LOC+11+JPNGO:139:6",
                "EQD+CN+%s+%s+++5" % (cid, "45G1" if i % 3 else "22G1"), "NAD+CA+ONE:172:20"]
    n = len(seg) - 1 + 1  # UNH .. UNT
    seg += ["UNT+%d+1" % n, "UNZ+1+%d" % visit_no]
    return ("'\n".join(seg) + "'\n").encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--units", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    harness.MINATO = os.path.abspath(a.binary)
    clamd = harness.Clamd().start()
    data = harness.DataDir({"clamd": f'"{clamd.address}"', "signature_age_action": '"warn"',
                            "locode": '"JPNGO"'})
    server = harness.Server(data).start()
    try:
        planner = server.client()
        secret = data.add_user("pia", ["planner"])
        assert planner.login("pia", harness.USER_PASSWORD, secret).status == 201
        rows = []
        for run_no in range(a.runs):
            for units in (1, a.units):
                visit = "BENCH%d%s" % (run_no, "S" if units == 1 else "L")
                r = planner.request("POST", "/api/v1/vessel-visits", {
                    "id": visit, "vessel_name": "ONE HARMONY", "imo": "9321483",
                    "berth": "B%d" % (run_no * 2 + (units > 1)),
                    "eta": "2026-12-01T06:00:00Z", "etd": "2026-12-02T06:00:00Z"})
                assert r.status == 201, r
                path = os.path.join(data.root, visit + ".edi")
                with open(path, "wb") as f:
                    f.write(bay_plan(run_no * 2 + (units > 1) + 1, units))
                t0 = time.perf_counter()
                out = harness.run(["edi", "import", path, "--data", data.path, "--visit", visit,
                                   "--json"])
                dt = time.perf_counter() - t0
                rep = json.loads(out.stdout)
                assert rep["created"] == units, rep["created"]
                rows.append((run_no + 1, units, os.path.getsize(path), dt))
        print("| run | containers | file | `minato edi import` wall time |")
        print("|---|---|---|---|")
        for run_no, units, size, dt in rows:
            print(f"| {run_no} | {units:,} | {size / 1e6:.2f} MB | {dt * 1000:.0f} ms |")
    finally:
        server.stop()
        data.cleanup()
        clamd.cleanup()


if __name__ == "__main__":
    sys.exit(main())
