"""The key inventory (G2.3-c) against a real `minato serve` over real TLS: every key with its
fingerprint, checked against what openssl and the trust file say; rotation by command (the
server presents the new certificate from its next start; old checkpoints still verify); a
certificate replaced by hand is recorded as rotated outside Minato, and one near its end alerts
security staff."""
import hashlib
import json
import os
import socket
import sqlite3
import ssl
import subprocess
import time
import unittest

from harness import (DATA_PASS, KEYS_PASS, USER_PASSWORD, DataDir, Server, ServerTestCase,
                     remove_tree, run)


def openssl_fingerprint(cert):
    out = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256"],
                         capture_output=True, text=True, check=True).stdout
    return out.strip().split("=", 1)[1].replace(":", "").lower()


def served_fingerprint(server):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            return hashlib.sha256(tls.getpeercert(binary_form=True)).hexdigest()


class KeyInventory(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.secrets = {name: data.add_user(name, [role]) for name, role in (
            ("officer", "security_officer"), ("officer2", "security_officer"),
            ("clerk", "gate_clerk"))}
        data.set_config({"security_mail": '"soc@terminal.example"'})

    def keys(self):
        out = json.loads(run(["key", "list", "--data", self.data.path, "--json"]).stdout)
        return {k["key"]: k for k in out["keys"]}

    def test_G2_3_c_every_key_listed_rotated_and_watched(self):
        officer = self.logged_in("officer", USER_PASSWORD, self.secrets["officer"])
        clerk = self.logged_in("clerk", USER_PASSWORD, self.secrets["clerk"])
        keys = self.keys()
        self.assertEqual(set(keys), {"tls", "audit", "signing", "sealing", "backup", "webauthn-rp"})
        # The TLS certificate: what openssl says of the file, and what the server presents.
        tls = keys["tls"]
        self.assertEqual(tls["fingerprint"], openssl_fingerprint(self.data.cert))
        self.assertEqual(tls["fingerprint"], served_fingerprint(self.server))
        self.assertTrue(tls["expires"] and tls["created"])
        self.assertEqual(tls["rotated"], "")
        # The audit key: the SHA-256 of the public key in the trust file.
        with open(os.path.join(self.data.path, "keys", "audit-trust.txt")) as f:
            public = bytes.fromhex(f.read().split()[1])
        self.assertEqual(keys["audit"]["fingerprint"], hashlib.sha256(public).hexdigest())
        self.assertEqual(keys["webauthn-rp"]["fingerprint"],
                         hashlib.sha256(b"localhost").hexdigest())
        self.assertFalse(keys["backup"]["present"])  # `minato backup init` has not run
        self.assertRegex(keys["sealing"]["fingerprint"], r"^[0-9a-f]{64}$")
        # The console's readers see the same; terminal staff do not.
        api = {k["key"]: k for k in officer.request("GET", "/api/v1/keys").json["keys"]}
        self.assertEqual(api["tls"]["fingerprint"], tls["fingerprint"])
        self.assertEqual(clerk.request("GET", "/api/v1/keys").status, 403)

        # Rotation by command: a new certificate, from the next start.
        rotated = json.loads(run(["key", "rotate", "tls", "--data", self.data.path,
                                  "--json"]).stdout)
        self.assertNotEqual(rotated["fingerprint"], tls["fingerprint"])
        self.assertEqual(rotated["fingerprint"], openssl_fingerprint(self.data.cert))
        self.assertTrue(rotated["rotated_by"].startswith("cli:"))
        self.assertEqual(served_fingerprint(self.server), tls["fingerprint"])
        # The audit key too: the log, its old checkpoints included, still verifies.
        old_audit = keys["audit"]["fingerprint"]
        run(["key", "rotate", "audit", "--data", self.data.path])
        self.assertNotEqual(self.keys()["audit"]["fingerprint"], old_audit)
        # The sealing key is rotated only with the server stopped (every TOTP secret is
        # re-sealed); the RP ID is not rotated at all: the refusals say why.
        r = run(["key", "rotate", "sealing", "--data", self.data.path], check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("stop it first to rotate the sealing key", r.stderr)
        r = run(["key", "rotate", "webauthn-rp", "--data", self.data.path], check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not rotated by this command", r.stderr)
        r = run(["key", "rotate", "nosuch", "--data", self.data.path], check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no key 'nosuch'", r.stderr)

        # Someone replaces the certificate by hand with one that ends in ten days.
        tmp = os.path.join(self.data.root, "hand")
        os.mkdir(tmp)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", f"{tmp}/key.pem", "-out",
                        f"{tmp}/cert.pem", "-days", "10", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True,
                       capture_output=True)
        for name in ("key.pem", "cert.pem"):
            with open(f"{tmp}/{name}", "rb") as src, \
                    open(os.path.join(self.data.path, "tls", name), "wb") as dst:
                dst.write(src.read())
        self.server.stop()
        self.__class__.server = Server(self.data).start()
        hand = self.keys()["tls"]
        self.assertEqual(hand["fingerprint"], openssl_fingerprint(self.data.cert))
        self.assertEqual(served_fingerprint(self.server), hand["fingerprint"])
        self.assertIn("outside Minato", hand["rotated_by"])
        self.assertRegex(hand["warning"], r"^expires in (9|10) days$")
        officer = self.logged_in("officer2", USER_PASSWORD, self.secrets["officer2"])
        deadline = time.time() + 15
        while time.time() < deadline:
            notes = officer.request("GET", "/api/v1/notifications").json["notifications"]
            expiring = [n for n in notes if n["event"] == "key.expiring"]
            if expiring:
                break
            time.sleep(0.5)
        self.assertEqual(len(expiring), 1, "a key.expiring alert")
        self.assertIn("TLS certificate about to expire", expiring[0]["subject"])
        self.assertEqual(run(["audit", "verify", "--data", self.data.path],
                             check=False).returncode, 0)


class BackupKeyRotation(unittest.TestCase):
    """G2.3-c: the backup signing key rotated by command — new recovery files, the old ones kept
    for the old sets, the old private key gone — and both old and new sets still restore."""

    def setUp(self):
        self.data = DataDir()
        self.tmp = os.path.join(self.data.root, "files")
        os.mkdir(self.tmp)
        self.files = {}
        for name, text in (("data", DATA_PASS), ("keys", KEYS_PASS),
                           ("data2", "Rk4 quay Wn8 straddle 2pz reefer lash"),
                           ("keys2", "Hb7 bollard Xc3 hatch 9qm lashing bay")):
            self.files[name] = os.path.join(self.tmp, name + ".pass")
            with open(self.files[name], "w") as f:
                f.write(text + "\n")

    def tearDown(self):
        remove_tree(self.data.root)

    def restore(self, recovery, set_id, data_pass, keys_pass, to):
        return run(["restore", "--from", os.path.join(self.data.path, "backups"), "--to", to,
                    "--recovery", recovery, "--set", set_id, "--passphrase-file", data_pass,
                    "--keys-passphrase-file", keys_pass, "--quiet", "--snapshot-only"],
                   check=False)

    def test_G2_3_c_backup_key_rotated_old_sets_still_restore(self):
        path = self.data.path
        refused = run(["key", "rotate", "backup", "--data", path, "--passphrase-file",
                       self.files["data2"], "--keys-passphrase-file", self.files["keys2"]],
                      check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("backups are not set up", refused.stderr)
        run(["backup", "init", "--data", path, "--passphrase-file", self.files["data"],
             "--keys-passphrase-file", self.files["keys"]])
        old_signer = run(["backup", "key", "--data", path]).stdout.strip()
        key_file = os.path.join(path, "keys", "backup.key")
        with open(key_file, "rb") as f:
            old_key = f.read()
        old_set = json.loads(run(["backup", "create", "--data", path, "--target", "database",
                                  "--json"]).stdout)[0]
        run(["backup", "create", "--data", path, "--target", "config"])
        # Both passphrases are needed, each by the rule, and different.
        same = run(["key", "rotate", "backup", "--data", path, "--passphrase-file",
                    self.files["data2"], "--keys-passphrase-file", self.files["data2"]], check=False)
        self.assertIn("must differ", same.stderr)
        self.assertEqual(run(["backup", "key", "--data", path]).stdout.strip(), old_signer)
        out = run(["key", "rotate", "backup", "--data", path, "--passphrase-file",
                   self.files["data2"], "--keys-passphrase-file", self.files["keys2"],
                   "--json"])
        rotated = json.loads(out.stdout)
        new_signer = run(["backup", "key", "--data", path]).stdout.strip()
        self.assertNotEqual(new_signer, old_signer)
        self.assertEqual(rotated["fingerprint"],
                         hashlib.sha256(bytes.fromhex(new_signer)).hexdigest())
        self.assertTrue(rotated["rotated_by"].startswith("cli:"))
        with open(key_file, "rb") as f:
            self.assertNotEqual(f.read(), old_key)
        retired = sorted(os.listdir(os.path.join(path, "keys", "retired")))
        self.assertEqual(len(retired), 2)
        self.assertTrue(retired[0].endswith("-backup-data.recovery"), retired)
        # New sets are signed by the new key and restore with the new recovery files ...
        new_set = json.loads(run(["backup", "create", "--data", path, "--target", "database",
                                  "--json"]).stdout)[0]
        run(["backup", "create", "--data", path, "--target", "config"])
        got = self.restore(os.path.join(path, "keys"), new_set["set"], self.files["data2"],
                           self.files["keys2"], os.path.join(self.tmp, "new"))
        self.assertEqual(got.returncode, 0, got.stderr)
        # ... the old sets with the old recovery files the rotation kept (under their names).
        old_recovery = os.path.join(self.tmp, "old-recovery")
        os.mkdir(old_recovery)
        for name in retired:
            with open(os.path.join(path, "keys", "retired", name), "rb") as src, \
                    open(os.path.join(old_recovery, name.split("-", 1)[1]), "wb") as dst:
                dst.write(src.read())
        # The sets of both keys lie side by side: each restore takes those of its own key.
        got = self.restore(old_recovery, old_set["set"], self.files["data"], self.files["keys"],
                           os.path.join(self.tmp, "old"))
        self.assertEqual(got.returncode, 0, got.stderr)
        # The new files cannot read an old set named to them, and say so.
        got = self.restore(os.path.join(path, "keys"), old_set["set"], self.files["data2"],
                           self.files["keys2"], os.path.join(self.tmp, "mixed"))
        self.assertNotEqual(got.returncode, 0)
        self.assertEqual(run(["audit", "verify", "--data", path], check=False).returncode, 0)


class SealingKeyRotation(unittest.TestCase):
    """G2.3-c: the sealing key rotated by command with the server stopped — every TOTP secret
    re-sealed, recovery codes made before still working while the earlier key is kept, void once
    it is forgotten (after a compromise)."""

    def setUp(self):
        self.data = DataDir()
        self.secret = self.data.add_user("sato", ["planner"])
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.stop()
        self.data.cleanup()

    def start(self):
        self.server = Server(self.data).start()
        return self.server

    def stop(self):
        self.server.stop()
        self.server = None

    def sealed(self):
        with sqlite3.connect(self.data.db) as db:
            return db.execute("SELECT totp_sealed FROM users WHERE username = 'sato'").fetchone()[0]

    def recovery_login(self, code):
        return self.server.client().request("POST", "/api/v1/session", {
            "username": "sato", "password": USER_PASSWORD, "recovery_code": code})

    def test_G2_3_c_sealing_key_rotated_secrets_resealed_earlier_key_kept_or_forgotten(self):
        live = self.start()
        c = live.client()
        # Three TOTP logins in this test, each a later step within the accepted window.
        self.assertEqual(c.login("sato", USER_PASSWORD, self.secret, offset_s=-30).status, 201)
        codes = c.request("POST", "/api/v1/session/recovery-codes").json["recovery_codes"]
        self.stop()
        before = json.loads(run(["key", "list", "--data", self.data.path, "--json"]).stdout)
        old_fp = {k["key"]: k for k in before["keys"]}["sealing"]["fingerprint"]
        old_sealed = self.sealed()

        rotated = json.loads(run(["key", "rotate", "sealing", "--data", self.data.path,
                                  "--json"]).stdout)
        self.assertNotEqual(rotated["fingerprint"], old_fp)
        self.assertTrue(rotated["rotated_by"].startswith("cli:"))
        self.assertNotEqual(self.sealed(), old_sealed)  # re-sealed under the new key
        self.assertTrue(os.path.isfile(os.path.join(self.data.path, "keys",
                                                    "sealing.key.previous")))
        live = self.start()
        self.assertEqual(live.client().login("sato", USER_PASSWORD, self.secret).status, 201)
        self.assertEqual(self.recovery_login(codes[0]).status, 201)  # made under the earlier key
        self.stop()

        # After a compromise: the earlier key forgotten; the TOTP secret still opens (it was
        # re-sealed), the codes made under the earlier key are void.
        out = run(["key", "rotate", "sealing", "--data", self.data.path, "--forget-earlier"])
        self.assertIn("are void", out.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.data.path, "keys",
                                                     "sealing.key.previous")))
        live = self.start()
        self.assertEqual(self.recovery_login(codes[1]).status, 401)
        self.assertEqual(live.client().login("sato", USER_PASSWORD, self.secret,
                                             offset_s=30).status, 201)
        self.stop()
        events = [json.loads(line[line.index("{"):]) for line in
                  run(["audit", "export", "--data", self.data.path]).stdout.splitlines()
                  if "{" in line]
        rotations = [e for e in events if e.get("action") == "key.rotate"
                     and e.get("target") == "key:sealing"]
        self.assertEqual(len(rotations), 2)
        self.assertIn("are void", rotations[1]["reason"])
        self.assertEqual(run(["audit", "verify", "--data", self.data.path],
                             check=False).returncode, 0)


if __name__ == "__main__":
    unittest.main()
