#!/usr/bin/env python3
"""Backup and restore of a 1M-unit terminal database against restic (issue 7), same run, same
machine, same bytes.

1. A data directory with 1,000,000 units added through the write path (bench/populate_units;
   each audited, so the audit log has a million events too).
2. Like for like, on the same snapshot file (a copy made with sqlite3's .backup):
   - restic (Debian's): `restic backup` into a new local repository, `restic restore latest`;
   - Minato: bench/backup_pack packs the file into a backup set (SHA-256, zstd, XChaCha20-
     Poly1305 secretstream, signed manifest) and unpacks it (every chunk checked against the
     manifest, decrypted, decompressed, the file's SHA-256 checked, fsynced).
3. End to end, what an operator runs:
   - Minato: `minato backup create --target database` (the online snapshot with SQLite's backup
     API and the audit tree read in its transaction, then packed) and `minato restore` of that
     set (all of the above, then the database opened and its audit log of a million events
     verified against the manifest and the checkpoints);
   - restic's nearest equivalent: `sqlite3 .backup` (restic cannot copy a live database
     consistently by itself) then `restic backup`; and `restic restore`.

Throughput is the database file's size over the wall time. Runs alternate (restic, Minato,
restic, Minato, ...) so that both meet the same page cache.

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
        pack = os.path.join(os.path.dirname(minato), "bench", "backup_pack")
        rows = []
        for run in range(args.runs):
            repo = os.path.join(root, f"restic-{run}")
            subprocess.run([restic, "init", "--repo", repo], check=True, capture_output=True,
                           env=env)
            # restic, end to end: a consistent copy first, then the backup of that copy.
            live_copy = os.path.join(root, f"copy-{run}.db")
            rs, _ = timed(["sqlite3", os.path.join(data, "minato.db"), f".backup {live_copy}"])
            os.remove(live_copy)
            rb, _ = timed([restic, "--repo", repo, "backup", snap], env=env, cwd=root)
            out = os.path.join(root, f"restic-out-{run}")
            rr, _ = timed([restic, "--repo", repo, "restore", "latest", "--target", out],
                          env=env)
            # restic leaves what it restored in the page cache; Minato fsyncs each file before
            # it says it is done. Count restic's flush too: a restore is done when it is on disk.
            ry, _ = timed(["sync", "-f", out])
            rr += ry
            restic_stored = du(os.path.join(repo, "data"))
            shutil.rmtree(out)
            shutil.rmtree(repo)
            # Minato, like for like on the same file.
            scratch = os.path.join(root, f"pack-{run}")
            _, pj = timed([pack, "--file", snap, "--dir", scratch])
            pj = json.loads(pj)
            for dirpath, dirs, _ in os.walk(scratch):
                for d in dirs:
                    os.chmod(os.path.join(dirpath, d), 0o700)
            shutil.rmtree(scratch)
            # Minato, end to end.
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
            rows.append(dict(rs=rs, rb=rb, rr=rr, rstored=restic_stored, pack=pj["pack_s"],
                             unpack=pj["unpack_s"], mb=mb, mr=mr, mstored=made["stored_bytes"],
                             audit=rep["audit_size"]))
            print(f"run {run + 1}: restic copy {rs:.1f} s + backup {rb:.1f} s, restore {rr:.1f} s"
                  f" | minato pack {pj['pack_s']:.1f} s, unpack {pj['unpack_s']:.1f} s | minato "
                  f"backup create {mb:.1f} s, restore+verify {mr:.1f} s (audit "
                  f"{rep['audit_size']:,} events)", flush=True)

        def rate(sec):
            return f"{sec:.1f} s ({mib / sec:.0f} MiB/s)"

        print("\nLike for like, the same snapshot file:\n")
        print("| run | restic backup | Minato pack | x restic | restic restore + sync | Minato "
              "unpack (fsynced) | x restic |")
        print("|---|---|---|---|---|---|---|")
        for i, r in enumerate(rows):
            print(f"| {i + 1} | {rate(r['rb'])} | {rate(r['pack'])} | {r['rb'] / r['pack']:.2f} "
                  f"| {rate(r['rr'])} | {rate(r['unpack'])} | {r['rr'] / r['unpack']:.2f} |")
        print("\nEnd to end, from the live database:\n")
        print("| run | sqlite3 .backup + restic backup | minato backup create | x restic | "
              "restic restore + sync | minato restore (+ verify) | x restic |")
        print("|---|---|---|---|---|---|---|")
        for i, r in enumerate(rows):
            rt = r["rs"] + r["rb"]
            print(f"| {i + 1} | {rate(rt)} | {rate(r['mb'])} | {rt / r['mb']:.2f} | "
                  f"{rate(r['rr'])} | {rate(r['mr'])} | {r['rr'] / r['mr']:.2f} |")
        print(f"\nstored: restic {rows[-1]['rstored'] / (1 << 20):.0f} MiB, Minato "
              f"{rows[-1]['mstored'] / (1 << 20):.0f} MiB (of {mib:.0f} MiB); audit log "
              f"{rows[-1]['audit']:,} events verified at each restore")
    finally:
        for dirpath, dirs, _ in os.walk(root):
            for d in dirs:
                os.chmod(os.path.join(dirpath, d), 0o700)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
