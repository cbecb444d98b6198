#!/usr/bin/env python3
"""Backup and restore of a 1M-unit terminal database against restic (issue 7), same run, same
machine, same bytes.

1. A data directory with 1,000,000 units added through the write path (bench/populate_units;
   each audited, so the audit log has a million events too).
2. Minato: `minato backup create --target database` (online snapshot with SQLite's backup API,
   the snapshot's audit tree recomputed for the manifest, zstd, XChaCha20-Poly1305, signed
   manifest) and `minato restore` of that set (signatures and chunk hashes checked, decrypted,
   every file's SHA-256 checked, the database opened and its audit log of a million events
   verified against the manifest and the checkpoints).
3. restic (Debian's): `restic backup` of the same snapshot file (a copy made with sqlite3's
   .backup) into a new local repository, and `restic restore latest`.

Throughput is the database file's size over the wall time of each command. Runs alternate
(restic, Minato, restic, Minato, ...) so that both meet the same page cache.

Usage: bench/load/backup_vs_restic.py [--binary build/release/minato] [--units 1000000]
       [--runs 2]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

DATA_PASS = "tq8 Harbour wL3 reefer 9xk gantry pz"
KEYS_PASS = "Mv2 lashing Qe7 twistlock 4rn spreader"


def timed(cmd, **kw):
    t = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    dt = time.monotonic() - t
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    return dt, proc.stdout


def du(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(dirpath, f))
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/release/minato")
    ap.add_argument("--units", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    minato = os.path.abspath(args.binary)
    populate = os.path.join(os.path.dirname(minato), "bench", "populate_units")
    restic = shutil.which("restic")
    if not restic:
        raise SystemExit("restic is not installed: scripts/install-deps --bench")
    root = tempfile.mkdtemp(prefix="minato-backup-bench-")
    try:
        data = os.path.join(root, "data")
        pw = os.path.join(root, "admin.pw")
        with open(pw, "w") as f:
            f.write("Vq7#rT2m!xK9-harbour\n")
        subprocess.run([minato, "init", "--data", data, "--admin-user", "admin",
                        "--admin-password-file", pw, "--json"], check=True, capture_output=True)
        t, _ = timed([populate, "--data", data, "--units", str(args.units)])
        print(f"populated {args.units:,} units in {t:.0f} s", flush=True)
        p1, p2 = os.path.join(root, "p1"), os.path.join(root, "p2")
        for p, s in ((p1, DATA_PASS), (p2, KEYS_PASS)):
            with open(p, "w") as f:
                f.write(s + "\n")
        subprocess.run([minato, "backup", "init", "--data", data, "--passphrase-file", p1,
                        "--keys-passphrase-file", p2], check=True, capture_output=True)
        subprocess.run([minato, "backup", "create", "--data", data, "--target", "config"],
                       check=True, capture_output=True)
        snap = os.path.join(root, "snapshot.db")
        subprocess.run(["sqlite3", os.path.join(data, "minato.db"), f".backup {snap}"],
                       check=True)
        size = os.path.getsize(snap)
        mib = size / (1 << 20)
        print(f"database: {mib:,.0f} MiB", flush=True)
        env = dict(os.environ, RESTIC_PASSWORD=DATA_PASS, RESTIC_CACHE_DIR=os.path.join(root, "rc"))
        rows = []
        for run in range(args.runs):
            repo = os.path.join(root, f"restic-{run}")
            subprocess.run([restic, "init", "--repo", repo], check=True, capture_output=True,
                           env=env)
            rb, _ = timed([restic, "--repo", repo, "backup", snap], env=env,
                          cwd=root)
            out = os.path.join(root, f"restic-out-{run}")
            rr, _ = timed([restic, "--repo", repo, "restore", "latest", "--target", out],
                          env=env)
            restic_stored = du(os.path.join(repo, "data"))
            shutil.rmtree(out)

            mb, out_json = timed([minato, "backup", "create", "--data", data, "--target",
                                  "database", "--json"])
            made = json.loads(out_json)[0]
            to = os.path.join(root, f"restored-{run}")
            mr, rep = timed([minato, "restore", "--from", os.path.join(data, "backups"),
                             "--recovery", os.path.join(data, "keys"), "--to", to,
                             "--passphrase-file", p1, "--keys-passphrase-file", p2,
                             "--set", made["set"], "--json", "--quiet"])
            rep = json.loads(rep)
            shutil.rmtree(to)
            shutil.rmtree(repo)
            rows.append((rb, rr, restic_stored, mb, mr, made["stored_bytes"], rep))
            print(f"run {run + 1}: restic backup {rb:.1f} s, restore {rr:.1f} s, "
                  f"repo {restic_stored / (1 << 20):.0f} MiB | minato backup {mb:.1f} s, "
                  f"restore+verify {mr:.1f} s (audit {rep['audit_size']:,} events), set "
                  f"{made['stored_bytes'] / (1 << 20):.0f} MiB", flush=True)
        print()
        print(f"| run | restic backup | Minato backup | x restic | restic restore | "
              f"Minato restore + verify | x restic |")
        print("|---|---|---|---|---|---|---|")
        for i, (rb, rr, _, mb, mr, _, _) in enumerate(rows):
            print(f"| {i + 1} | {rb:.1f} s ({mib / rb:.0f} MiB/s) | {mb:.1f} s ({mib / mb:.0f} "
                  f"MiB/s) | {rb / mb:.2f} | {rr:.1f} s ({mib / rr:.0f} MiB/s) | {mr:.1f} s "
                  f"({mib / mr:.0f} MiB/s) | {rr / mr:.2f} |")
        rs, ms = rows[-1][2], rows[-1][5]
        print(f"\nstored: restic {rs / (1 << 20):.0f} MiB, Minato {ms / (1 << 20):.0f} MiB "
              f"(of {mib:.0f} MiB)")
    finally:
        for dirpath, dirs, _ in os.walk(root):
            for d in dirs:
                os.chmod(os.path.join(dirpath, d), 0o700)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
