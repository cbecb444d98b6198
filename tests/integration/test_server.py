"""Integration tests against a real `minato serve` over real TLS (issue 2's proofs).

Test names carry the guideline item they prove where there is one.
"""
import os
import socket
import ssl
import subprocess
import time
import unittest

from harness import ADMIN_PASSWORD, USER_PASSWORD, ServerTestCase, container_id, totp

SECURITY_HEADERS = {
    "strict-transport-security": "max-age=",
    "content-security-policy": "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


class LoginTest(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.secrets = {name: data.add_user(name, ["planner", "gate_clerk"])
                       for name in ("alice", "bob", "carol", "dave", "erin")}

    def test_G2_1_1_b_login_with_password_and_totp_from_oathtool(self):
        c = self.server.client()
        r = c.login("alice", USER_PASSWORD, self.secrets["alice"])
        self.assertEqual(r.status, 201, r)
        cookie = r.header("set-cookie")
        self.assertTrue(cookie.startswith("__Host-minato_session="))
        for attr in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(attr, cookie)
        self.assertNotIn("Domain", cookie)
        self.assertEqual(r.json["roles"], ["planner", "gate_clerk"])
        me = c.request("GET", "/api/v1/session")
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json["username"], "alice")
        # G2.2.2-e: the user sees their own login history; not someone else's.
        hist = c.request("GET", "/api/v1/session/history")
        self.assertEqual(hist.status, 200, hist)
        self.assertEqual(hist.json["logins"][0]["result"], "success")
        self.assertEqual(hist.json["logins"][0]["source"], "127.0.0.1")
        # The first login from here is a new source (G2.1.1-f; no recipients configured here).
        self.assertEqual(hist.json["logins"][0]["detail"],
                         "password and TOTP; new source 127.0.0.1/32 (0 alerts queued)")
        self.assertEqual(c.request("GET", "/api/v1/users/bob/logins").status, 403)
        # Logout ends the session.
        out = c.request("DELETE", "/api/v1/session")
        self.assertEqual(out.status, 204, out)
        self.assertEqual(c.request("GET", "/api/v1/session").status, 401)

    def test_G2_1_1_b_totp_code_is_accepted_once(self):
        code = totp(self.secrets["bob"])
        body = {"username": "bob", "password": USER_PASSWORD, "totp": code}
        first = self.server.client().request("POST", "/api/v1/session", body)
        self.assertEqual(first.status, 201, first)
        again = self.server.client().request("POST", "/api/v1/session", body)
        self.assertEqual(again.status, 401, again)

    def test_G2_1_1_b_password_alone_is_not_enough(self):
        c = self.server.client()
        r = c.request("POST", "/api/v1/session",
                      {"username": "carol", "password": USER_PASSWORD, "totp": "000000"})
        self.assertEqual(r.status, 401)
        r = c.request("POST", "/api/v1/session", {"username": "carol", "password": USER_PASSWORD})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["error"]["field"], "second_factor")

    def test_G2_1_1_e_lockout_after_five_failures(self):
        c = self.server.client()
        for _ in range(5):
            r = c.request("POST", "/api/v1/session",
                          {"username": "dave", "password": "Wrong#Password1", "totp": "123456"})
            self.assertEqual(r.status, 401)
        # A guess at a locked account gets the answer a user that does not exist gets ...
        guess = c.request("POST", "/api/v1/session",
                          {"username": "dave", "password": "Wrong#Password2", "totp": "123456"})
        ghost = c.request("POST", "/api/v1/session",
                          {"username": "ghost", "password": USER_PASSWORD, "totp": "123456"})
        self.assertEqual(ghost.status, 401)
        self.assertEqual(ghost.raw, guess.raw)
        # ... and the owner, with both factors right, is told of the lock and until when.
        r = c.login("dave", USER_PASSWORD, self.secrets["dave"])
        self.assertEqual(r.status, 403, "a locked account must refuse correct credentials")
        self.assertEqual(r.json["error"]["field"], "account")
        self.assertIn("locked after repeated failed logins until", r.json["error"]["message"])
        # A security administrator ends the lock (audited); the user can log in again.
        admin = self.server.client()
        self.assertEqual(admin.login("admin", ADMIN_PASSWORD, self.data.admin_totp).status, 201)
        history = admin.request("GET", "/api/v1/users/dave/logins")
        self.assertEqual(history.status, 200, history)
        self.assertEqual([h["result"] for h in history.json["logins"]], ["failure"] * 7)
        self.assertIn("account locked", history.json["logins"][0]["detail"])
        self.assertEqual(admin.request("POST", "/api/v1/users/dave/unlock", csrf=False).status, 403)
        unlocked = admin.request("POST", "/api/v1/users/dave/unlock")
        self.assertEqual(unlocked.status, 200, unlocked)
        self.assertEqual(c.login("dave", USER_PASSWORD, self.secrets["dave"], offset_s=30).status,
                         201)

    def test_G2_2_1_g_every_attempt_is_audited_with_source_and_result(self):
        c = self.server.client()
        c.request("POST", "/api/v1/session",
                  {"username": "erin", "password": "Wrong#Password1", "totp": "123456"})
        import sqlite3
        db = sqlite3.connect(self.data.db)
        rows = db.execute("SELECT subject, source, action, target, result, reason FROM audit_events"
                          " WHERE target = 'user:erin' AND action = 'session.create'").fetchall()
        db.close()
        self.assertTrue(rows)
        self.assertEqual(rows[-1][1], "127.0.0.1")
        self.assertEqual(rows[-1][4], "failure")
        self.assertIn("wrong password", rows[-1][5])

    def test_login_needs_json(self):
        c = self.server.client()
        r = c.request("POST", "/api/v1/session", raw_body="username=a&password=b",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 415)


