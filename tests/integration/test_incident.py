"""G3.1: the incident drill against a real `minato serve` over real TLS. An officer opens an
incident at the server's console (`minato incident open`, beside the running server); the
server applies the containment within a second: sessions end but security staff's, the line's
API token is refused, the listener admits only break-glass sources, and a continuity snapshot
is written. The register and its timeline are read over the API. The evidence bundle (G3.1-b)
is made beside the running server and over the API, and checked on a copy with no database;
one byte changed fails it. Closing ends every measure."""
import http.client
import json
import os
import shutil
import tempfile
import time
import unittest

from harness import ADMIN_PASSWORD, USER_PASSWORD, ServerTestCase, run


def wait_until(check, timeout=5.0):
    """Seconds until check() is true (polled every 50 ms), or None after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.05)
    return None


class IncidentDrill(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.officer = data.add_user("officer", ["security_officer"])
        cls.clerk = data.add_user("clerk", ["gate_clerk"])
        run(["user", "add", "--data", data.path, "--username", "one-api", "--role",
             "line_client", "--scope", "ONE", "--enrol", "--json"])

    def admitted(self, source):
        """Whether the listener serves a request from `source`."""
        try:
            return self.server.client(source).request("GET", "/api/v1/health").status == 200
        except OSError:
            return False

    def incident(self, *args):
        out = run(["incident", *args, "--data", self.data.path, "--json"]).stdout
        return json.loads(out)

    def test_G3_1_c_incident_drill_contains_within_a_second_and_closes(self):
        admin = self.server.client()
        self.assertEqual(admin.login("admin", ADMIN_PASSWORD, self.data.admin_totp).status, 201)
        t = admin.request("POST", "/api/v1/users/one-api/tokens",
                          {"name": "booking system", "days": 30})
        self.assertEqual(t.status, 201, t)
        bearer = {"Authorization": "Bearer " + t.json["token"]}
        api = self.server.client()

        def token_works():
            return api.request("GET", "/api/v1/units/MSKU0000000", headers=bearer).status != 401

        self.assertTrue(token_works())
        clerk = self.server.client()
        self.assertEqual(clerk.login("clerk", USER_PASSWORD, self.clerk).status, 201)
        officer = self.server.client()
        self.assertEqual(officer.login("officer", USER_PASSWORD, self.officer).status, 201)
        snapshots = os.path.join(self.data.path, "continuity")
        before = set(os.listdir(snapshots)) if os.path.isdir(snapshots) else set()
        self.assertTrue(self.admitted("127.0.0.2"))
        # A connection from 127.0.0.2 kept alive across the narrowing (one TLS session, several
        # requests): it must not outlive it.
        kept = http.client.HTTPSConnection("127.0.0.1", self.server.port,
                                           context=self.server.tls_context(), timeout=10,
                                           source_address=("127.0.0.2", 0))
        self.addCleanup(kept.close)
        kept.request("GET", "/api/v1/health")
        first = kept.getresponse()
        first.read()
        self.assertEqual(first.status, 200)

        opened = self.incident("open", "--severity", "critical", "--summary",
                               "ransom note on the planning PC",
                               "--contain", "sessions,tokens,listener")
        decided = time.monotonic()
        iid = opened["incident"]
        # The running server applies what the CLI decided: within a second (its sync).
        ended = wait_until(lambda: clerk.request("GET", "/api/v1/session").status == 401)
        self.assertIsNotNone(ended, "the clerk's session did not end")
        refused = wait_until(lambda: not token_works())
        self.assertIsNotNone(refused, "the API token was not refused")
        delay = time.monotonic() - decided
        print(f"\nincident drill: containment in force {delay:.2f} s after the CLI returned "
              f"(session ended after {ended:.2f} s)")
        self.assertLess(delay, 2.5)
        # Security staff keep working; the listener admits only break-glass sources.
        self.assertEqual(officer.request("GET", "/api/v1/session").status, 200)
        self.assertTrue(self.server.closed_before_tls("127.0.0.2"))
        # The connection kept alive from there is closed at its next request, unanswered.
        with self.assertRaises((http.client.HTTPException, OSError)):
            kept.request("GET", "/api/v1/health")
            kept.getresponse().read()
        # The clerk logs in again from the server's own host (127.0.0.1 is always admitted).
        again = self.server.client()
        self.assertEqual(again.login("clerk", USER_PASSWORD, self.clerk, offset_s=30).status, 201)
        # The continuity snapshot was written at once.
        self.assertGreater(len(set(os.listdir(snapshots)) - before), 0)

        # The register over the API: the officer reads it; the clerk may not.
        listed = officer.request("GET", "/api/v1/incidents")
        self.assertEqual(listed.status, 200, listed)
        self.assertEqual(listed.json["incidents"][0]["state"], "contained")
        self.assertEqual(again.request("GET", "/api/v1/incidents").status, 403)
        r = officer.request("POST", f"/api/v1/incidents/{iid}/entries",
                            {"kind": "reported", "text": "port authority told at 10:40"})
        self.assertEqual(r.status, 201, r)
        r = officer.request("PUT", f"/api/v1/incidents/{iid}/report",
                            {"cause": "phishing mail", "operations_impact": "none"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["report"]["cause"], "phishing mail")
        r = officer.request("PUT", f"/api/v1/incidents/{iid}/report", {"blame": "x"})
        self.assertEqual(r.status, 400, r)
        # G3.1-b: the evidence bundle, made at the server's console beside the running server,
        # checked where there is no database: a copy of the file and of the trusted keys.
        bundle = os.path.join(self.data.root, "evidence.tar")
        made = self.incident("evidence", str(iid), "--out", bundle)
        elsewhere = tempfile.mkdtemp(prefix="minato-evidence-")
        self.addCleanup(shutil.rmtree, elsewhere)
        copy = shutil.copy(bundle, elsewhere)
        trust = shutil.copy(os.path.join(self.data.path, "keys", "audit-trust.txt"), elsewhere)
        started = time.monotonic()
        checked = json.loads(run(["incident", "verify-evidence", copy, "--trust", trust,
                                  "--json"]).stdout)
        print(f"evidence: {made['events']} events, {made['bytes']} bytes, verified in "
              f"{time.monotonic() - started:.2f} s without the database")
        self.assertTrue(checked["intact"])
        self.assertTrue(checked["pinned"])
        self.assertEqual(checked["events"], made["events"])
        self.assertGreaterEqual(checked["logins"], 4)  # admin, clerk, officer, clerk again
        # One byte changed: refused, and the error says where.
        with open(copy, "r+b") as f:
            raw = f.read()
            at = raw.index(b'"action":"incident.open"') + 12
            f.seek(at)
            f.write(b"X")
        broken = run(["incident", "verify-evidence", copy, "--trust", trust], check=False)
        self.assertNotEqual(broken.returncode, 0)
        self.assertRegex(broken.stderr, r"events\.jsonl line \d+ \(event \d+\): its content "
                                        r"does not match its leaf hash")
        # Over the API: the officer gets the tar (a copy stays on the server); a clerk may not.
        r = officer.request("POST", f"/api/v1/incidents/{iid}/evidence", {})
        self.assertEqual(r.status, 201, r.raw[:200])
        self.assertEqual(r.header("content-type"), "application/x-tar")
        self.assertEqual(r.data[:12], b"events.jsonl")
        kept = os.listdir(os.path.join(self.data.path, "evidence"))
        self.assertEqual(len(kept), 1)
        self.assertIn(kept[0], r.header("content-disposition"))
        self.assertEqual(again.request("POST", f"/api/v1/incidents/{iid}/evidence", {}).status,
                         403)
        r = officer.request("POST", f"/api/v1/incidents/{iid}/evidence", {"from": "yesterday"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["error"]["field"], "from")

        measures = officer.request("GET", "/api/v1/containment").json["measures"]
        self.assertEqual(sorted(m["measure"] for m in measures), ["listener", "sessions", "tokens"])
        # A measure ended alone over the API, then the CLI closes the incident.
        r = officer.request("POST", "/api/v1/containment/release",
                            {"measure": "listener", "reason": "firewall rule in place"})
        self.assertEqual(r.status, 200, r)
        self.assertIsNotNone(wait_until(lambda: self.admitted("127.0.0.2")))
        self.incident("close", str(iid), "--reason", "planning PC reimaged; no spread found")
        self.assertIsNotNone(wait_until(token_works), "the token stays refused after the close")
        shown = officer.request("GET", f"/api/v1/incidents/{iid}").json
        self.assertEqual(shown["state"], "closed")
        kinds = [e["kind"] for e in shown["timeline"]]
        self.assertEqual(kinds[0], "detected")
        self.assertIn("reported", kinds)
        self.assertEqual(kinds[-1], "closed")
        self.assertEqual(self.incident("measures")["measures"], [])


if __name__ == "__main__":
    unittest.main()
