"""G2.7.3-e: only the auditor reads the audit log through the API, with filters and pages; each
read is itself an audited access event (A1.4.4). G2.7.3-d: the inclusion and consistency
proofs the API gives verify, in code written here from RFC 9162, against the signed
checkpoints. G2.6.1-d: /metrics, /healthz and /readyz on the management listener only."""
import hashlib
import json
import os
import re
import socket
import sqlite3
import ssl
import time
import urllib.error
import urllib.request

from harness import ADMIN_PASSWORD, ServerTestCase, USER_PASSWORD, run


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf, index, size, proof, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(m, n, old_root, new_root, proof):
    """RFC 9162 section 2.1.4.2."""
    if m == n:
        return not proof and old_root == new_root
    path = list(proof)
    if m & (m - 1) == 0:
        path.insert(0, old_root)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


class AuditApiTest(ServerTestCase):
    CONFIG = {"checkpoint_events": "4"}

    @classmethod
    def prepare(cls, data):
        cls.auditor_totp = data.add_user("auditor1", ["auditor"], USER_PASSWORD)
        cls.officer_totp = data.add_user("officer1", ["security_officer"], USER_PASSWORD)
        cls.clerk_totp = data.add_user("clerk1", ["gate_clerk"], USER_PASSWORD)
        for i in range(6):
            data.add_user(f"viewer{i}", ["viewer"], USER_PASSWORD)

    def auditor(self):
        if not hasattr(self.__class__, "_auditor"):
            c = self.server.client()
            self.assertEqual(c.login("auditor1", USER_PASSWORD, self.auditor_totp).status, 201)
            self.__class__._auditor = c
        return self.__class__._auditor

    def test_G2_7_3_e_only_the_auditor_reads_the_log(self):
        for name, secret in (("officer1", self.officer_totp), ("clerk1", self.clerk_totp)):
            c = self.server.client()
            self.assertEqual(c.login(name, USER_PASSWORD, secret).status, 201)
            for path in ("/api/v1/audit/events", "/api/v1/audit/checkpoints",
                         "/api/v1/audit/proofs/inclusion?seq=1"):
                r = c.request("GET", path)
                self.assertEqual(r.status, 403, (name, path, r))
        self.assertEqual(self.server.client().request("GET", "/api/v1/audit/events").status, 401)
        # The refusals are themselves in the log, as denied access to the audit log.
        r = self.auditor().request("GET", "/api/v1/audit/events?action=audit.read&limit=1000")
        denied = [e for e in r.json["events"] if e["result"] == "denied"]
        self.assertTrue(any(e["subject"] == "user:officer1" for e in denied), denied)
        self.assertTrue(any(e["subject"] == "user:clerk1" for e in denied))

    def test_G2_7_3_e_filters_and_pages(self):
        a = self.auditor()
        r = a.request("GET", "/api/v1/audit/events?action=user.create&limit=3")
        self.assertEqual(r.status, 200, r)
        first = r.json["events"]
        self.assertEqual(len(first), 3)
        self.assertTrue(all(e["action"] == "user.create" for e in first))
        self.assertIsNotNone(r.json["next_after"])
        seen = [e["seq"] for e in first]
        after = r.json["next_after"]
        while after is not None:
            r = a.request("GET", f"/api/v1/audit/events?action=user.create&limit=3&after={after}")
            seen += [e["seq"] for e in r.json["events"]]
            after = r.json["next_after"]
        self.assertEqual(len(seen), 10)  # admin + 9 users
        self.assertEqual(seen, sorted(seen))
        r = a.request("GET", "/api/v1/audit/events?target=user:viewer3")
        self.assertEqual([e["target"] for e in r.json["events"]], ["user:viewer3"])
        r = a.request("GET", "/api/v1/audit/events?action=session.&subject=anonymous")
        self.assertTrue(all(e["action"].startswith("session.") for e in r.json["events"]))
        # Time range: nothing before 2000, everything before 2100.
        r = a.request("GET", "/api/v1/audit/events?to=2000-01-01T00:00:00Z")
        self.assertEqual(r.json["events"], [])
        # Events carry the request id of the HTTP request that made them.
        login = self.server.client()
        resp = login.request("POST", "/api/v1/session",
                             {"username": "viewer0", "password": "wrong-password-1A!",
                              "totp": "000000"})
        rid = resp.header("x-request-id")
        self.assertTrue(rid)
        r = a.request("GET", "/api/v1/audit/events?action=session.create&target=user:viewer0")
        self.assertIn(rid, [e["request_id"] for e in r.json["events"]])
        # Bad parameters are refused with the parameter's name.
        for bad in ("limit=0", "limit=abc", "from=yesterday", "nosuch=1", "limit=1&limit=2",
                    "subject=%zz"):
            r = a.request("GET", "/api/v1/audit/events?" + bad)
            self.assertEqual(r.status, 400, (bad, r))

    def test_A1_4_4_reading_the_log_is_itself_audited(self):
        a = self.auditor()
        a.request("GET", "/api/v1/audit/events?target=user:viewer5")
        r = a.request("GET", "/api/v1/audit/events?action=audit.read&subject=user:auditor1"
                             "&limit=1000")
        reads = r.json["events"]
        self.assertTrue(any(e["change"].get("target") == "user:viewer5" for e in reads), reads)
        self.assertTrue(all(e["credential"].startswith("session:") for e in reads))

    def test_A1_4_4_reading_another_users_login_history_is_audited(self):
        a = self.auditor()
        r = a.request("GET", "/api/v1/users/viewer2/logins")
        self.assertEqual(r.status, 200, r)
        r = a.request("GET", "/api/v1/audit/events?action=data.read&target=user:viewer2")
        reads = [e for e in r.json["events"] if e["subject"] == "user:auditor1"]
        self.assertEqual(len(reads), 1, r.json)
        self.assertEqual(reads[0]["change"], {"read": "login history"})

    def test_G2_7_3_d_proofs_verify_against_signed_checkpoints(self):
        a = self.auditor()
        cps = a.request("GET", "/api/v1/audit/checkpoints").json["checkpoints"]
        self.assertGreaterEqual(len(cps), 2)
        old, new = cps[0], cps[-1]
        for seq in range(1, new["size"] + 1):
            p = a.request("GET", f"/api/v1/audit/proofs/inclusion?seq={seq}&size={new['size']}")
            self.assertEqual(p.status, 200, p)
            p = p.json
            self.assertEqual(p["root"], new["root"])
            self.assertTrue(verify_inclusion(bytes.fromhex(p["leaf"]), seq - 1, new["size"],
                                             [bytes.fromhex(h) for h in p["path"]],
                                             bytes.fromhex(new["root"])), seq)
        c = a.request("GET", f"/api/v1/audit/proofs/consistency?from={old['size']}"
                             f"&to={new['size']}").json
        self.assertEqual(c["old_root"], old["root"])
        self.assertTrue(verify_consistency(old["size"], new["size"], bytes.fromhex(old["root"]),
                                           bytes.fromhex(new["root"]),
                                           [bytes.fromhex(h) for h in c["path"]]))
        # A proof against another root fails (the check can fail).
        self.assertFalse(verify_consistency(old["size"], new["size"], bytes.fromhex(new["root"]),
                                            bytes.fromhex(new["root"]),
                                            [bytes.fromhex(h) for h in c["path"]]))
        r = a.request("GET", f"/api/v1/audit/proofs/inclusion?seq={new['size'] + 10**6}")
        self.assertEqual(r.status, 400)

    def management(self, path, source=None):
        ctx = ssl.create_default_context(cafile=self.data.cert)
        ctx.check_hostname = False
        return urllib.request.urlopen(
            f"https://127.0.0.1:{self.server.management_port}{path}", context=ctx, timeout=10)

    def test_G2_6_1_d_metrics_health_and_readiness(self):
        body = self.management("/metrics").read().decode()
        for name in ("minato_http_requests_total", "minato_http_request_duration_seconds_bucket",
                     "minato_write_commands_total", "minato_write_queue_depth",
                     "minato_login_failures_total", "minato_account_lockouts_total",
                     "minato_source_blocks_total", "minato_audit_events",
                     "minato_audit_ship_lag_seconds", "minato_backup_age_seconds"):
            self.assertIn(name, body)
        # Every sample line is "name{labels} value".
        for line in body.splitlines():
            if line and not line.startswith("#"):
                self.assertRegex(line, r'^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? \S+$')
        before = float(re.search(r"^minato_login_failures_total (\S+)$", body, re.M).group(1))
        self.server.client().request("POST", "/api/v1/session",
                                     {"username": "viewer1", "password": "wrong-password-1A!",
                                      "totp": "000000"})
        body = self.management("/metrics").read().decode()
        after = float(re.search(r"^minato_login_failures_total (\S+)$", body, re.M).group(1))
        self.assertEqual(after, before + 1)
        self.assertEqual(json.loads(self.management("/healthz").read())["status"], "ok")
        self.assertEqual(json.loads(self.management("/readyz").read())["status"], "ready")
        with self.assertRaises(urllib.error.HTTPError) as e:
            self.management("/api/v1/units")
        self.assertEqual(e.exception.code, 404)
        # The API listener does not serve them.
        self.assertEqual(self.server.client().request("GET", "/metrics").status, 404)


