#!/usr/bin/env python3
"""The compliance report of the demo terminal (issue 21): how long `minato compliance report`
takes in each format and language — every check run on the live data (including the whole audit
tree recomputed against its newest checkpoint for G2.7.3-d), the report recorded with a
checkpoint signed at once, rendered and signed — against the same-run reference `minato audit
verify` on the same data directory. Target: ≤ 2 s per report.

    bench/load/compliance_report.py --binary build/release/minato [--runs 5]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def timed(args):
    t = time.monotonic()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - t


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default="build/release/minato")
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    root = tempfile.mkdtemp(prefix="minato-compliance-bench-")
    try:
        data = os.path.join(root, "demo")
        subprocess.run([a.binary, "demo", "--data", data, "--no-serve", "--json"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        events = subprocess.run([a.binary, "audit", "verify", "--data", data], check=True,
                                capture_output=True, text=True).stdout.strip().splitlines()[-1]
        print(f"== demo terminal: {events}")
        ref = [timed([a.binary, "audit", "verify", "--data", data]) for _ in range(a.runs)]
        print(f"{'audit verify (reference)':32} median {statistics.median(ref):6.3f} s"
              f"  max {max(ref):6.3f} s")
        worst = 0.0
        for fmt in ("json", "html", "oscal", "pdf"):
            for lang in ("ja", "en"):
                runs = []
                for n in range(a.runs):
                    out = os.path.join(root, f"r-{fmt}-{lang}-{n}")
                    runs.append(timed([a.binary, "compliance", "report", "--data", data,
                                       "--lang", lang, "--format", fmt, "--out", out]))
                worst = max(worst, max(runs))
                print(f"{'report ' + fmt + ' ' + lang:32} median {statistics.median(runs):6.3f} s"
                      f"  max {max(runs):6.3f} s  ({os.path.getsize(out):,} bytes)")
        print(f"worst report {worst:.3f} s; target 2 s: {'met' if worst <= 2 else 'MISSED'}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
