"""Crash consistency: SIGKILL the server in the middle of a stream of gate-ins.

Every gate-in that was answered 2xx must be present after restart (the answer came only after
the commit was durable), and the audit chain must still verify.
"""
import json
import threading
import unittest

from harness import USER_PASSWORD, DataDir, Server, container_id, run


class CrashConsistencyTest(unittest.TestCase):
    def setUp(self):
        self.data = DataDir()
        self.secret1 = self.data.add_user("kenji", ["planner", "gate_clerk"])
        self.secret2 = self.data.add_user("yuki", ["viewer"])

    def tearDown(self):
        self.data.cleanup()

    def test_answered_gate_ins_survive_sigkill(self):
        server = Server(self.data).start()
        c = server.client()
        self.assertEqual(c.login("kenji", USER_PASSWORD, self.secret1).status, 201)
        r = c.request("POST", "/api/v1/yard/blocks", {"name": "K1", "bays": 49, "rows": 30,
                                                      "tiers": 9})
        self.assertEqual(r.status, 201, r)

        answered = []
        lock = threading.Lock()
        stop = threading.Event()
        enough = threading.Event()

        def stream(worker):
            n = 0
            while not stop.is_set() and n < 2000:
                serial = worker * 10000 + n
                cid = container_id("CRS", serial)
                slot = (f"K1-{2 * (serial % 49) + 1}-{(serial // 49) % 30 + 1}"
                        f"-{(serial // 1470) % 9 + 1}")
                try:
                    resp = c.request("POST", "/api/v1/gate/in",
                                     {"container_id": cid, "truck_plate": f"T{worker}",
                                      "slot": slot, "size_type": "22G1", "category": "storage",
                                      "freight": "full", "line_operator": "ONE",
                                      "gross_kg": 10000})
                except OSError:
                    return  # the server is gone
                if 200 <= resp.status < 300:
                    with lock:
                        answered.append(cid)
                        if len(answered) >= 150:
                            enough.set()
                n += 1

        threads = [threading.Thread(target=stream, args=(w,)) for w in range(6)]
        for t in threads:
            t.start()
        enough.wait(timeout=300)
        server.kill()  # SIGKILL while requests are in flight
        stop.set()
        for t in threads:
            t.join(timeout=60)
        self.assertGreaterEqual(len(answered), 150)

        verify = run(["audit", "verify", "--data", self.data.path, "--json"], check=False)
        self.assertEqual(verify.returncode, 0, verify.stderr)
        self.assertTrue(json.loads(verify.stdout)["intact"])

        server2 = Server(self.data).start()
        try:
            v = server2.client()
            self.assertEqual(v.login("yuki", USER_PASSWORD, self.secret2).status, 201)
            missing = []
            for cid in answered:
                r = v.request("GET", f"/api/v1/units/{cid}")
                if r.status != 200 or r.json["state"] != "in_yard":
                    missing.append((cid, r.status))
            self.assertEqual(missing, [], f"{len(missing)} of {len(answered)} answered gate-ins lost")
        finally:
            server2.stop()

    def test_sigterm_drains_in_flight_commands_then_exits(self):
        server = Server(self.data).start()
        c = server.client()
        self.assertEqual(c.login("kenji", USER_PASSWORD, self.secret1).status, 201)
        self.assertEqual(c.request("POST", "/api/v1/yard/blocks",
                                   {"name": "T1", "bays": 49, "rows": 30, "tiers": 9}).status, 201)
        answered, lock, started = [], threading.Lock(), threading.Event()

        def stream(worker):
            for n in range(400):
                cid = container_id("TRM", worker * 1000 + n)
                slot = f"T1-{2 * (n % 49) + 1}-{worker + 1}-{n // 49 + 1}"
                try:
                    r = c.request("POST", "/api/v1/gate/in",
                                  {"container_id": cid, "truck_plate": "T", "slot": slot,
                                   "size_type": "22G1", "category": "storage", "freight": "full",
                                   "line_operator": "ONE", "gross_kg": 10000})
                except OSError:
                    return
                if r.status == 201:
                    with lock:
                        answered.append(cid)
                    started.set()
                elif r.status >= 500 or r.status == 401:
                    return

        threads = [threading.Thread(target=stream, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        started.wait(timeout=120)
        code = server.stop()  # SIGTERM
        for t in threads:
            t.join(timeout=60)
        self.assertEqual(code, 0, "".join(server.stderr_lines))
        self.assertIn("stopped (", "".join(server.stderr_lines))
        server2 = Server(self.data).start()
        try:
            v = server2.client()
            self.assertEqual(v.login("yuki", USER_PASSWORD, self.secret2).status, 201)
            for cid in answered:
                self.assertEqual(v.request("GET", f"/api/v1/units/{cid}").status, 200, cid)
        finally:
            server2.stop()


if __name__ == "__main__":
    unittest.main()