class HttpHardeningTest(ServerTestCase):
    CONFIG = {"request_timeout_s": 3, "keepalive_timeout_s": 3}

    @classmethod
    def prepare(cls, data):
        cls.secret = data.add_user("gina", ["planner", "gate_clerk"])

    def test_A1_4_2_security_headers_on_every_response(self):
        c = self.server.client()
        for r in (c.request("GET", "/api/v1/health"), c.request("GET", "/api/v1/yard/occupancy"),
                  c.request("GET", "/no/such/thing")):
            for name, expect in SECURITY_HEADERS.items():
                self.assertIn(expect, r.header(name) or "", f"{name} on {r.status}")
            self.assertIsNone(r.header("server"))

    def test_errors_are_json_without_internals(self):
        for path in ("/no/such/thing", "/api/v1/no/such/thing", "/admin.php"):
            r = self.server.client().request("GET", path)
            self.assertEqual(r.status, 404, path)
            self.assertEqual(r.json["error"]["code"], "not_found")
        # The console's screens (and paths under them) are its page, never cached.
        for path in ("/", "/yard", "/units/CSQU3054383"):
            r = self.server.client().request("GET", path)
            self.assertEqual(r.status, 200, path)
            self.assertIn("<minato-app>", r.raw)
            self.assertEqual(r.header("cache-control"), "no-store")
        r = self.server.client().request("PUT", "/api/v1/session")
        self.assertEqual(r.status, 405)
        self.assertIn("POST", r.header("allow"))

    def test_G2_3_b_tls_1_1_is_refused(self):
        # SECLEVEL=0 lets the client offer TLS 1.1, so a refusal is the server's.
        p = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{self.server.port}",
                            "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],
                           input="", capture_output=True, text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn("Cipher is (NONE)", p.stdout)
        self.assertIn("alert protocol version", p.stderr)

    def test_G2_3_b_non_aead_suite_is_refused_and_aead_accepted(self):
        base = ["openssl", "s_client", "-connect", f"127.0.0.1:{self.server.port}", "-tls1_2"]
        bad = subprocess.run(base + ["-cipher", "ECDHE-ECDSA-AES128-SHA256:AES128-SHA"],
                             input="", capture_output=True, text=True, timeout=30)
        self.assertNotEqual(bad.returncode, 0, bad.stdout)
        self.assertIn("Cipher is (NONE)", bad.stdout)
        good = subprocess.run(base + ["-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"],
                              input="", capture_output=True, text=True, timeout=30)
        self.assertEqual(good.returncode, 0, good.stderr)
        self.assertIn("ECDHE-ECDSA-AES128-GCM-SHA256", good.stdout)

    def test_tls_1_3_works(self):
        ctx = self.server.tls_context()
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
                self.assertEqual(t.version(), "TLSv1.3")

    def test_G2_2_1_f_oversize_header_gets_431(self):
        r = self.server.client().request("GET", "/api/v1/health", headers={"X-Pad": "a" * 10000})
        self.assertEqual(r.status, 431)

    def test_G2_2_1_f_oversize_body_gets_413_before_it_is_sent(self):
        with self.server.raw_tls() as t:
            t.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n")
            reply = t.recv(4096).decode()
        self.assertTrue(reply.startswith("HTTP/1.1 413"), reply)

    def test_G2_2_1_f_body_larger_than_declared_limit_in_chunks_gets_413(self):
        with self.server.raw_tls() as t:
            t.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"x" * 65536
            reply = b""
            try:
                for _ in range(40):  # 2.5 MiB, over the 1 MiB limit
                    t.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            except OSError:
                pass
            try:
                reply = t.recv(4096)
            except OSError:
                pass
        self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply[:100])

    def test_G2_2_1_f_slow_client_is_cut_off(self):
        # request_timeout_s is 3 here: one byte a second must not keep the connection.
        request = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 40
        t = self.server.raw_tls()
        t.settimeout(15)
        sent = 0
        closed = False
        try:
            for byte in request:
                t.sendall(bytes([byte]))
                sent += 1
                time.sleep(1)
                t.setblocking(False)
                try:
                    if t.recv(1) == b"":
                        closed = True
                        break
                except ssl.SSLWantReadError:
                    pass
                finally:
                    t.setblocking(True)
        except (OSError, ssl.SSLError):
            closed = True
        finally:
            t.close()
        self.assertTrue(closed, f"server kept a trickling client for {sent} s")
        self.assertLess(sent, len(request))

    def test_handshake_that_never_comes_is_cut_off(self):
        # A TCP client that never starts TLS is dropped after the handshake deadline.
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=30) as s:
            s.settimeout(30)
            self.assertEqual(s.recv(1), b"")

    def test_plain_http_is_not_served(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=15) as s:
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            try:
                data = s.recv(100)
            except OSError:
                pass
            self.assertNotIn(b"200 OK", data)


