"""The APIs behind the console's oversight screens, against a real `minato serve` over real
TLS: the gate queue, source blocks and their early end, role rules, backups and restore drills
(issue 19). Each is checked for who may read it, who may act, and what is recorded."""
import json
import os
import sqlite3
import tempfile
import shutil
import unittest

from harness import DATA_PASS, KEYS_PASS, USER_PASSWORD, ServerTestCase, run


class OversightApiTest(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.tmp = tempfile.mkdtemp(prefix="minato-oversight-")
        cls.pass_file = os.path.join(cls.tmp, "data.pass")
        cls.keys_pass_file = os.path.join(cls.tmp, "keys.pass")
        with open(cls.pass_file, "w") as f:
            f.write(DATA_PASS + "\n")
        with open(cls.keys_pass_file, "w") as f:
            f.write(KEYS_PASS + "\n")
        cls.sessions = {}
        run(["backup", "init", "--data", data.path, "--passphrase-file", cls.pass_file,
             "--keys-passphrase-file", cls.keys_pass_file])
        cls.secrets = {name: data.add_user(name, roles) for name, roles in [
            ("clerk", ["gate_clerk"]), ("viewer", ["viewer"]), ("keeper", ["backup_operator"]),
            ("officer", ["security_officer"]), ("useradm", ["user_admin"]),
            ("auditor1", ["auditor"]), ("guessed", ["viewer"])]}

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def login(self, name):
        """One session per user for the class (a TOTP code is accepted once)."""
        sessions = type(self).sessions
        if name not in sessions:
            c = self.server.client()
            r = c.login(name, USER_PASSWORD, self.secrets[name])
            self.assertEqual(r.status, 201, r)
            sessions[name] = c
        return sessions[name]

    def audit(self, action):
        db = sqlite3.connect(self.data.db)
        try:
            return db.execute("SELECT subject, target, result, reason FROM audit_events"
                              " WHERE action = ? ORDER BY seq", (action,)).fetchall()
        finally:
            db.close()

    def test_the_gate_queue_lists_trucks_inside_longest_waiting_first(self):
        clerk = self.login("clerk")
        ids = []
        for plate in ("NGO 100", "NGO 200", "NGO 300"):
            r = clerk.request("POST", "/api/v1/gate/trucks", {"truck_plate": plate, "haulier": "HAUL1"})
            self.assertEqual(r.status, 201, r)
            ids.append(r.json["id"])
        q = clerk.request("GET", "/api/v1/gate/trucks")
        self.assertEqual(q.status, 200, q)
        mine = [t["truck_plate"] for t in q.json["trucks"] if t["id"] in ids]
        self.assertEqual(mine, ["NGO 100", "NGO 200", "NGO 300"])
        inside = q.json["inside"]
        self.assertEqual(clerk.request("POST", f"/api/v1/gate/trucks/{ids[1]}/exit").status, 200)
        q = clerk.request("GET", "/api/v1/gate/trucks?limit=500")
        self.assertEqual(q.json["inside"], inside - 1)
        self.assertNotIn(ids[1], [t["id"] for t in q.json["trucks"]])
        self.assertEqual(clerk.request("GET", "/api/v1/gate/trucks?limit=0").status, 400)
        self.assertEqual(clerk.request("GET", "/api/v1/gate/trucks?limit=501").status, 400)
        # An account without terminal.read is refused.
        self.assertEqual(self.login("keeper").request("GET", "/api/v1/gate/trucks").status, 403)

    def test_G2_2_2_f_a_blocked_source_is_listed_and_ended_early_by_a_user_admin(self):
        # 20 failed logins from 127.0.0.9 block it (the block is per address).
        guesser = self.server.client("127.0.0.9")
        for i in range(20):
            guesser.request("POST", "/api/v1/session",
                            {"username": "guessed", "password": f"Wrong#Guess-{i}", "totp": "000000"})
        self.assertTrue(self.server.closed_before_tls("127.0.0.9"))
        officer = self.login("officer")
        blocks = officer.request("GET", "/api/v1/source-blocks")
        self.assertEqual(blocks.status, 200, blocks)
        self.assertIn("127.0.0.9", [b["source"] for b in blocks.json["blocks"]])
        self.assertEqual(blocks.json["policy"], {"threshold": 20, "window_s": 600, "block_s": 900})
        # Reading needs user.admin, change.approve or audit.read; ending one needs user.admin
        # and a reason.
        self.assertEqual(self.login("viewer").request("GET", "/api/v1/source-blocks").status, 403)
        self.assertEqual(officer.request("POST", "/api/v1/source-blocks/unblock",
                                         {"source": "127.0.0.9", "reason": "x"}).status, 403)
        admin = self.login("useradm")
        r = admin.request("POST", "/api/v1/source-blocks/unblock", {"source": "127.0.0.9", "reason": ""})
        self.assertEqual((r.status, r.json["error"]["field"]), (400, "reason"))
        r = admin.request("POST", "/api/v1/source-blocks/unblock",
                          {"source": "127.0.0.9", "reason": "the night shift's script had a typo"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(guesser.request("GET", "/api/v1/health").status, 200)
        self.assertNotIn("127.0.0.9", [b["source"] for b in
                                       officer.request("GET", "/api/v1/source-blocks").json["blocks"]])
        subject, target, result, reason = self.audit("source.unblock")[-1]
        self.assertEqual((subject, target, result), ("user:useradm", "source:127.0.0.9", "success"))
        self.assertTrue(reason.startswith("the night shift's script had a typo (was blocked until "))
        # Not blocked (any more): said so, and recorded as refused.
        r = admin.request("POST", "/api/v1/source-blocks/unblock", {"source": "127.0.0.9", "reason": "again"})
        self.assertEqual((r.status, r.json["error"]["field"]), (404, "source"))

    def test_G2_1_1_a_role_rules_are_read_by_security_staff_and_changed_by_two_people(self):
        admin = self.login("useradm")
        officer = self.login("officer")
        r = admin.request("POST", "/api/v1/approvals",
                          {"kind": "role.rule", "role": "yard_clerk",
                           "allowed_sources": "127.0.0.0/8, 10.20.0.0/16",
                           "login_window": "daily 00:00-23:59", "reason": "yard terminals only"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(officer.request("POST", f"/api/v1/approvals/{r.json['id']}/approve",
                                         {"note": "ok"}).status, 200)
        self.assertEqual(admin.request("POST", f"/api/v1/approvals/{r.json['id']}/execute").status, 200)
        for reader in (admin, officer, self.login("auditor1")):
            rules = reader.request("GET", "/api/v1/role-rules")
            self.assertEqual(rules.status, 200, rules)
            rule = next(x for x in rules.json["rules"] if x["role"] == "yard_clerk")
            self.assertEqual(rule["allowed_sources"].replace(" ", ""), "127.0.0.0/8,10.20.0.0/16")
            self.assertIn("approved by user:officer", rule["granted_by"])
        self.assertEqual(self.login("clerk").request("GET", "/api/v1/role-rules").status, 403)

    def test_G2_7_2_backup_status_a_set_made_now_and_the_drills_recorded(self):
        keeper = self.login("keeper")
        status = keeper.request("GET", "/api/v1/backups")
        self.assertEqual(status.status, 200, status)
        self.assertTrue(status.json["configured"])
        by_target = {t["target"]: t for t in status.json["targets"]}
        self.assertEqual(set(by_target), {"database", "config", "logs", "release"})
        made = keeper.request("POST", "/api/v1/backups", {"target": "config"})
        self.assertEqual(made.status, 201, made)
        self.assertTrue(made.json["set"].endswith("-config"), made)
        config = next(t for t in keeper.request("GET", "/api/v1/backups").json["targets"]
                      if t["target"] == "config")
        self.assertEqual((config["newest"], config["overdue"], config["pulled_by_vault"]),
                         (made.json["set"], False, None))
        self.assertLess(config["age_s"], 60)
        self.assertEqual(self.audit("backup.create")[-1][:3],
                         ("user:keeper", "backup:config", "success"))
        # An unknown target is named; a viewer may neither read nor make sets; an auditor reads.
        r = keeper.request("POST", "/api/v1/backups", {"target": "everything"})
        self.assertEqual((r.status, r.json["error"]["field"]), (400, "target"))
        viewer = self.login("viewer")
        self.assertEqual(viewer.request("GET", "/api/v1/backups").status, 403)
        self.assertEqual(viewer.request("POST", "/api/v1/backups", {"target": "config"}).status, 403)
        auditor = self.login("auditor1")
        self.assertEqual(auditor.request("GET", "/api/v1/backups").status, 200)
        self.assertEqual(auditor.request("POST", "/api/v1/backups", {"target": "config"}).status, 403)

        # A drill from the outbox, recorded in the live installation's log, is listed.
        self.assertEqual(keeper.request("POST", "/api/v1/backups", {"target": "database"}).status, 201)
        drill = run(["backup", "drill", "--from", os.path.join(self.data.path, "backups"),
                     "--data", self.data.path, "--recovery", os.path.join(self.data.path, "keys"),
                     "--passphrase-file", self.pass_file,
                     "--keys-passphrase-file", self.keys_pass_file, "--json", "--quiet"])
        self.assertEqual(json.loads(drill.stdout)["outcome"], "passed", drill.stdout)
        drills = auditor.request("GET", "/api/v1/backups/drills?limit=5")
        self.assertEqual(drills.status, 200, drills)
        newest = drills.json["drills"][0]
        self.assertTrue(newest["passed"], newest)
        self.assertEqual(newest["record"]["outcome"], "passed")
        self.assertGreater(newest["record"]["seconds"], 0)
        self.assertEqual(viewer.request("GET", "/api/v1/backups/drills").status, 403)


if __name__ == "__main__":
    unittest.main()
