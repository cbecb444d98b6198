"""Issue 17, findings 3-6, attacked over real TLS on loopback:

- G2.4-c / G2.2.1-f: 17 sources x 32 idle TCP connections filled max_connections=512 and new
  clients were reset. Now sources are limited to a fair share once the server is three-quarters
  full, idle connections of the heaviest source are closed first, and newcomers get in.
- A1.4.2: framing that the HTTP parser would have let through (no Host, Transfer-Encoding other
  than a single chunked, obs-fold) and JSON bodies with a key twice are refused with 400.
- G2.7.3-a: refused requests and connections (400/413/431, connection caps, slow or absent TLS
  handshakes, requests that do not arrive in time) are counted per source and kind in /metrics
  and recorded in the audit log, one `http.refused` event per source per minute.
- TLS sessions are not resumed: no tickets, no cache (docs/security.md says so)."""
import json
import socket
import sqlite3
import ssl
import time
import unittest
import urllib.request

from harness import ServerTestCase, Server

ATTACKERS = [f"127.0.1.{i}" for i in range(1, 18)]  # 17 sources, as in the finding
NEWCOMERS = [f"127.0.2.{i}" for i in range(1, 6)]
PROBE = "127.0.3.1"  # the source of the malformed requests whose refusals are checked


class HostileHttpTest(ServerTestCase):
    CONFIG = {"max_connections": "512", "max_connections_per_source": "32",
              "handshake_timeout_s": "3", "request_timeout_s": "3"}

    # --- helpers ----------------------------------------------------------------------------

    def raw(self, request, source=PROBE):
        """Sends `request` (bytes) over a fresh TLS connection; returns the status line."""
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=10,
                                        source_address=(source, 0))
        with self.server.tls_context().wrap_socket(sock, server_hostname="127.0.0.1") as s:
            s.sendall(request)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            if b"\r\n\r\n" in data:  # read the body it announced
                head, body = data.split(b"\r\n\r\n", 1)
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        want = int(line.split(b":")[1])
                        while len(body) < want:
                            chunk = s.recv(4096)
                            if not chunk:
                                break
                            body += chunk
                data = head + b"\r\n\r\n" + body
        return data.decode("latin-1")

    def management(self, path):
        ctx = ssl.create_default_context(cafile=self.data.cert)
        ctx.check_hostname = False
        return urllib.request.urlopen(
            f"https://127.0.0.1:{self.server.management_port}{path}", context=ctx,
            timeout=10).read().decode()

    def health_from(self, source):
        """GET /api/v1/health over a new TLS connection from `source`; the status, or the error."""
        try:
            r = self.server.client(source).request("GET", "/api/v1/health")
            return r.status
        except (OSError, ssl.SSLError) as e:
            return repr(e)

    # --- A1.4.2: strict framing and strict JSON ----------------------------------------------

    def test_A1_4_2_lenient_framing_and_duplicate_json_keys_are_refused(self):
        ok = self.raw(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close"
                      b"\r\n\r\n")
        self.assertTrue(ok.startswith("HTTP/1.1 200"), ok)
        body = b'{"username":"admin","password":"x","totp":"123456"}'
        attacks = {
            "no Host": b"GET /api/v1/health HTTP/1.1\r\nConnection: close\r\n\r\n",
            "two Hosts": b"GET /api/v1/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "TE identity": b"POST /api/v1/session HTTP/1.1\r\nHost: a\r\nContent-Type: "
                           b"application/json\r\nTransfer-Encoding: identity\r\n\r\n" + body,
            "TE chunked, identity": b"POST /api/v1/session HTTP/1.1\r\nHost: a\r\n"
                                    b"Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
            "TE gzip, chunked": b"POST /api/v1/session HTTP/1.1\r\nHost: a\r\n"
                                b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            "TE in two fields": b"POST /api/v1/session HTTP/1.1\r\nHost: a\r\n"
                                b"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
                                b"0\r\n\r\n",
            "TE in HTTP/1.0": b"POST /api/v1/session HTTP/1.0\r\n"
                              b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "obs-fold": b"GET /api/v1/health HTTP/1.1\r\nHost: a\r\nX-Trace: one\r\n two\r\n\r\n",
            "obs-fold with a tab": b"GET /api/v1/health HTTP/1.1\r\nHost: a\r\nX-Trace: one\r\n"
                                   b"\ttwo\r\n\r\n",
        }
        for name, request in attacks.items():
            answer = self.raw(request)
            self.assertTrue(answer.startswith("HTTP/1.1 400"), f"{name}: {answer[:300]}")
        # A JSON body with a key twice (the last would win): refused, also when escaped.
        for dup in (b'{"username":"admin","username":"x","password":"p","totp":"1"}',
                    b'{"username":"admin","\\u0075sername":"x","password":"p","totp":"1"}'):
            r = self.server.client(PROBE).request(
                "POST", "/api/v1/session", raw_body=dup,
                headers={"Content-Type": "application/json"})
            self.assertEqual(r.status, 400, r)
            self.assertIn("more than once", r.json["error"]["message"])

    # --- G2.4-c, G2.2.1-f: connection exhaustion ----------------------------------------------

    def test_G2_4_c_G2_2_1_f_a_handful_of_sources_cannot_take_the_server(self):
        idle = []
        try:
            for source in ATTACKERS:
                for _ in range(32):
                    s = socket.socket()
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00"
                                 b"\x00\x00\x00")
                    s.bind((source, 0))
                    s.connect(("127.0.0.1", self.server.port))
                    idle.append(s)
            time.sleep(0.5)  # the server has accepted, admitted or refused each of them
            # Every newcomer is served while the 544 idle connections are held open.
            answers = {source: self.health_from(source) for source in NEWCOMERS}
            self.assertEqual(answers, {source: 200 for source in NEWCOMERS})
            # The attack took less than the whole server: some connections were refused.
            metrics = self.management("/metrics")
            refused = [line for line in metrics.splitlines()
                       if line.startswith('minato_http_refused_total{kind="connection_cap"}')]
            self.assertEqual(len(refused), 1, refused)
            self.assertGreater(int(float(refused[0].split()[-1])), 0, refused)
        finally:
            for s in idle:
                s.close()

    # --- G2.7.3-a: refusals counted and recorded ------------------------------------------

    def test_G2_7_3_a_refusals_are_counted_per_source_and_recorded(self):
        source = "127.0.3.9"
        for _ in range(3):  # malformed requests (400)
            self.assertTrue(self.raw(b"GET /api/v1/health HTTP/1.1\r\n\r\n", source)
                            .startswith("HTTP/1.1 400"))
        # Just over the 8 KiB header limit (request line and headers), so that the server has
        # read all of it when it answers.
        head = b"GET /api/v1/health HTTP/1.1\r\nHost: a\r\nX-Big: "
        big = head + b"a" * (8195 - len(head) - 4) + b"\r\n\r\n"
        self.assertTrue(self.raw(big, source).startswith("HTTP/1.1 431"))
        r = self.server.client(source).request("POST", "/api/v1/session", raw_body=b"{",
                                               headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400)
        # Probing without a session (401).
        self.assertEqual(self.server.client(source).request("GET", "/api/v1/yard/occupancy")
                         .status, 401)
        # Slowloris: a request trickled in past the request deadline (3 s here).
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=10,
                                        source_address=(source, 0))
        slow = self.server.tls_context().wrap_socket(sock, server_hostname="127.0.0.1")
        slow.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: a\r\n")
        # And a TCP connection that never starts TLS (handshake deadline 3 s).
        silent = socket.create_connection(("127.0.0.1", self.server.port), timeout=10,
                                          source_address=(source, 0))
        deadline = time.time() + 8
        while time.time() < deadline:
            try:
                slow.sendall(b"X-Drip: 1\r\n")
            except OSError:
                break
            time.sleep(0.5)
        self.assertEqual(silent.recv(1), b"")  # closed by the server
        slow.close()
        silent.close()
        time.sleep(0.5)

        metrics = self.management("/metrics")
        by_kind = {}
        for line in metrics.splitlines():
            if line.startswith(f'minato_http_refused_by_source_total{{source="{source}"'):
                kind = line.split('kind="')[1].split('"')[0]
                by_kind[kind] = int(float(line.split()[-1]))
        self.assertEqual(by_kind, {"bad_request": 4, "headers_too_large": 1,
                                   "request_timeout": 1, "tls_handshake": 1,
                                   "unauthenticated": 1}, metrics)

        # Recorded in the audit log: one event for the source (written at the minute, or when
        # the server stops, as here).
        self.server.stop()
        db = sqlite3.connect(f"file:{self.data.db}?mode=ro", uri=True)
        rows = db.execute("SELECT result, reason, change FROM audit_events WHERE action = "
                          "'http.refused' AND target = ?", (f"source:{source}",)).fetchall()
        db.close()
        type(self).server = Server(self.data).start()
        self.assertEqual(len(rows), 1, rows)
        result, reason, change = rows[0]
        self.assertEqual(result, "failure")
        self.assertIn("4 malformed requests (400)", reason)
        self.assertIn("1 requests that did not arrive whole in time", reason)
        self.assertEqual(json.loads(change)["bad_request"], 4)

    # --- TLS resumption ----------------------------------------------------------------------

    def test_tls_sessions_are_not_resumed(self):
        ctx = self.server.tls_context()
        first = ctx.wrap_socket(socket.create_connection(("127.0.0.1", self.server.port)),
                                server_hostname="127.0.0.1")
        first.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        while first.recv(4096):
            pass
        session = first.session
        first.close()
        self.assertFalse(session is not None and session.has_ticket, "a ticket was issued")
        second = ctx.wrap_socket(socket.create_connection(("127.0.0.1", self.server.port)),
                                 server_hostname="127.0.0.1", session=session)
        self.assertFalse(second.session_reused)
        second.close()


if __name__ == "__main__":
    unittest.main()