class LoginFloodTest(ServerTestCase):
    # One Argon2id thread with a queue of one: a burst of logins must be refused, not queued.
    CONFIG = {"threads": 1, "queue": 1, "source_failure_threshold": 1000}

    def test_G2_2_1_f_login_flood_is_refused_and_the_api_stays_up(self):
        import concurrent.futures
        body = {"username": "admin", "password": "Wrong#Password1", "totp": "123456"}

        def attempt(_):
            return self.server.client().request("POST", "/api/v1/session", body).status

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(attempt, range(24)))
        self.assertIn(429, statuses, statuses)
        self.assertTrue(set(statuses) <= {401, 429}, statuses)
        self.assertEqual(self.server.client().request("GET", "/api/v1/health").status, 200)
        # Every refused attempt is on record: one audit event each when the login pool was
        # full, and per-source counts (session.shed) when the server shed them at once; the
        # counts are written each minute and at shutdown.
        self.server.stop()
        import sqlite3
        db = sqlite3.connect(self.data.db)
        busy = db.execute("SELECT count(*) FROM audit_events WHERE action = 'session.create'"
                          " AND reason = 'login pool saturated'").fetchone()[0]
        shed = sum(int(r.split(" ", 1)[0]) for (r,) in db.execute(
            "SELECT reason FROM audit_events WHERE action = 'session.shed'"
            " AND target = 'source:127.0.0.1'"))
        db.close()
        self.assertEqual(busy + shed, statuses.count(429))


