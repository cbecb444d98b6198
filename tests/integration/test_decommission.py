"""Moving a terminal to new hardware and decommissioning the old one (G2.6.3, G2.6.1-c),
against real `minato serve` processes over real TLS: the signed export of a stopped
installation, its import on the "new host" checked against the old signing key's fingerprint
(a user logs in there with the TOTP enrolled on the old one: the sealing key moved), every
tampered or mismatched export refused; then the old directory crypto-erased — keys first, every
file overwritten and removed — with a signed certificate written outside it that verifies with
no installation at all, and fails on one changed byte."""
import glob
import hashlib
import json
import os
import shutil
import tempfile
import types
import unittest

from harness import DATA_PASS, USER_PASSWORD, DataDir, Server, remove_tree, run


class Migration(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="minato-move-")
        self.outside = os.path.join(self.tmp, "checkpoints")
        os.mkdir(self.outside, 0o700)
        self.data = DataDir({"checkpoint_dir": f'"{self.outside}"', "checkpoint_events": "4"})
        cfg = os.path.join(self.data.path, "minato.toml")
        with open(cfg) as f:
            text = f.read()
        with open(cfg, "w") as f:
            f.write(text.replace('name = "Minato container terminal"',
                                 'name = "Tobishima Container Terminal"', 1))
        self.pass_file = os.path.join(self.tmp, "transfer.pass")
        with open(self.pass_file, "w") as f:
            f.write(DATA_PASS + "\n")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        self.data.cleanup()
        remove_tree(self.tmp)

    def start(self, data):
        s = Server(data).start()
        self.servers.append(s)
        return s

    def stop(self, server):
        server.stop()
        self.servers.remove(server)

    def signing_fingerprint(self, path):
        keys = json.loads(run(["key", "list", "--data", path, "--json"]).stdout)["keys"]
        return {k["key"]: k for k in keys}["signing"]["fingerprint"]

    def export(self, name):
        out = os.path.join(self.tmp, name)
        return out, json.loads(run(["export", "--data", self.data.path, "--out", out,
                                    "--passphrase-file", self.pass_file, "--json"]).stdout)

    def test_G2_6_3_signed_export_imported_on_new_hardware(self):
        secret = self.data.add_user("pia", ["planner"])
        live = self.start(self.data)
        self.assertEqual(live.client().login("pia", USER_PASSWORD, secret).status, 201)
        fingerprint = self.signing_fingerprint(self.data.path)

        # Not beside a running server: nothing may be written after the snapshot.
        busy = run(["export", "--data", self.data.path, "--out", os.path.join(self.tmp, "x"),
                    "--passphrase-file", self.pass_file], check=False)
        self.assertNotEqual(busy.returncode, 0)
        self.assertIn(f"pid {live.proc.pid}", busy.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x")))
        self.stop(live)
        # Files the database names but does not hold: a quarantined intake file, an evidence
        # bundle. They move with the export.
        kept = {"quarantine/20261207T120000Z-0a1b2c-baplie.edi": b"UNB+UNOA:2+X+Y+261207:1200+1'\n",
                "evidence/incident-1-20261207T120000Z.tar": b"\0evidence\0" * 100}
        for rel, body in kept.items():
            path = os.path.join(self.data.path, rel)
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            with open(path, "wb") as f:
                f.write(body)
            os.chmod(path, 0o400)

        out, exported = self.export("export")
        self.assertEqual(exported["signer_fingerprint"], fingerprint)
        self.assertEqual(sorted(s["target"] for s in exported["sets"]),
                         ["config", "database", "files", "logs"])
        self.assertTrue(os.path.isfile(os.path.join(out, "EXPORT.sig")))
        # The sets are encrypted: no key, no database page, no TOTP seed in the clear.
        for payload in glob.glob(os.path.join(out, "*", "payload.bin")):
            with open(payload, "rb") as f:
                body = f.read()
            self.assertNotIn(b"SQLite format 3", body)
            self.assertNotIn(b"PRIVATE KEY", body)
            self.assertNotIn(b"UNB+UNOA", body)

        def import_(src, to, fp=fingerprint, passfile=self.pass_file):
            return run(["import", "--from", src, "--to", to, "--fingerprint", fp,
                        "--passphrase-file", passfile, "--json"], check=False)

        # Another installation's fingerprint: refused before anything is read or written.
        wrong = import_(out, os.path.join(self.tmp, "wrong"), fp="ab" * 32)
        self.assertNotEqual(wrong.returncode, 0)
        self.assertIn("not from that installation", wrong.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "wrong")))

        def tampered(name, rel, at):
            copy = os.path.join(self.tmp, name)
            shutil.copytree(out, copy)
            for dirpath, dirs, files in os.walk(copy):
                os.chmod(dirpath, 0o700)
                for f in files:
                    os.chmod(os.path.join(dirpath, f), 0o600)
            path = glob.glob(os.path.join(copy, rel))[0]
            with open(path, "r+b") as f:
                f.seek(at)
                b = f.read(1)
                f.seek(at)
                f.write(bytes([b[0] ^ 0x01]))
            return copy

        # One byte changed in the index, in a manifest, in the encrypted payload: each refused,
        # saying where, and no directory appears.
        for name, rel, at, says in (
                ("t-index", "EXPORT.json", 40, "does not verify"),
                ("t-manifest", "*-database/manifest.json", 30, "not the manifest"),
                ("t-payload", "*-database/payload.bin", 100, "does not match the manifest")):
            to = os.path.join(self.tmp, name + "-to")
            bad = import_(tampered(name, rel, at), to)
            self.assertNotEqual(bad.returncode, 0, name)
            self.assertIn(says, bad.stderr, name)
            self.assertFalse(os.path.exists(to), name)
        # Sets swapped in from another export of the same installation: the index names them.
        wrong_pass = os.path.join(self.tmp, "wrong.pass")
        with open(wrong_pass, "w") as f:
            f.write("another long passphrase, 7 words 3x\n")
        bad = import_(out, os.path.join(self.tmp, "wp"), passfile=wrong_pass)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("wrong passphrase", bad.stderr)

        new = os.path.join(self.tmp, "newhost")
        report = json.loads(import_(out, new).stdout)
        self.assertEqual(report["audit_size"], exported["audit"]["size"])
        run(["audit", "verify", "--data", new])
        events = [json.loads(line) for line in
                  run(["audit", "export", "--data", new]).stdout.splitlines() if line.strip()]
        actions = [(e.get("action"), e.get("target")) for e in events if "action" in e]
        self.assertIn(("data.import", "export:" + exported["id"]), actions)
        for rel, body in kept.items():
            with open(os.path.join(new, rel), "rb") as f:
                self.assertEqual(f.read(), body, rel)
        self.assertFalse(glob.glob(new + ".files-*"))
        # The same installation: its keys moved (the TOTP seed sealed on the old host opens).
        self.assertEqual(self.signing_fingerprint(new), fingerprint)
        moved = self.start(types.SimpleNamespace(path=new, cert=os.path.join(new, "tls", "cert.pem")))
        self.assertEqual(moved.client().login("pia", USER_PASSWORD, secret, offset_s=30).status,
                         201)

    def test_G2_6_1_c_decommission_crypto_erases_with_a_signed_certificate(self):
        fingerprint = self.signing_fingerprint(self.data.path)
        keys = json.loads(run(["key", "list", "--data", self.data.path, "--json"]).stdout)["keys"]
        present = {k["key"]: k["fingerprint"] for k in keys
                   if k["present"] and k["key"] != "webauthn-rp"}
        live = self.start(self.data)
        cert = os.path.join(self.tmp, "certificate.txt")
        base = ["decommission", "--data", self.data.path, "--certificate", cert,
                "--confirm", "Tobishima Container Terminal", "--reason", "server replaced"]

        def refused(args, says):
            proc = run(args, check=False)
            self.assertNotEqual(proc.returncode, 0, proc.stdout)
            self.assertIn(says, proc.stderr)
            self.assertTrue(os.path.isfile(self.data.db))
            self.assertFalse(os.path.exists(cert))

        refused(base + ["--without-export"], "pid")  # the server runs
        self.stop(live)
        refused(base, "--without-export")  # neither an export nor its absence said
        refused([a if a != "Tobishima Container Terminal" else "Tobishima" for a in base] +
                ["--without-export"], 'terminal "Tobishima Container Terminal"')
        inside = os.path.join(self.data.path, "cert.txt")
        refused([a if a != cert else inside for a in base] + ["--without-export"],
                "outside the data directory")

        # An export, then one more event: the export no longer holds everything.
        out, exported = self.export("export")
        self.data.add_user("late", ["planner"])
        refused(base + ["--export", out], "export again")
        out2, exported2 = self.export("export2")
        # Another installation's export is not this one's.
        other = DataDir()
        try:
            other_out = os.path.join(self.tmp, "other-export")
            run(["export", "--data", other.path, "--out", other_out,
                 "--passphrase-file", self.pass_file])
            refused(base + ["--export", other_out], "not this installation's")
        finally:
            other.cleanup()

        # Files as a real installation has them: read-only sets, an intake file, a link out.
        victim = os.path.join(self.tmp, "not-in-the-data-dir.txt")
        with open(victim, "w") as f:
            f.write("must survive\n")
        os.symlink(victim, os.path.join(self.data.path, "link-out"))
        os.makedirs(os.path.join(self.data.path, "quarantine", "2026"), exist_ok=True)
        sample = os.path.join(self.data.path, "quarantine", "2026", "baplie.edi")
        with open(sample, "w") as f:
            f.write("UNB+UNOA:2+SENDER+RECEIVER+261207:1200+1'\n" * 1000)
        os.chmod(sample, 0o400)
        db_size = os.path.getsize(self.data.db)

        done = json.loads(run(base + ["--export", out2, "--json"]).stdout)
        self.assertTrue(done["complete"])
        self.assertFalse(os.path.exists(self.data.path))
        self.assertTrue(os.path.isfile(victim))  # a link is removed, never followed
        self.assertGreaterEqual(done["bytes"], db_size + 43 * 1000)
        self.assertEqual(done["fingerprint"], fingerprint)

        verified = json.loads(run(["decommission", "verify", cert, "--fingerprint", fingerprint,
                                   "--json"]).stdout)
        self.assertEqual(verified["outcome"], "complete")
        self.assertTrue(verified["checkpoint_verified"])
        with open(cert) as f:
            text = f.read()
        body = json.loads(text[:text.rindex("\nminato-signature: ") + 1])
        self.assertEqual({k["name"]: k["fingerprint"] for k in body["keys_destroyed"]}, present)
        self.assertEqual(body["export"]["id"], exported2["id"])
        self.assertEqual(body["reason"], "server replaced")
        # The certificate's checkpoint is the one shipped outside before the erasure: the
        # log's last word, signed, kept where the host cannot reach it afterwards.
        shipped = []
        for path in glob.glob(os.path.join(self.outside, "*")):
            with open(path) as f:
                shipped += [json.loads(line[line.index("{"):]) for line in f if "{" in line]
        sizes = {c.get("size"): c for c in shipped}
        self.assertIn(body["audit"]["size"], sizes)
        self.assertTrue(body["audit"]["verified"])

        # Another key, or one changed byte: refused, saying why.
        other = run(["decommission", "verify", cert, "--fingerprint", "cd" * 32], check=False)
        self.assertNotEqual(other.returncode, 0)
        self.assertIn("not the expected", other.stderr)
        changed = os.path.join(self.tmp, "changed.txt")
        with open(changed, "w") as f:
            f.write(text.replace('"reason": "server replaced"', '"reason": "server replacer"', 1))
        bad = run(["decommission", "verify", changed], check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("the certificate was changed", bad.stderr)
        # Never overwritten: a second run finds the certificate there (and no directory).
        again = run(base + ["--without-export"], check=False)
        self.assertNotEqual(again.returncode, 0)


if __name__ == "__main__":
    unittest.main()
