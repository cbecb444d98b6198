"""Tampering with the audit log is detected by `minato audit verify`, which names the event."""
import json
import sqlite3
import unittest

from harness import DataDir, USER_PASSWORD, run


class AuditTamperTest(unittest.TestCase):
    def setUp(self):
        self.data = DataDir()
        for name in ("sato", "suzuki", "tanaka"):
            self.data.add_user(name, ["viewer"], USER_PASSWORD)

    def tearDown(self):
        self.data.cleanup()

    def verify(self):
        return run(["audit", "verify", "--data", self.data.path, "--json"], check=False)

    def test_G2_7_3_a_intact_log_verifies(self):
        r = self.verify()
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertTrue(out["intact"])
        self.assertEqual(out["events_verified"], 4)

    def test_changed_row_fails_and_names_the_event(self):
        db = sqlite3.connect(self.data.db)
        db.execute("UPDATE audit_events SET subject = 'cli:nobody' WHERE seq = 3")
        db.commit()
        db.close()
        r = self.verify()
        self.assertNotEqual(r.returncode, 0)
        out = json.loads(r.stdout)
        self.assertFalse(out["intact"])
        self.assertEqual(out["first_bad_event"], 3)
        human = run(["audit", "verify", "--data", self.data.path], check=False)
        self.assertNotEqual(human.returncode, 0)
        self.assertIn("event 3", human.stderr)

    def test_deleted_row_fails(self):
        db = sqlite3.connect(self.data.db)
        db.execute("DELETE FROM audit_events WHERE seq = 2")
        db.commit()
        db.close()
        r = self.verify()
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(json.loads(r.stdout)["first_bad_event"], 3)


if __name__ == "__main__":
    unittest.main()