class SourceBlockTest(ServerTestCase):
    CONFIG = {"source_failure_threshold": 5, "source_block_s": 60}

    @classmethod
    def prepare(cls, data):
        cls.secret = data.add_user("jun", ["viewer"])

    def test_G2_2_2_f_failing_source_is_blocked_before_tls_and_others_are_not(self):
        attacker = self.server.client(source="127.0.0.2")
        for i in range(5):
            r = attacker.request("POST", "/api/v1/session",
                                 {"username": f"guess{i}", "password": "Wrong#Password1",
                                  "totp": "123456"})
            self.assertEqual(r.status, 401)
        # New connections from the blocked address are closed before the TLS handshake.
        self.assertTrue(self.server.closed_before_tls(source="127.0.0.2"))
        with self.assertRaises((OSError, ssl.SSLError)):
            attacker.request("GET", "/api/v1/health")
        # Everyone else keeps working.
        user = self.server.client()
        self.assertEqual(user.login("jun", USER_PASSWORD, self.secret).status, 201)
        self.assertEqual(user.request("GET", "/api/v1/yard/occupancy").status, 200)
        import sqlite3
        db = sqlite3.connect(self.data.db)
        rows = db.execute("SELECT reason FROM audit_events WHERE action = 'source.block'"
                          " AND target = 'source:127.0.0.2'").fetchall()
        db.close()
        self.assertEqual(len(rows), 1)
        self.assertIn("5 failed logins", rows[0][0])


class SessionLimitTest(ServerTestCase):
    CONFIG = {"max_sessions_per_user": 1, "session_limit": '"refuse_new"'}

    @classmethod
    def prepare(cls, data):
        cls.secret = data.add_user("kai", ["viewer"])

    def test_G2_2_1_d_second_concurrent_session_is_refused(self):
        first = self.server.client()
        self.assertEqual(first.login("kai", USER_PASSWORD, self.secret).status, 201)
        second = self.server.client()
        r = second.login("kai", USER_PASSWORD, self.secret, offset_s=30)
        self.assertEqual(r.status, 409, r)
        self.assertIn("log out of one first", r.json["error"]["message"])
        # After logging out the first session, the refused code (never accepted) logs in.
        self.assertEqual(first.request("DELETE", "/api/v1/session").status, 204)
        self.assertEqual(second.login("kai", USER_PASSWORD, self.secret, offset_s=30).status, 201)


