"""Integration tests of roles, two-person approvals, access review, sessions and vendor
maintenance windows against a real `minato serve` over real TLS (issue 3)."""
import datetime
import unittest

from harness import ADMIN_PASSWORD, USER_PASSWORD, ServerTestCase


def utc(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


class AccessTest(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.officer = data.add_user("officer", ["security_officer"])
        cls.auditor = data.add_user("auditor1", ["auditor"])
        cls.clerk = data.add_user("clerk", ["gate_clerk"])
        cls.worker = data.add_user("worker", ["viewer"])
        cls.worker2 = data.add_user("worker2", ["viewer"])
        cls.vendor = data.add_user("vendor1", ["maintenance_vendor"])

    def login(self, name, secret, password=USER_PASSWORD, offset_s=0):
        c = self.server.client()
        r = c.login(name, password, secret, offset_s)
        self.assertEqual(r.status, 201, r)
        return c

    # The admin logs in three times in this class, each with a later TOTP step, in the order
    # the tests run (by name): G1_3 (-30 s), G2_1_1_h (now), G2_2_2_e (+30 s).
    def test_G2_1_1_h_privileged_change_needs_a_second_person(self):
        admin = self.login("admin", self.data.admin_totp, ADMIN_PASSWORD)
        officer = self.login("officer", self.officer)
        clerk = self.login("clerk", self.clerk)
        self.assertEqual(clerk.request("GET", "/api/v1/yard/occupancy").status, 200)

        r = admin.request("POST", "/api/v1/approvals",
                          {"kind": "user.access", "username": "clerk", "roles": ["viewer"],
                           "reason": "moved from the gate to the office"})
        self.assertEqual(r.status, 201, r)
        rid = r.json["id"]
        # The requester cannot approve, even holding security_officer; an operator cannot
        # request; nothing applies before approval.
        self.assertEqual(admin.request("POST", f"/api/v1/approvals/{rid}/approve", {}).status, 403)
        self.assertEqual(clerk.request("POST", "/api/v1/approvals",
                                       {"kind": "role.rule", "role": "viewer",
                                        "allowed_sources": "", "login_window": "",
                                        "reason": "x"}).status, 403)
        self.assertEqual(admin.request("POST", f"/api/v1/approvals/{rid}/execute").status, 409)
        ok = officer.request("POST", f"/api/v1/approvals/{rid}/approve", {"note": "agreed"})
        self.assertEqual(ok.status, 200, ok)
        done = admin.request("POST", f"/api/v1/approvals/{rid}/execute")
        self.assertEqual(done.status, 200, done)
        # The clerk's session had the old role: it ended with the change.
        self.assertEqual(clerk.request("GET", "/api/v1/yard/occupancy").status, 401)
        listed = officer.request("GET", "/api/v1/approvals")
        self.assertEqual(listed.status, 200, listed)
        entry = next(a for a in listed.json["approvals"] if a["id"] == rid)
        self.assertEqual((entry["requested_by"], entry["decided_by"], entry["executed_by"],
                          entry["status"]),
                         ("user:admin", "user:officer", "user:admin", "executed"))
        self.assertEqual(entry["change"]["roles"], ["viewer"])
        self.assertEqual(admin.request("POST", "/api/v1/approvals/999999/approve", {}).status, 404)
        self.assertEqual(officer.request("POST", "/api/v1/approvals/abc/approve", {}).status, 404)

    def test_G2_1_1_i_access_review_is_signed_off_by_digest(self):
        auditor = self.login("auditor1", self.auditor)
        report = auditor.request("GET", "/api/v1/access-review")
        self.assertEqual(report.status, 200, report)
        names = [a["username"] for a in report.json["accounts"]]
        self.assertIn("vendor1", names)
        admin_entry = next(a for a in report.json["accounts"] if a["username"] == "admin")
        self.assertEqual(admin_entry["roles"], ["user_admin", "security_officer"])
        self.assertTrue(admin_entry["granted_by"].startswith("created by cli:"))
        self.assertRegex(report.json["digest"], r"^[0-9a-f]{64}$")
        bad = auditor.request("POST", "/api/v1/access-review/sign-off",
                              {"digest": "0" * 64, "note": "reviewed"})
        self.assertEqual(bad.status, 409, bad)
        good = auditor.request("POST", "/api/v1/access-review/sign-off",
                               {"digest": report.json["digest"], "note": "Q4 review"})
        self.assertEqual(good.status, 201, good)
        offs = auditor.request("GET", "/api/v1/access-review/sign-offs").json["sign_offs"]
        self.assertEqual(offs[0]["reviewer"], "user:auditor1")
        # Operators cannot read it.
        worker = self.login("worker", self.worker)
        self.assertEqual(worker.request("GET", "/api/v1/access-review").status, 403)

    def test_G2_2_2_e_user_sees_and_ends_their_own_sessions(self):
        # Two logins of one user need two TOTP steps: this one and the next.
        first = self.login("worker2", self.worker2)
        second = self.login("worker2", self.worker2, offset_s=30)
        listed = second.request("GET", "/api/v1/session/sessions")
        self.assertEqual(listed.status, 200, listed)
        sessions = listed.json["sessions"]
        self.assertGreaterEqual(len(sessions), 2)
        self.assertEqual(sum(1 for s in sessions if s["current"]), 1)
        self.assertEqual(sessions[0]["source"], "127.0.0.1")
        other = [s for s in sessions if not s["current"]][-1]
        self.assertEqual(second.request("DELETE",
                                        f"/api/v1/session/sessions/{other['id']}").status, 204)
        self.assertEqual(first.request("GET", "/api/v1/session").status, 401)
        self.assertEqual(second.request("GET", "/api/v1/session").status, 200)
        self.assertEqual(second.request("DELETE",
                                        f"/api/v1/session/sessions/{other['id']}").status, 404)
        # An administrator sees the user's sessions and ends one; the user cannot see others'.
        # The admin logs in once per test, at increasing TOTP steps (-30 s, 0, +30 s).
        admin = self.login("admin", self.data.admin_totp, ADMIN_PASSWORD, offset_s=30)
        theirs = admin.request("GET", "/api/v1/users/worker2/sessions")
        self.assertEqual(theirs.status, 200, theirs)
        ids = [s["id"] for s in theirs.json["sessions"]]
        self.assertIn(next(s["id"] for s in sessions if s["current"]), ids)
        self.assertEqual(second.request("GET", "/api/v1/users/admin/sessions").status, 403)
        for sid in ids:
            self.assertEqual(admin.request("DELETE",
                                           f"/api/v1/users/worker2/sessions/{sid}").status, 204)
        self.assertEqual(second.request("GET", "/api/v1/session").status, 401)

    def test_G1_3_vendor_needs_an_approved_maintenance_window(self):
        c = self.server.client()
        self.assertEqual(c.login("vendor1", USER_PASSWORD, self.vendor).status, 401)
        admin = self.login("admin", self.data.admin_totp, ADMIN_PASSWORD, offset_s=-30)
        officer = self.login("officer", self.officer, offset_s=-30)
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        r = admin.request("POST", "/api/v1/approvals",
                          {"kind": "maintenance.window", "username": "vendor1",
                           "start": utc(now - datetime.timedelta(minutes=1)),
                           "end": utc(now + datetime.timedelta(hours=1)),
                           "reason": "replace the RAID controller"})
        self.assertEqual(r.status, 201, r)
        rid = r.json["id"]
        self.assertEqual(officer.request("POST", f"/api/v1/approvals/{rid}/approve", {}).status,
                         200)
        self.assertEqual(admin.request("POST", f"/api/v1/approvals/{rid}/execute").status, 200)
        vendor = self.server.client()
        self.assertEqual(vendor.login("vendor1", USER_PASSWORD, self.vendor, 30).status, 201)
        windows = vendor.request("GET", "/api/v1/maintenance-windows").json["maintenance_windows"]
        self.assertEqual(len(windows), 1)
        self.assertNotEqual(windows[0]["started_at"], "")
        # The vendor has no terminal access even inside the window.
        self.assertEqual(vendor.request("GET", "/api/v1/yard/occupancy").status, 403)
        stop = officer.request("POST", f"/api/v1/maintenance-windows/{windows[0]['id']}/stop",
                               {"reason": "work finished"})
        self.assertEqual(stop.status, 200, stop)
        self.assertEqual(vendor.request("GET", "/api/v1/session").status, 401)


if __name__ == "__main__":
    unittest.main()
