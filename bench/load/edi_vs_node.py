#!/usr/bin/env python3
"""EDIFACT throughput (issue 6): Minato's tokenizer and BAPLIE mapping against npm's `edifact`
1.2 parser (encoding UNOC) on the same >= 100 MB file, made by repeating the largest test file,
in the same run. Prints a Markdown table for docs/performance.md.

  bench/load/edi_vs_node.py --build build/release [--mb 100] [--file tests/data/edi/X.edi]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NODE_DIR = os.path.join(ROOT, "bench", "edi-node")


def largest_test_file():
    d = os.path.join(ROOT, "tests", "data", "edi")
    files = [os.path.join(d, f) for f in os.listdir(d) if f.endswith(".edi")]
    return max(files, key=os.path.getsize)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--mb", type=int, default=100)
    ap.add_argument("--file", default=None)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    src = a.file or largest_test_file()
    with open(src, "rb") as f:
        one = f.read()
    work = tempfile.mkdtemp(prefix="minato-edi-bench-")
    big = os.path.join(work, "big.edi")
    with open(big, "wb") as f:
        written = 0
        while written < a.mb * 1_000_000:
            f.write(one)
            written += len(one)
    if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "edifact")):
        subprocess.run(["npm", "install", "--no-package-lock", "--no-audit", "--no-fund"],
                       cwd=NODE_DIR, check=True, stdout=subprocess.DEVNULL)
    node = json.loads(subprocess.run(["node", os.path.join(NODE_DIR, "parse.js"), big,
                                      str(a.runs)], check=True, capture_output=True,
                                     text=True).stdout)
    out = subprocess.run([os.path.join(a.build, "bench", "edi_bench"), f"--edi_file={src}",
                          f"--edi_mb={a.mb}", "--benchmark_format=json"],
                         check=True, capture_output=True, text=True).stdout
    rows = json.loads(out)["benchmarks"]
    print(f"file: {os.path.basename(src)} x {written // len(one)} = {written / 1e6:.1f} MB")
    print("| | MB/s | × npm edifact |")
    print("|---|---|---|")
    ref = node["mb_per_s"]
    print(f"| npm edifact 1.2.12 (UNOC), segments+components | {ref:,.0f} | 1.0 |")
    for r in rows:
        mbs = r["bytes_per_second"] / 1e6
        name = r["name"].split("/")[0].replace("BM_", "")
        print(f"| Minato {name} | {mbs:,.0f} | {mbs / ref:.1f} |")
    print(f"(npm: {node['segments']:,} segments, {node['components']:,} components; "
          f"node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()})")
    os.unlink(big)
    os.rmdir(work)


if __name__ == "__main__":
    sys.exit(main())
