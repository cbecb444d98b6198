"""Issue 17, finding 1 (G2.2.1-a): object-level authorisation of API clients, attacked over real
TLS. A line's client sees and changes only its own line's units; a haulier's client only its
own appointments; a client account without a scope cannot be made, and one from an older store
(its scope empty) sees nobody's objects instead of everyone's.

The matrix walks every route of docs/api/openapi.yaml that takes a path parameter, as every
client role, by API token and by session, with another client's object and with a missing one:
neither may succeed, and the two answers must be the same (another's object is not disclosed).
A route added later is walked as well, without changing this file."""
import datetime
import json
import os
import re
import sqlite3
import unittest

from harness import ADMIN_PASSWORD, USER_PASSWORD, ServerTestCase, container_id, run

OPENAPI = os.path.join(os.path.dirname(__file__), "../../docs/api/openapi.yaml")


def utc(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def routes_with_parameters():
    """(method, path) of every documented route that takes a path parameter."""
    out, path, in_paths = [], None, False
    with open(OPENAPI) as f:
        for line in f:
            if line.startswith("paths:"):
                in_paths = True
                continue
            if not in_paths:
                continue
            if line.strip() and not line.startswith(" "):
                break
            m = re.match(r"^  (/\S+):\s*$", line)
            if m:
                path = m.group(1)
                continue
            m = re.match(r"^    (get|post|put|patch|delete):\s*$", line)
            if m and "{" in path:
                out.append((m.group(1).upper(), path))
    return out


# Clients: (user name, role, scope). The "legacy" ones had a scope when made; the test empties
# it in the store, as a store from before scopes were required would have it.
CLIENTS = [("one-api", "line_client", "ONE"), ("msk-api", "line_client", "MSK"),
           ("nittsu-api", "haulier_client", "NITTSU"), ("sagawa-api", "haulier_client", "SAGAWA"),
           ("oldline-api", "line_client", "OLDL"), ("oldhaul-api", "haulier_client", "OLDHAUL")]
LEGACY = ("oldline-api", "oldhaul-api")


class ObjectScopeTest(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.planner_secret = data.add_user("pia", ["planner"])
        cls.gate_secret = data.add_user("goro", ["gate_clerk"])
        cls.secrets = {}
        pw = os.path.join(data.root, "client.pw")
        with open(pw, "w") as f:
            f.write(USER_PASSWORD)
        for name, role, scope in CLIENTS:
            out = run(["user", "add", "--data", data.path, "--username", name, "--role", role,
                       "--scope", scope, "--password-file", pw, "--json"])
            cls.secrets[name] = json.loads(out.stdout)["totp_secret"]
        db = sqlite3.connect(data.db)
        with db:
            db.executemany("UPDATE users SET scope = '' WHERE username = ?",
                           [(n,) for n in LEGACY])
        db.close()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.planner = cls.logged_in("pia", USER_PASSWORD, cls.planner_secret)
        cls.gate = cls.logged_in("goro", USER_PASSWORD, cls.gate_secret)
        cls.admin = cls.logged_in("admin", ADMIN_PASSWORD, cls.data.admin_totp)
        cls.tokens = {}
        for name, _, _ in CLIENTS:
            t = cls.admin.request("POST", f"/api/v1/users/{name}/tokens",
                                  {"name": "it", "days": 1, "allowed_sources": "127.0.0.0/8"})
            assert t.status == 201, t
            cls.tokens[name] = {"Authorization": "Bearer " + t.json["token"]}
        cls.sessions = {name: cls.logged_in(name, USER_PASSWORD, cls.secrets[name])
                        for name, _, _ in CLIENTS}

        # One import unit of each line in the yard, one appointment of each haulier.
        hour = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0,
                                                                    microsecond=0)
        ok = cls.planner.request("PUT", "/api/v1/gate/slots", {
            "from": utc(hour), "to": utc(hour + datetime.timedelta(hours=2)), "minutes": 60,
            "capacity": 10})
        assert ok.status == 200, ok
        ok = cls.planner.request("PUT", "/api/v1/yard/layout", {
            "blocks": [{"name": "A1", "bays": 10, "rows": 6, "tiers": 4}],
            "lanes": [{"name": "IN1", "direction": "in"}]})
        assert ok.status == 200, ok
        cls.units = {"ONE": container_id("ONE", 610001), "MSK": container_id("MSK", 610002)}
        for line, cid in cls.units.items():
            r = cls.planner.request("POST", "/api/v1/units", {
                "container_id": cid, "size_type": "22G1", "category": "import",
                "freight": "full", "line_operator": line, "gross_kg": 17000})
            assert r.status == 201, r
            r = cls.gate.request("POST", "/api/v1/gate/in",
                                 {"container_id": cid, "truck_plate": "NGY 10"})
            assert r.status == 201, r
        cls.appointments = {}
        for name, cid in (("nittsu-api", cls.units["ONE"]), ("sagawa-api", cls.units["MSK"])):
            r = cls.server.client().request(
                "POST", "/api/v1/gate/appointments",
                {"slot": utc(hour), "direction": "out", "container_id": cid,
                 "truck_plate": "NGY 200"}, headers=cls.tokens[name])
            assert r.status == 201, (name, r)
            cls.appointments[name] = r.json["id"]
        cls.missing_unit = container_id("ZZZ", 999991)

    # --- helpers ----------------------------------------------------------------------------

    def as_client(self, name, via, method, path, body=None):
        if via == "token":
            return self.server.client().request(method, path, body, headers=self.tokens[name])
        return self.sessions[name].request(method, path, body)

    def foreign_and_missing(self, name, role, path):
        """Path parameters for an object of someone else and for one that does not exist."""
        other_line = "MSK" if name == "one-api" else "ONE"
        other_haulier = "sagawa-api" if name == "nittsu-api" else "nittsu-api"
        foreign = {
            "id": str(self.appointments[other_haulier]) if "appointments" in path else "1",
            "container_id": self.units[other_line],
            "username": "pia",
            "name": "A1",
            "number": "BKG0001",
            "kind": "line",
            "bay": "01",
            "row": "01",
            "tag": "SRV-01",
        }
        missing = {"id": "987654", "container_id": self.missing_unit, "username": "nobody-here",
                   "name": "ZZ9", "number": "NOSUCHBKG", "kind": "line", "bay": "01", "row": "01",
                   "tag": "NOSUCHTAG"}

        def fill(values):
            return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
        return fill(foreign), fill(missing)

    @staticmethod
    def body_for(method, path):
        if method not in ("POST", "PUT", "PATCH"):
            return None
        if path.endswith("/holds"):
            return {"kind": "line", "reason": "matrix"}
        if path.endswith("/release"):
            return {"pin": "48151623"}
        return {}

    # --- tests ------------------------------------------------------------------------------

    def test_A1_4_2_G2_2_1_a_every_route_with_an_object_id_as_every_client(self):
        routes = routes_with_parameters()
        self.assertGreater(len(routes), 25)
        walked = 0
        for name, role, _ in CLIENTS:
            for via in ("token", "session"):
                for method, path in routes:
                    # A haulier looks up single units by number, of any line (by design: it
                    # collects them); what it books and cancels is its own only.
                    if role == "haulier_client" and (method, path) == (
                            "GET", "/api/v1/units/{container_id}"):
                        continue
                    foreign, missing = self.foreign_and_missing(name, role, path)
                    body = self.body_for(method, path)
                    a = self.as_client(name, via, method, foreign, body)
                    b = self.as_client(name, via, method, missing, body)
                    where = f"{name} by {via}: {method} {foreign} -> {a}; {missing} -> {b}"
                    self.assertFalse(200 <= a.status < 300, where)
                    self.assertFalse(200 <= b.status < 300, where)
                    self.assertIn(a.status, (400, 403, 404, 405, 409, 412, 415), where)
                    self.assertEqual(a.status, b.status, where)
                    walked += 1
        self.assertGreater(walked, 25 * len(CLIENTS) * 2)
        # Nothing of anyone else's changed.
        for haulier, appt in self.appointments.items():
            r = self.planner.request("GET", f"/api/v1/gate/appointments/{appt}")
            self.assertEqual(r.json["state"], "booked", (haulier, r))
        for line, cid in self.units.items():
            r = self.planner.request("GET", f"/api/v1/units/{cid}")
            self.assertEqual(r.json.get("holds", []), [], (line, r))
            self.assertFalse(r.json.get("released", False), (line, r))

    def test_G2_2_1_a_owners_still_reach_their_own_objects(self):
        for via in ("token", "session"):
            own = self.as_client("nittsu-api", via, "GET",
                                 f"/api/v1/gate/appointments/{self.appointments['nittsu-api']}")
            self.assertEqual(own.status, 200, own)
            self.assertEqual(own.json["haulier"], "NITTSU")
            unit = self.as_client("one-api", via, "GET", f"/api/v1/units/{self.units['ONE']}")
            self.assertEqual(unit.status, 200, unit)
            # A haulier looks up any single unit (it collects them).
            unit = self.as_client("sagawa-api", via, "GET", f"/api/v1/units/{self.units['ONE']}")
            self.assertEqual(unit.status, 200, unit)

    def test_G2_2_1_a_a_client_without_scope_reaches_nothing(self):
        # The finding: an unscoped haulier client read and cancelled every appointment.
        for via in ("token", "session"):
            for appt in self.appointments.values():
                for method in ("GET", "DELETE"):
                    r = self.as_client("oldhaul-api", via, method,
                                       f"/api/v1/gate/appointments/{appt}")
                    self.assertEqual(r.status, 404, (via, method, r))
            book = self.as_client("oldhaul-api", via, "POST", "/api/v1/gate/appointments", {
                "slot": utc(datetime.datetime.now(datetime.timezone.utc).replace(
                    minute=0, second=0, microsecond=0)),
                "direction": "out", "container_id": self.units["ONE"],
                "truck_plate": "NGY 300", "haulier": "NITTSU"})
            self.assertEqual(book.status, 403, book)
            for cid in self.units.values():
                r = self.as_client("oldline-api", via, "GET", f"/api/v1/units/{cid}")
                self.assertEqual(r.status, 404, (via, r))
                r = self.as_client("oldline-api", via, "POST", f"/api/v1/units/{cid}/release",
                                   {"pin": "48151623"})
                self.assertEqual(r.status, 404, (via, r))
        for appt in self.appointments.values():
            r = self.planner.request("GET", f"/api/v1/gate/appointments/{appt}")
            self.assertEqual(r.json["state"], "booked", r)

    def test_G2_2_1_a_client_accounts_without_scope_cannot_be_made(self):
        for role in ("haulier_client", "line_client"):
            cli = run(["user", "add", "--data", self.data.path, "--username", "noscope-cli",
                       "--role", role, "--enrol", "--json"], check=False)
            self.assertNotEqual(cli.returncode, 0, cli.stdout)
            self.assertIn("scope", cli.stderr + cli.stdout)
            api = self.admin.request("POST", "/api/v1/users", {
                "username": "noscope-api", "roles": [role]})
            self.assertEqual(api.status, 400, api)
            self.assertEqual(api.json["error"]["field"], "scope", api)
        # Nor by taking the scope away later through an access change.
        change = self.admin.request("POST", "/api/v1/approvals", {
            "kind": "user.access", "username": "nittsu-api", "scope": "",
            "reason": "drop the haulier code"})
        self.assertEqual(change.status, 400, change)
        self.assertEqual(change.json["error"]["field"], "scope", change)


if __name__ == "__main__":
    unittest.main()