class IdleWriterTest(ServerTestCase):
    """Issue 18: a server that handled a few commands spun on empty write transactions (617,368
    of them) after `audit verify` ran beside it: the CLI checkpointed the server's tree, the
    server's own checkpoint of the same size then failed, stayed due, and was tried again
    without end. An idle server commits nothing, and `audit verify` writes nothing."""
    CONFIG = {"checkpoint_seconds": "2", "heartbeat_seconds": "3600"}

    def transactions(self):
        ctx = ssl.create_default_context(cafile=self.data.cert)
        ctx.check_hostname = False
        body = urllib.request.urlopen(
            f"https://127.0.0.1:{self.server.management_port}/metrics", context=ctx,
            timeout=10).read().decode()
        for line in body.splitlines():
            if line.startswith("minato_write_transactions_total"):
                return int(float(line.split()[-1]))
        raise AssertionError("no minato_write_transactions_total in /metrics")

    def checkpoints(self):
        db = sqlite3.connect(f"file:{self.data.db}?mode=ro", uri=True)
        try:
            return db.execute("SELECT count(*) FROM audit_checkpoints").fetchone()[0]
        finally:
            db.close()

    def test_an_idle_server_commits_nothing_with_cli_reads_beside_it(self):
        c = self.server.client()
        self.assertEqual(c.login("admin", ADMIN_PASSWORD, self.data.admin_totp).status, 201)
        # Right after the login's events, before the server's checkpoint is due, the CLI reads
        # beside it: verify writes nothing; export (a CLI run like any other) may checkpoint.
        before = self.checkpoints()
        verify = run(["audit", "verify", "--data", self.data.path, "--json"])
        self.assertTrue(json.loads(verify.stdout)["intact"])
        self.assertEqual(self.checkpoints(), before)
        run(["audit", "export", "--data", self.data.path, "--output",
             os.path.join(self.data.root, "export.jsonl")])
        time.sleep(3)  # the server's checkpoint falls due (every 2 s here) and is settled
        start = self.transactions()
        time.sleep(10)
        self.assertEqual(self.transactions(), start)
        verify = run(["audit", "verify", "--data", self.data.path, "--json"])
        self.assertTrue(json.loads(verify.stdout)["intact"], verify.stdout)