class AccountLifecycleTest(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.secret = data.add_user("mio", ["gate_clerk"])

    def test_G2_1_2_b_self_reported_compromise_then_admin_reenables(self):
        user = self.server.client()
        self.assertEqual(user.login("mio", USER_PASSWORD, self.secret).status, 201)
        r = user.request("POST", "/api/v1/session/compromised")
        self.assertEqual(r.status, 200, r)
        self.assertIn("Max-Age=0", r.header("set-cookie"))
        self.assertEqual(user.request("GET", "/api/v1/session").status, 401)
        again = self.server.client().login("mio", USER_PASSWORD, self.secret, offset_s=30)
        self.assertEqual(again.status, 401)

        admin = self.server.client()
        self.assertEqual(admin.login("admin", ADMIN_PASSWORD, self.data.admin_totp).status, 201)
        bad = admin.request("POST", "/api/v1/users/mio/disable", {"reason": "x", "extra": 1})
        self.assertEqual(bad.status, 400)
        self.assertEqual(admin.request("POST", "/api/v1/users/mio/enable").status, 200)
        self.assertEqual(admin.request("POST", "/api/v1/users/mio/enable").status, 409)
        back = self.server.client().login("mio", USER_PASSWORD, self.secret, offset_s=30)
        self.assertEqual(back.status, 201, back)


class PasswordChangeTest(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.secret = data.add_user("noa", ["viewer"])

    def test_G2_2_2_c_change_password_through_the_api(self):
        c = self.server.client()
        self.assertEqual(c.login("noa", USER_PASSWORD, self.secret).status, 201)
        new = "Tq5$wRz9!mXe-quay2"
        wrong = c.request("POST", "/api/v1/session/password",
                          {"current_password": "Wrong#Password1", "new_password": new})
        self.assertEqual(wrong.status, 401, wrong)
        common = c.request("POST", "/api/v1/session/password",
                           {"current_password": USER_PASSWORD, "new_password": "Password123!"})
        self.assertEqual(common.status, 400, common)
        self.assertNotIn("Password123!", common.raw)
        ok = c.request("POST", "/api/v1/session/password",
                       {"current_password": USER_PASSWORD, "new_password": new})
        self.assertEqual(ok.status, 204, ok)
        old = self.server.client().request(
            "POST", "/api/v1/session",
            {"username": "noa", "password": USER_PASSWORD, "totp": "000000"})
        self.assertEqual(old.status, 401)
        self.assertEqual(self.server.client().login("noa", new, self.secret, offset_s=30).status,
                         201)


class SourceRulesTest(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.secret = data.add_user("vendor", ["viewer"], allow_from="127.0.0.2/32")

    def test_G2_1_1_a_account_usable_only_from_its_sources(self):
        elsewhere = self.server.client()
        r = elsewhere.login("vendor", USER_PASSWORD, self.secret)
        self.assertEqual(r.status, 401, r)
        vendor = self.server.client(source="127.0.0.2")
        self.assertEqual(vendor.login("vendor", USER_PASSWORD, self.secret).status, 201)
        self.assertEqual(vendor.request("GET", "/api/v1/yard/occupancy").status, 200)
        # The session cookie does not work from another address either.
        stolen = self.server.client()
        stolen.cookie = vendor.cookie
        self.assertEqual(stolen.request("GET", "/api/v1/yard/occupancy").status, 401)


class ListenerAllowListTest(ServerTestCase):
    CONFIG = {"allow_sources": '"127.0.0.2/32"'}

    def test_G2_1_1_a_unlisted_sources_are_closed_before_tls(self):
        self.assertTrue(self.server.closed_before_tls())
        listed = self.server.client(source="127.0.0.2")
        self.assertEqual(listed.request("GET", "/api/v1/health").status, 200)


class ConnectionLimitTest(ServerTestCase):
    CONFIG = {"max_connections_per_source": 4}

    def test_G2_2_1_f_connections_per_source_are_capped_before_tls(self):
        held = [self.server.raw_tls() for _ in range(4)]
        try:
            # The fifth connection from the same address is closed before any TLS work.
            self.assertTrue(self.server.closed_before_tls())
        finally:
            for t in held:
                t.close()
        # Once they are gone, the same source is served again.
        for _ in range(100):
            try:
                if self.server.client().request("GET", "/api/v1/health").status == 200:
                    break
            except (OSError, ssl.SSLError):
                pass  # the server has not yet seen all of them close
            time.sleep(0.1)
        else:
            self.fail("source not admitted again after its connections closed")


class TerminalApiTest(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.secret = data.add_user("hana", ["planner", "gate_clerk"])
        cls.viewer_secret = data.add_user("ivan", ["viewer"])

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c = cls.server.client()
        r = cls.c.login("hana", USER_PASSWORD, cls.secret)
        assert r.status == 201, r

    def occupancy(self):
        r = self.c.request("GET", "/api/v1/yard/occupancy")
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_csrf_token_required_on_state_changes(self):
        body = {"id": "CSRF-1", "vessel_name": "X", "imo": "9321483", "berth": "T1",
                "eta": "2026-12-01T06:00:00Z", "etd": "2026-12-02T06:00:00Z"}
        no = self.c.request("POST", "/api/v1/vessel-visits", body, csrf=False)
        self.assertEqual(no.status, 403, no)
        wrong = self.c.request("POST", "/api/v1/vessel-visits", body,
                               headers={"X-CSRF-Token": "forged"})
        self.assertEqual(wrong.status, 403, wrong)
        good = self.c.request("POST", "/api/v1/vessel-visits", body)
        self.assertEqual(good.status, 201, good)
        listed = self.c.request("GET", "/api/v1/vessel-visits").json["vessel_visits"]
        self.assertEqual([v["id"] for v in listed].count("CSRF-1"), 1)

    def test_block_gate_in_unit_history_gate_out_and_occupancy(self):
        r = self.c.request("POST", "/api/v1/yard/blocks", {"name": "C1", "bays": 10, "rows": 6,
                                                           "tiers": 4})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["capacity_teu"], 240)
        advised = container_id("TST", 100001)
        r = self.c.request("POST", "/api/v1/units",
                           {"container_id": advised, "size_type": "45R1", "category": "import",
                            "freight": "full", "line_operator": "ONE", "gross_kg": 28000})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["state"], "advised")
        r = self.c.request("POST", "/api/v1/gate/in",
                           {"container_id": advised.lower(), "truck_plate": "ngy-1",
                            "slot": "C1-2-3-1"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["unit"]["slot"], "C1-02-03-1")
        # Gate-in of an unadvised export unit with its data given at the gate.
        walk_in = container_id("TST", 100002)
        r = self.c.request("POST", "/api/v1/gate/in",
                           {"container_id": walk_in, "truck_plate": "NGY-2", "slot": "C1-5-3-1",
                            "size_type": "2200", "category": "export", "freight": "empty",
                            "line_operator": "MSK", "gross_kg": 2300})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["unit"]["iso_size_type"], "22G1")
        occupied = self.c.request("POST", "/api/v1/gate/in",
                                  {"container_id": container_id("TST", 100003),
                                   "truck_plate": "NGY-3", "slot": "C1-5-3-1",
                                   "size_type": "22G1", "category": "storage", "freight": "full",
                                   "line_operator": "ONE", "gross_kg": 9000})
        self.assertEqual(occupied.status, 409, occupied)
        nowhere = self.c.request("POST", "/api/v1/gate/in",
                                 {"container_id": container_id("TST", 100003),
                                  "truck_plate": "NGY-3", "slot": "Q1-01-01-1",
                                  "size_type": "22G1", "category": "storage", "freight": "full",
                                  "line_operator": "ONE", "gross_kg": 9000})
        self.assertEqual(nowhere.status, 400, nowhere)
        self.assertEqual(nowhere.json["error"]["field"], "slot")

        occ = self.occupancy()
        c1 = [b for b in occ["blocks"] if b["block"] == "C1"][0]
        self.assertEqual(c1["units"], 2)
        self.assertEqual(c1["used_teu"], 3)

        # An import full unit leaves against the PIN its line released it with.
        unreleased = self.c.request("POST", "/api/v1/gate/out",
                                    {"container_id": advised, "truck_plate": "NGY-9"})
        self.assertEqual(unreleased.status, 409, unreleased)
        r = self.c.request("POST", f"/api/v1/units/{advised}/release", {"pin": "48213377"})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["pin_set"])
        out = self.c.request("POST", "/api/v1/gate/out",
                             {"container_id": advised, "truck_plate": "NGY-9", "pin": "48213377"})
        self.assertEqual(out.status, 201, out)
        again = self.c.request("POST", "/api/v1/gate/out",
                               {"container_id": advised, "truck_plate": "NGY-9",
                                "pin": "48213377"})
        self.assertEqual(again.status, 409, again)
        unit = self.c.request("GET", f"/api/v1/units/{advised}")
        self.assertEqual(unit.status, 200, unit)
        self.assertEqual(unit.json["state"], "departed")
        self.assertEqual([(m["kind"], m["from"], m["to"]) for m in unit.json["moves"]],
                         [("gate_in", "gate", "C1-02-03-1"), ("gate_out", "C1-02-03-1", "gate")])
        self.assertTrue(all(m["by"] == "user:hana" for m in unit.json["moves"]))
        c1 = [b for b in self.occupancy()["blocks"] if b["block"] == "C1"][0]
        self.assertEqual(c1["units"], 1)

    def test_idempotency_key_makes_a_retried_gate_in_one_gate_in(self):
        r = self.c.request("PUT", "/api/v1/yard/layout",
                           {"blocks": [{"name": "D1", "bays": 6, "rows": 4, "tiers": 3,
                                        "reefer": ["01-05/1"]},
                                       {"name": "H1", "bays": 4, "rows": 4, "tiers": 2,
                                        "hazardous": True}],
                            "berths": [{"name": "T1", "length_m": 350}],
                            "lanes": [{"name": "IN1", "direction": "in"}]})
        self.assertEqual(r.status, 200, r)
        self.assertIn("D1", [b["name"] for b in r.json["blocks"]])
        cid = container_id("IDM", 100001)
        body = {"container_id": cid, "truck_plate": "NGY-7", "size_type": "22G1",
                "category": "storage", "freight": "full", "line_operator": "ONE",
                "gross_kg": 12000}
        key = {"Idempotency-Key": "gate-" + cid}
        first = self.c.request("POST", "/api/v1/gate/in", body, headers=key)
        self.assertEqual(first.status, 201, first)
        slot = first.json["unit"]["slot"]
        self.assertTrue(slot, first)  # allocated: no slot was given
        retry = self.c.request("POST", "/api/v1/gate/in", body, headers=key)
        self.assertEqual(retry.status, 201, retry)
        self.assertEqual(retry.headers.get("idempotent-replayed"), "true")
        self.assertEqual(retry.json, first.json)
        # A retried unit edit gets its ETag back too.
        spec = {"container_id": container_id("IDM", 100002), "size_type": "22G1",
                "category": "storage", "freight": "full", "line_operator": "ONE",
                "gross_kg": 9000}
        made = self.c.request("POST", "/api/v1/units", spec, headers={"Idempotency-Key": "u-2"})
        again = self.c.request("POST", "/api/v1/units", spec, headers={"Idempotency-Key": "u-2"})
        self.assertEqual((made.status, again.status), (201, 201), again)
        self.assertEqual(again.headers.get("etag"), made.headers["etag"])
        other = dict(body, truck_plate="NGY-8")
        reused = self.c.request("POST", "/api/v1/gate/in", other, headers=key)
        self.assertEqual(reused.status, 400, reused)
        self.assertEqual(reused.json["error"]["field"], "Idempotency-Key")
        unit = self.c.request("GET", f"/api/v1/units/{cid}").json
        self.assertEqual([m["kind"] for m in unit["moves"]], ["gate_in"])

    def test_unit_edits_need_the_current_etag(self):
        cid = container_id("ETG", 100001)
        spec = {"container_id": cid, "size_type": "45R1", "category": "export",
                "freight": "full", "line_operator": "ONE", "gross_kg": 21000}
        r = self.c.request("POST", "/api/v1/units", spec)
        self.assertEqual(r.status, 201, r)
        etag = r.headers["etag"]
        self.assertEqual(etag, '"v1"')
        edited = dict(spec, seals=["SL-77"], reefer={"set_point_c": -18.5},
                      vgm={"kg": 21350, "method": "method1", "party": "SHIPPER KK"},
                      dangerous_goods=[{"un_number": "UN1203", "imdg_class": "3"}])
        no_etag = self.c.request("PUT", f"/api/v1/units/{cid}", edited)
        self.assertEqual(no_etag.status, 412, no_etag)
        ok = self.c.request("PUT", f"/api/v1/units/{cid}", edited, headers={"If-Match": etag})
        self.assertEqual(ok.status, 200, ok)
        self.assertEqual(ok.headers["etag"], '"v2"')
        self.assertEqual(ok.json["reefer"]["set_point_c"], -18.5)
        self.assertEqual(ok.json["dangerous_goods"], [{"un_number": "1203", "imdg_class": "3"}])
        stale = self.c.request("PUT", f"/api/v1/units/{cid}", spec, headers={"If-Match": etag})
        self.assertEqual(stale.status, 412, stale)
        bad = self.c.request("PUT", f"/api/v1/units/{cid}",
                             dict(spec, vgm={"kg": 0, "method": "method1", "party": "X"}),
                             headers={"If-Match": '"v2"'})
        self.assertEqual(bad.status, 400, bad)
        self.assertEqual(bad.json["error"]["field"], "vgm.kg")
        hold = self.c.request("POST", f"/api/v1/units/{cid}/holds",
                              {"kind": "customs", "reason": "document check"})
        self.assertEqual(hold.status, 200, hold)
        self.assertEqual(hold.json["holds"][0]["kind"], "customs")
        listed = self.c.request("GET", "/api/v1/units?on_hold=true&limit=10")
        self.assertEqual(listed.status, 200, listed)
        self.assertIn(cid, [u["container_id"] for u in listed.json["units"]])
        freed = self.c.request("DELETE", f"/api/v1/units/{cid}/holds/customs")
        self.assertEqual(freed.status, 200, freed)
        self.assertEqual(freed.json["holds"], [])

    def test_viewer_cannot_write(self):
        v = self.server.client()
        self.assertEqual(v.login("ivan", USER_PASSWORD, self.viewer_secret).status, 201)
        r = v.request("POST", "/api/v1/units",
                      {"container_id": "CSQU3054383", "size_type": "22G1", "category": "import",
                       "freight": "full", "line_operator": "ONE", "gross_kg": 1000})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(v.request("GET", "/api/v1/yard/occupancy").status, 200)

    def test_bad_input_names_the_field_and_writes_nothing(self):
        before = self.occupancy()
        cases = [
            ("{not json", None, "body"),
            ("[1,2]", None, "body"),
            ('{"container_id":"CSQU3054384","size_type":"22G1","category":"import",'
             '"freight":"full","line_operator":"ONE","gross_kg":1}', "expected 3", "container_id"),
            ('{"container_id":"CSQU3054383","size_type":"22G1","category":"import",'
             '"freight":"full","line_operator":"ONE","gross_kg":"heavy"}', None, "gross_kg"),
            ('{"container_id":"CSQU3054383","size_type":"22G1","category":"import",'
             '"freight":"full","line_operator":"ONE","gross_kg":1,"colour":"red"}', None, "colour"),
            ('{"container_id":"' + "C" * 100 + '","size_type":"22G1"}', None, "container_id"),
            ('{"container_id":"CSQU3054383","size_type":"99Z9","category":"import",'
             '"freight":"full","line_operator":"ONE","gross_kg":1}', None, "size_type"),
            ('{"container_id":"CSQU3054383","size_type":"22G1","category":"import",'
             '"freight":"full","line_operator":"ONE","gross_kg":999999}', None, "gross_kg"),
        ]
        for raw, text, field in cases:
            r = self.c.request("POST", "/api/v1/units", raw_body=raw,
                               headers={"Content-Type": "application/json"})
            self.assertEqual(r.status, 400, (raw, r))
            self.assertEqual(r.json["error"]["field"], field, raw)
            if text:
                self.assertIn(text, r.json["error"]["message"])
        bad_id = self.c.request("GET", "/api/v1/units/NOTANID")
        self.assertEqual(bad_id.status, 400)
        self.assertEqual(self.occupancy(), before)
        missing = self.c.request("GET", "/api/v1/units/CSQU3054383")
        self.assertEqual(missing.status, 404, missing)


if __name__ == "__main__":
    unittest.main()
