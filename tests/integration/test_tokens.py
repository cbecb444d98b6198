"""Enrolment links (G2.1.1-d/i) and API tokens for lines and hauliers over real TLS."""
import json
import unittest

from harness import ADMIN_PASSWORD, USER_PASSWORD, ServerTestCase, container_id, run, totp


class EnrolmentAndTokensTest(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.planner = data.add_user("planner1", ["planner"])

    def admin(self, offset_s=0):
        c = self.server.client()
        r = c.login("admin", ADMIN_PASSWORD, self.data.admin_totp, offset_s)
        self.assertEqual(r.status, 201, r)
        return c

    def test_G2_1_1_d_account_created_by_link_and_enrolled_by_its_owner(self):
        admin = self.admin()
        r = admin.request("POST", "/api/v1/users",
                          {"username": "newhire", "roles": ["gate_clerk"]})
        self.assertEqual(r.status, 201, r)
        self.assertNotIn("password", json.dumps(r.json))
        # The token and where to post it: the server's own origin (webauthn.origin follows the
        # port the test serves on), never a link to a page that is not served.
        self.assertNotIn("enrolment_url", r.json)
        token = r.json["enrolment_token"]
        self.assertEqual(r.json["enrolment_api"], self.server.origin + "/api/v1/enrolment")
        anon = self.server.client()
        weak = anon.request("POST", "/api/v1/enrolment", {"token": token, "password": "short"})
        self.assertEqual(weak.status, 400, weak)
        done = anon.request("POST", "/api/v1/enrolment", {"token": token, "password": USER_PASSWORD})
        self.assertEqual(done.status, 200, done)
        again = anon.request("POST", "/api/v1/enrolment", {"token": token, "password": USER_PASSWORD})
        self.assertEqual(again.status, 401, again)
        c = self.server.client()
        self.assertEqual(c.login("newhire", USER_PASSWORD, done.json["totp_secret"]).status, 201)
        # Administrative roles cannot be handed out this way by one person.
        r = admin.request("POST", "/api/v1/users", {"username": "boss", "roles": ["auditor"]})
        self.assertEqual(r.status, 403, r)

    def test_line_client_uses_a_bearer_token_and_sees_only_its_line(self):
        out = run(["user", "add", "--data", self.data.path, "--username", "one-api",
                   "--role", "line_client", "--scope", "ONE", "--enrol", "--json"])
        self.assertIn("enrolment_api", json.loads(out.stdout))
        planner = self.server.client()
        self.assertEqual(planner.login("planner1", USER_PASSWORD, self.planner).status, 201)
        mine, other = container_id("ONE", 123), container_id("MSK", 456)
        for cid, line in ((mine, "ONE"), (other, "MSK")):
            r = planner.request("POST", "/api/v1/units",
                                {"container_id": cid, "size_type": "45G1", "category": "import",
                                 "freight": "full", "line_operator": line, "gross_kg": 20000})
            self.assertEqual(r.status, 201, r)
        admin = self.admin(offset_s=30)
        t = admin.request("POST", "/api/v1/users/one-api/tokens",
                          {"name": "booking system", "days": 30,
                           "allowed_sources": "127.0.0.0/8"})
        self.assertEqual(t.status, 201, t)
        token = t.json["token"]
        api = self.server.client()
        auth = {"Authorization": "Bearer " + token}
        self.assertEqual(api.request("GET", f"/api/v1/units/{mine}", headers=auth).status, 200)
        self.assertEqual(api.request("GET", f"/api/v1/units/{other}", headers=auth).status, 404)
        self.assertEqual(api.request("GET", "/api/v1/yard/occupancy", headers=auth).status, 403)
        self.assertEqual(api.request("GET", "/api/v1/session", headers=auth).status, 403)
        bad = {"Authorization": "Bearer " + token[:-2] + "xx"}
        self.assertEqual(api.request("GET", f"/api/v1/units/{mine}", headers=bad).status, 401)
        # Rotation: the successor works; revoking it ends it at once.
        tid = t.json["id"]
        r2 = admin.request("POST", f"/api/v1/users/one-api/tokens/{tid}/rotate")
        self.assertEqual(r2.status, 201, r2)
        auth2 = {"Authorization": "Bearer " + r2.json["token"]}
        self.assertEqual(api.request("GET", f"/api/v1/units/{mine}", headers=auth2).status, 200)
        self.assertEqual(admin.request("DELETE",
                                       f"/api/v1/users/one-api/tokens/{r2.json['id']}").status,
                         204)
        self.assertEqual(api.request("GET", f"/api/v1/units/{mine}", headers=auth2).status, 401)
        listed = admin.request("GET", "/api/v1/users/one-api/tokens").json["tokens"]
        self.assertEqual(len(listed), 2)
        self.assertNotIn(token, str(listed))


if __name__ == "__main__":
    unittest.main()
