"""Configuration control (G2.6.1-a configuration and change management, G2.1.1-h/j the
two-person rule and the split config roles) against a real `minato serve` over real TLS.

Once the server has started, an edit of minato.toml is detected within seconds and recorded;
an edit of a security setting does not take effect — not at the next start either — until a
config_changer has proposed it and a security officer (another person) has approved it, and it
has been applied. Every step is in the audit log, and the console's view says where each value
came from."""
import hashlib
import json
import os
import time
import unittest

from harness import USER_PASSWORD, Server, ServerTestCase, run


class ConfigControl(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        # One account per login: a second login within 30 s would replay the TOTP code, and a
        # restart of the server ends sessions.
        cls.secrets = {name: data.add_user(name, [role]) for name, role in (
            ("officer", "security_officer"), ("officer2", "security_officer"),
            ("officer3", "security_officer"), ("changer", "config_changer"),
            ("changer2", "config_changer"))}
        cls.clerk = data.add_user("clerk", ["gate_clerk"])
        # Set during setup (before the first start of serve): in force without approval.
        data.set_config({"security_mail": '"soc@terminal.example"'})

    def login(self, name):
        return self.logged_in(name, USER_PASSWORD, self.secrets[name])

    def file(self):
        return os.path.join(self.data.path, "minato.toml")

    def edit(self, key, value):
        with open(self.file()) as f:
            text = f.read()
        lines = [f"{key} = {value}" if line.startswith(f"{key} = ") else line
                 for line in text.split("\n")]
        with open(self.file(), "w") as f:
            f.write("\n".join(lines))

    def versions(self):
        return json.loads(run(["config", "versions", "--data", self.data.path, "--json"]).stdout)[
            "versions"]

    def wait_for_version(self, kind, count_before):
        deadline = time.time() + 10
        while time.time() < deadline:
            v = self.versions()
            if len(v) > count_before and v[0]["kind"] == kind:
                return v[0]
            time.sleep(0.3)
        self.fail(f"no {kind} version recorded within 10 s: {self.versions()[:2]}")

    def setting(self, view, name):
        return [s for s in view["settings"] if s["setting"] == name][0]

    def test_G2_6_1_a_security_edit_is_held_until_a_second_person_approves(self):
        changer = self.login("changer")
        officer = self.login("officer")
        clerk = self.logged_in("clerk", USER_PASSWORD, self.clerk)

        # Setup is over: the first start of serve recorded the baseline.
        before = self.versions()
        self.assertEqual(before[0]["kind"], "baseline")
        self.assertEqual({v["kind"] for v in before[1:]}, {"setup"})
        view = changer.request("GET", "/api/v1/config").json
        self.assertEqual(view["held"], [])
        self.assertFalse(view["restart_needed"])
        mail = self.setting(view, "notify.security_mail")
        self.assertEqual((mail["value"], mail["source"]), ("soc@terminal.example", "file"))
        self.assertEqual(mail["since"]["kind"], "setup")
        self.assertEqual(self.setting(view, "login.lockout_threshold")["source"], "file")
        # Terminal staff do not read the configuration.
        self.assertEqual(clerk.request("GET", "/api/v1/config").status, 403)

        # Someone edits the file on the host: a security setting and an operational one.
        self.edit("lockout_threshold", "3")
        self.edit("name", '"Tobishima container terminal"')
        held = self.wait_for_version("held", len(before))
        # Whichever saw it first: the server's watch, or the `minato config` run above.
        self.assertIn(held["recorded_by"], ("system:config-watch", "system:config"))
        self.assertEqual({(c["setting"], c["from"], c["to"], c["security"]) for c in held["changes"]},
                         {("login.lockout_threshold", "5", "3", True),
                          ("terminal.name", "Minato container terminal",
                           "Tobishima container terminal", False)})
        view = changer.request("GET", "/api/v1/config").json
        self.assertTrue(view["restart_needed"])
        self.assertEqual([h["setting"] for h in view["held"]], ["login.lockout_threshold"])
        # Security staff hear of it at once.
        deadline = time.time() + 10
        while time.time() < deadline:
            notes = officer.request("GET", "/api/v1/notifications").json["notifications"]
            alerts = [n for n in notes if n["event"] == "config.held"]
            if alerts:
                break
            time.sleep(0.3)
        self.assertEqual(len(alerts), 1)
        self.assertIn("Configuration change held for approval", alerts[0]["subject"])

        # A restart does not make the held value take effect; the operational one does.
        self.__class__.server.stop()
        self.__class__.server = Server(self.data).start()
        changer = self.login("changer2")
        officer = self.login("officer2")
        view = changer.request("GET", "/api/v1/config").json
        lockout = self.setting(view, "login.lockout_threshold")
        self.assertEqual((lockout["value"], lockout["source"], lockout["file_value"]),
                         ("5", "held", "3"))
        name = self.setting(view, "terminal.name")
        self.assertEqual((name["value"], name["source"]), ("Tobishima container terminal", "file"))
        self.assertEqual(len([v for v in self.versions() if v["kind"] == "held"]), 1,
                         "a held file is recorded once")
        shown = run(["config", "show", "--data", self.data.path]).stdout
        self.assertIn('HELD: the file says "3"', shown)

        # Bad proposals are refused, naming the setting.
        r = changer.request("POST", "/api/v1/config/proposals", {
            "changes": [{"setting": "login.lockout_threshold", "value": "99"}], "reason": "r"})
        self.assertEqual(r.status, 400, r.raw)
        self.assertIn("login.lockout_threshold must be an integer from 1 to 20",
                      r.json["error"]["message"])
        r = changer.request("POST", "/api/v1/config/proposals", {
            "changes": [{"setting": "tls.minimum_version", "value": "1.0"}], "reason": "r"})
        self.assertEqual(r.status, 400)
        self.assertIn("unknown setting 'tls.minimum_version'", r.json["error"]["message"])
        # Only a config_changer proposes.
        r = officer.request("POST", "/api/v1/config/proposals", {"changes": [], "reason": "r"})
        self.assertEqual(r.status, 403)

        # The changer proposes the file as it stands: the approver sees every change.
        r = changer.request("POST", "/api/v1/config/proposals",
                            {"changes": [], "reason": "three failures lock an account"})
        self.assertEqual(r.status, 201, r.raw)
        proposal = r.json
        self.assertEqual({c["setting"] for c in proposal["changes"]},
                         {"login.lockout_threshold", "terminal.name"})
        pid = proposal["approval"]
        # Not before approval; not approved by the one who proposed it.
        self.assertEqual(changer.request("POST", f"/api/v1/config/proposals/{pid}/apply").status, 409)
        self.assertEqual(changer.request("POST", f"/api/v1/approvals/{pid}/approve", {}).status, 403)
        r = officer.request("POST", f"/api/v1/approvals/{pid}/approve", {"note": "agreed at the SOC"})
        self.assertEqual(r.status, 200, r.raw)
        r = changer.request("POST", f"/api/v1/config/proposals/{pid}/apply")
        self.assertEqual(r.status, 200, r.raw)
        with open(self.file(), "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), proposal["sha256"])
        newest = self.versions()[0]
        self.assertEqual((newest["kind"], newest["approval"], newest["recorded_by"]),
                         ("approved", pid, "user:changer2"))
        # Used once.
        self.assertEqual(changer.request("POST", f"/api/v1/config/proposals/{pid}/apply").status, 409)

        # In force from the next start, with where it came from.
        self.__class__.server.stop()
        self.__class__.server = Server(self.data).start()
        shown = json.loads(run(["config", "show", "--data", self.data.path, "--json"]).stdout)
        lockout = self.setting(shown, "login.lockout_threshold")
        self.assertEqual((lockout["value"], lockout["source"]), ("3", "file"))
        self.assertEqual((lockout["since"]["kind"], lockout["since"]["approval"]), ("approved", pid))
        self.assertEqual(shown["held"], [])

        # At the CLI the same rule holds: the operator who proposes cannot approve.
        out = json.loads(run(["config", "propose", "--data", self.data.path, "--set",
                              "login.lockout_threshold=4", "--reason", "one more try",
                              "--json"]).stdout)
        r = run(["config", "approve", str(out["approval"]), "--data", self.data.path], check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("approved by someone other than its requester", r.stderr)
        # Approved by the officer, but the file changed since: applying it is refused.
        officer = self.login("officer3")
        self.assertEqual(officer.request("POST", f"/api/v1/approvals/{out['approval']}/approve",
                                         {}).status, 200)
        self.edit("appointment_grace_minutes", "45")
        r = run(["config", "apply", str(out["approval"]), "--data", self.data.path], check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("minato.toml has changed since request", r.stderr)

        # The audit log has every step, and still verifies.
        self.assertEqual(run(["audit", "verify", "--data", self.data.path], check=False).returncode, 0)


if __name__ == "__main__":
    unittest.main()
