"""G2.7.3-d: tampering with the audit log in the database, in every way, is found by
`minato audit verify`, which names the first bad position.

The data directory keeps a copy of every checkpoint outside the database (audit.checkpoint_dir,
here a directory beside it, as a mount of another host would be). Each case starts from a copy
of the same intact data directory, tampers with minato.db directly (as someone with write
access to the database file would), and runs `audit verify`.
"""
import hashlib
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tempfile
import unittest

from harness import DataDir, USER_PASSWORD, run

ORIGIN = "minato"


def encode_event(row):
    """The leaf data of an event (docs/security.md, "Audit log format"), written from the spec."""
    (seq, at_us, subject, credential, source, action, target, result, reason, request_id,
     change) = row
    out = b"minato/audit/2" + struct.pack(">QQ", seq, at_us)
    for f in (subject, credential, source, action, target, result, reason, request_id, change):
        b = f.encode()
        out += struct.pack(">Q", len(b)) + b
    return out


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def root_of(leaves):
    """RFC 6962 MTH."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + root_of(leaves[:k]) + root_of(leaves[k:])).digest()


class Forger:
    """An Ed25519 key that is not the data directory's, driven through the openssl CLI."""

    def __init__(self, directory):
        self.dir = directory
        self.key = os.path.join(directory, "forger.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", self.key],
                       check=True, capture_output=True)
        der = subprocess.run(["openssl", "pkey", "-in", self.key, "-pubout", "-outform", "DER"],
                             check=True, capture_output=True).stdout
        self.public = der[-32:]
        self.key_id = hashlib.sha256(self.public).digest()[:8].hex()

    def sign(self, message):
        path = os.path.join(self.dir, "msg")
        with open(path, "wb") as f:
            f.write(message)
        return subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", self.key, "-rawin",
                               "-in", path], check=True, capture_output=True).stdout


class AuditTamperTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pristine = DataDir()
        cls.outside = os.path.join(cls.pristine.root, "outside")
        cls.pristine.set_config({"checkpoint_dir": json.dumps(cls.outside),
                                 "checkpoint_events": "3"})
        for name in ("sato", "suzuki", "tanaka", "takahashi", "watanabe"):
            cls.pristine.add_user(name, ["viewer"], USER_PASSWORD)
        cls.results = {}

    @classmethod
    def tearDownClass(cls):
        cls.pristine.cleanup()
        total = len(cls.results)
        found = sum(1 for v in cls.results.values() if v)
        print(f"\ntampering cases detected: {found}/{total}")

    def setUp(self):
        # A copy of the intact data directory and of the checkpoints kept outside.
        self.tmp = tempfile.mkdtemp(prefix="minato-tamper-")
        self.data = os.path.join(self.tmp, "data")
        shutil.copytree(self.pristine.path, self.data)
        os.chmod(self.data, 0o700)
        self.outside = os.path.join(self.tmp, "outside")
        shutil.copytree(self.__class__.outside, self.outside)
        cfg = os.path.join(self.data, "minato.toml")
        with open(cfg) as f:
            text = f.read()
        with open(cfg, "w") as f:
            f.write(text.replace(json.dumps(self.__class__.outside), json.dumps(self.outside)))
        self.db = sqlite3.connect(os.path.join(self.data, "minato.db"))

    def tearDown(self):
        self.db.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def rows(self):
        return self.db.execute(
            "SELECT seq, at_us, subject, credential, source, action, target, result, reason,"
            " request_id, change FROM audit_events ORDER BY seq").fetchall()

    def head(self):
        return self.db.execute("SELECT max(seq) FROM audit_events").fetchone()[0]

    def verify(self, *extra):
        self.db.commit()
        r = run(["audit", "verify", "--data", self.data, "--json", *extra], check=False)
        return r, json.loads(r.stdout) if r.stdout.strip() else {}

    def expect_found(self, case, first_bad=None, words=None):
        r, out = self.verify()
        found = r.returncode != 0 and out.get("intact") is False
        self.__class__.results[case] = found
        self.assertTrue(found, f"{case}: not detected: {r.stdout} {r.stderr}")
        if first_bad is not None:
            self.assertEqual(out["first_bad_event"], first_bad, out["problem"])
        if words:
            self.assertIn(words, out["problem"])
        human = run(["audit", "verify", "--data", self.data], check=False)
        self.assertNotEqual(human.returncode, 0)
        self.assertIn(f"broken at event {out['first_bad_event']}", human.stderr)
        return out

    def rehash(self, seq):
        row = [r for r in self.rows() if r[0] == seq][0]
        self.db.execute("UPDATE audit_events SET leaf = ? WHERE seq = ?",
                        (leaf_hash(encode_event(row)), seq))

    # --- the intact log ---

    def test_G2_7_3_a_d_intact_log_verifies_against_checkpoints_inside_and_outside(self):
        r, out = self.verify()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(out["intact"])
        self.assertEqual(out["events_verified"], self.head())
        self.assertGreaterEqual(out["checkpoints_verified"], 2)
        self.assertGreaterEqual(out["external_checkpoints_verified"], 2)
        self.assertEqual(out["last_checkpoint"], self.head())
        # Our own RFC 6962 computation over the rows agrees with Minato's root.
        leaves = [leaf_hash(encode_event(row)) for row in self.rows()]
        self.assertEqual(out["root"], root_of(leaves).hex())
        # Events carry who (and how identified), what, on what, when, from where, result, why.
        row = self.db.execute("SELECT subject, credential, source, action, target, result"
                              " FROM audit_events WHERE action = 'user.create' LIMIT 1").fetchone()
        self.assertTrue(row[0].startswith("cli:"))
        self.assertTrue(row[1].startswith("host:uid="), row)
        self.assertEqual(row[2], "local")

    def test_G2_7_3_d_key_rotation_keeps_old_checkpoints_valid(self):
        r = run(["audit", "rotate-key", "--data", self.data])
        new_id = r.stdout.strip().split()[-1]
        pw = os.path.join(self.tmp, "pw")
        with open(pw, "w") as f:
            f.write(USER_PASSWORD)
        run(["user", "add", "--data", self.data, "--username", "yamada", "--role", "viewer",
             "--password-file", pw, "--json"])
        keys = [k for (k,) in self.db.execute(
            "SELECT DISTINCT key_id FROM audit_checkpoints ORDER BY size")]
        self.assertEqual(len(keys), 2, keys)
        self.assertEqual(keys[-1], new_id)
        # The rotation itself is in the log.
        self.assertEqual(self.db.execute(
            "SELECT count(*) FROM audit_events WHERE action = 'audit.key.rotate'").fetchone()[0], 1)
        r, out = self.verify()
        self.assertEqual(r.returncode, 0, out)
        # Checkpoints signed by a key that is no longer trusted are not accepted.
        trust = os.path.join(self.data, "keys", "audit-trust.txt")
        with open(trust) as f:
            lines = [line for line in f if not line.startswith(keys[0])]
        with open(trust, "w") as f:
            f.writelines(lines)
        self.expect_found("old key removed from the trust list", words="not a trusted audit key")

    # --- every way of tampering ---

    def test_changed_event(self):
        self.db.execute("UPDATE audit_events SET subject = 'cli:nobody' WHERE seq = 3")
        self.expect_found("edit", 3, "was changed")

    def test_changed_event_with_its_leaf_recomputed(self):
        self.db.execute("UPDATE audit_events SET result = 'failure' WHERE seq = 5")
        self.rehash(5)
        out = self.expect_found("edit + re-hash", words="do not match the checkpoint")
        self.assertLessEqual(out["first_bad_event"], 5)
        self.assertGreaterEqual(out["bad_until"], 5)

    def test_deleted_event(self):
        self.db.execute("DELETE FROM audit_events WHERE seq = 2")
        self.expect_found("delete", 2, "missing")

    def test_reordered_events(self):
        self.db.execute("UPDATE audit_events SET seq = -1 WHERE seq = 3")
        self.db.execute("UPDATE audit_events SET seq = 3 WHERE seq = 4")
        self.db.execute("UPDATE audit_events SET seq = 4 WHERE seq = -1")
        self.expect_found("reorder", 3)

    def test_truncated_log_with_its_checkpoints_removed(self):
        n = self.head()
        self.db.execute("DELETE FROM audit_events WHERE seq > ?", (n - 2,))
        self.db.execute("DELETE FROM audit_checkpoints WHERE size > ?", (n - 2,))
        self.expect_found("truncate", n - 1, "truncated")

    def test_replaced_checkpoint(self):
        sizes = [s for (s,) in self.db.execute("SELECT size FROM audit_checkpoints ORDER BY size")]
        self.db.execute("UPDATE audit_checkpoints SET root = (SELECT root FROM audit_checkpoints"
                        " WHERE size = ?) WHERE size = ?", (sizes[0], sizes[1]))
        self.expect_found("replace checkpoint", sizes[1], "does not verify")

    def test_everything_rebuilt_and_resigned_with_another_key(self):
        forger = Forger(self.tmp)
        self.db.execute("UPDATE audit_events SET reason = 'nothing happened' WHERE seq = 4")
        leaves = []
        for row in self.rows():
            leaf = leaf_hash(encode_event(row))
            leaves.append(leaf)
            self.db.execute("UPDATE audit_events SET leaf = ? WHERE seq = ?", (leaf, row[0]))
        for (size, at_us) in self.db.execute(
                "SELECT size, at_us FROM audit_checkpoints").fetchall():
            root = root_of(leaves[:size])
            body = (f"minato/audit/checkpoint/1\n{ORIGIN}\n{size}\n{root.hex()}\n{at_us}\n"
                    f"{forger.key_id}\n").encode()
            self.db.execute("UPDATE audit_checkpoints SET root = ?, key_id = ?, signature = ?"
                            " WHERE size = ?", (root, forger.key_id, forger.sign(body), size))
        self.expect_found("rebuild + re-sign with another key", words="not a trusted audit key")
        # Even if the forger also removed every checkpoint from the database, the copies kept
        # outside (signed by the real key) disagree with the rebuilt tree.
        self.db.execute("DELETE FROM audit_checkpoints")
        self.expect_found("rebuild + drop checkpoints", words="kept outside")

    def test_content_blanked_as_if_pruned(self):
        self.db.execute("UPDATE audit_events SET subject = '', change = '', pruned = 1"
                        " WHERE seq < 3")
        self.expect_found("fake prune", words="no recorded retention prune")


if __name__ == "__main__":
    unittest.main()
