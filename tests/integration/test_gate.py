"""Issue 5, the gate over real TLS: appointment slots with capacity, hauliers booking their own
appointments with API tokens, the line releasing its unit, trucks from arrival to exit (turn
time), wrong PINs limited, and the EIR of each interchange as HTML and as a PDF that real PDF
tools (qpdf, pdftotext) read."""
import datetime
import shutil
import subprocess
import tempfile
import os
import unittest

from harness import ADMIN_PASSWORD, USER_PASSWORD, ServerTestCase, container_id, run


def utc(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


class GateTest(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.planner_secret = data.add_user("pia", ["planner"])
        cls.gate_secret = data.add_user("goro", ["gate_clerk"])
        data.set_config({"pin_attempts": "3"})
        run(["user", "add", "--data", data.path, "--username", "nittsu-api",
             "--role", "haulier_client", "--scope", "NITTSU", "--enrol", "--json"])
        run(["user", "add", "--data", data.path, "--username", "sagawa-api",
             "--role", "haulier_client", "--scope", "SAGAWA", "--enrol", "--json"])
        run(["user", "add", "--data", data.path, "--username", "one-api",
             "--role", "line_client", "--scope", "ONE", "--enrol", "--json"])

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.planner = cls.logged_in("pia", USER_PASSWORD, cls.planner_secret)
        cls.gate = cls.logged_in("goro", USER_PASSWORD, cls.gate_secret)
        admin = cls.server.client()
        r = admin.login("admin", ADMIN_PASSWORD, cls.data.admin_totp)
        assert r.status == 201, r
        cls.tokens = {}
        for user in ("nittsu-api", "sagawa-api", "one-api"):
            t = admin.request("POST", f"/api/v1/users/{user}/tokens",
                              {"name": "it", "days": 1, "allowed_sources": "127.0.0.0/8"})
            assert t.status == 201, t
            cls.tokens[user] = {"Authorization": "Bearer " + t.json["token"]}

    def ok(self, r, status=200):
        self.assertEqual(r.status, status, r)
        return r.json

    def api(self, user, method, path, body=None, headers=None):
        h = dict(self.tokens[user])
        h.update(headers or {})
        return self.server.client().request(method, path, body, headers=h)

    def test_appointments_trucks_turn_time_and_eir(self):
        hour = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0,
                                                                    microsecond=0)
        run = {"from": utc(hour), "to": utc(hour + datetime.timedelta(hours=3)),
               "minutes": 60, "capacity": 2}
        key = {"Idempotency-Key": "slots-1"}
        first = self.ok(self.planner.request("PUT", "/api/v1/gate/slots", run, headers=key))
        self.assertEqual(self.ok(self.planner.request("PUT", "/api/v1/gate/slots", run,
                                                      headers=key)), first)
        slots = first["slots"]
        self.assertEqual([s["capacity"] for s in slots], [2, 2, 2])
        self.assertEqual(self.gate.request("PUT", "/api/v1/gate/slots", {
            "from": utc(hour), "to": utc(hour + datetime.timedelta(hours=1)),
            "minutes": 60, "capacity": 9}).status, 403)

        self.ok(self.planner.request("PUT", "/api/v1/yard/layout", {
            "blocks": [{"name": "A1", "bays": 10, "rows": 6, "tiers": 4}],
            "lanes": [{"name": "IN1", "direction": "in"}]}))
        imp = container_id("ONE", 410001)
        self.ok(self.planner.request("POST", "/api/v1/units", {
            "container_id": imp, "size_type": "22G1", "category": "import", "freight": "full",
            "line_operator": "ONE", "gross_kg": 17500, "seals": ["ONE-SEAL-7781"],
            "damages": [{"code": "DT", "note": "dent in left side panel"}]}), 201)
        first = self.ok(self.gate.request("POST", "/api/v1/gate/in",
                                          {"container_id": imp, "truck_plate": "NGY 10"}), 201)

        # The haulier books the collection for itself; a retry with the same key is one booking.
        booking = {"slot": utc(hour), "direction": "out", "container_id": imp,
                   "truck_plate": "nagoya 100 a 12"}
        key = {"Idempotency-Key": "appt-1"}
        a = self.ok(self.api("nittsu-api", "POST", "/api/v1/gate/appointments", booking, key), 201)
        again = self.api("nittsu-api", "POST", "/api/v1/gate/appointments", booking, key)
        self.assertEqual(again.status, 201, again)
        self.assertEqual(again.header("idempotent-replayed"), "true")
        self.assertEqual(again.json, a)  # the same answer, not a second booking
        self.assertEqual((a["haulier"], a["truck_plate"]), ("NITTSU", "NAGOYA 100 A 12"))
        # Another haulier cannot see it, nor book in another's name.
        self.assertEqual(self.api("sagawa-api", "GET",
                                  f"/api/v1/gate/appointments/{a['id']}").status, 404)
        other = dict(booking, haulier="NITTSU", container_id=container_id("ONE", 410002))
        self.assertEqual(self.api("sagawa-api", "POST", "/api/v1/gate/appointments",
                                  other).status, 403)
        # Capacity: two per slot.
        exp = [container_id("EXP", 510000 + i) for i in range(2)]
        self.ok(self.api("sagawa-api", "POST", "/api/v1/gate/appointments",
                         dict(booking, direction="in", container_id=exp[0])), 201)
        full = self.api("sagawa-api", "POST", "/api/v1/gate/appointments",
                        dict(booking, direction="in", container_id=exp[1]))
        self.assertEqual(full.status, 409, full)
        self.assertIn("full (2 of 2", full.json["error"]["message"])
        listed = self.ok(self.gate.request("GET", f"/api/v1/gate/slots?from={utc(hour)}&to="
                                           f"{utc(hour + datetime.timedelta(hours=1))}"))
        self.assertEqual((listed["slots"][0]["booked"], listed["slots"][0]["free"]), (2, 0))

        # The line releases its unit (a planner of the terminal is not needed).
        self.ok(self.api("one-api", "POST", f"/api/v1/units/{imp}/release", {"pin": "73310042"}))

        # The truck arrives, is served against its appointment, and exits: its turn time.
        truck = self.ok(self.gate.request("POST", "/api/v1/gate/trucks", {
            "truck_plate": "NAGOYA 100 A 12", "haulier": "NITTSU", "lane": "IN1"}), 201)
        body = {"container_id": imp, "truck_plate": "NAGOYA 100 A 12",
                "truck_visit": truck["id"], "pin": "00000000"}
        for n in (1, 2, 3):
            wrong = self.gate.request("POST", "/api/v1/gate/out", body)
            self.assertEqual(wrong.status, 403, wrong)
            self.assertIn(f"{n} of 3", wrong.json["error"]["message"])
        body["pin"] = "73310042"
        dead = self.gate.request("POST", "/api/v1/gate/out", body)
        self.assertEqual(dead.status, 403, dead)
        self.assertIn("issues a new one", dead.json["error"]["message"])
        self.ok(self.api("one-api", "POST", f"/api/v1/units/{imp}/release", {"pin": "55120913"}))
        body["pin"] = "55120913"
        out = self.ok(self.gate.request("POST", "/api/v1/gate/out", body), 201)
        used = self.ok(self.gate.request("GET", f"/api/v1/gate/appointments/{a['id']}"))
        self.assertEqual((used["state"], used["gate_id"]), ("used", out["gate_id"]))
        exit_key = {"Idempotency-Key": "exit-1"}
        exited = self.ok(self.gate.request("POST", f"/api/v1/gate/trucks/{truck['id']}/exit",
                                           headers=exit_key))
        self.assertEqual(self.ok(self.gate.request(
            "POST", f"/api/v1/gate/trucks/{truck['id']}/exit", headers=exit_key)), exited)
        self.assertGreaterEqual(exited["turn_time_s"], 0)
        self.assertEqual(self.gate.request(
            "POST", f"/api/v1/gate/trucks/{truck['id']}/exit").status, 409)
        tt = self.ok(self.gate.request("GET", "/api/v1/gate/turn-times"))
        self.assertEqual((tt["trucks"], tt["inside"]), (1, 0))

        # The EIR of the delivery, as HTML and as a PDF that real tools read.
        html = self.gate.request("GET", f"/api/v1/gate/transactions/{out['gate_id']}/eir")
        self.assertEqual(html.status, 200, html)
        self.assertTrue(html.header("content-type").startswith("text/html"))
        for want in ("機器受渡証", imp, "ONE-SEAL-7781", "GATE OUT", "NITTSU", "IN1",
                     "dent in left side panel", first["unit"]["slot"]):
            self.assertIn(want, html.raw)
        pdf = self.gate.request("GET",
                                f"/api/v1/gate/transactions/{out['gate_id']}/eir?format=pdf")
        self.assertEqual(pdf.status, 200, pdf)
        self.assertEqual(pdf.header("content-type"), "application/pdf")
        self.assertIn("attachment", pdf.header("content-disposition"))
        tmp = tempfile.mkdtemp()
        try:
            path = os.path.join(tmp, "eir.pdf")
            with open(path, "wb") as f:
                f.write(pdf.data)
            check = subprocess.run(["qpdf", "--check", path], capture_output=True, text=True)
            self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
            text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True,
                                  text=True, check=True).stdout
            for want in ("EQUIPMENT INTERCHANGE RECEIPT", "機器受渡証", "コンテナ番号", imp,
                         "ONE-SEAL-7781",
                         "GATE OUT (delivery)", "NAGOYA 100 A 12", "user:goro"):
                self.assertIn(want, text)
        finally:
            shutil.rmtree(tmp)
        # API clients do not read receipts; an unknown transaction is 404; a bad format 400.
        self.assertEqual(self.api("nittsu-api", "GET",
                                  f"/api/v1/gate/transactions/{out['gate_id']}/eir").status, 403)
        self.assertEqual(self.gate.request("GET", "/api/v1/gate/transactions/99999/eir").status,
                         404)
        self.assertEqual(self.gate.request(
            "GET", f"/api/v1/gate/transactions/{out['gate_id']}/eir?format=exe").status, 400)


if __name__ == "__main__":
    unittest.main()
