"""Issue 18's proof: the path a new operator follows from the README and docs/operations.md, on
non-default ports, with the commands as documented and no hand edits beyond the settings the
docs name: init with every listener, an enrolment as the owner would do it, login, backups
with a vault in a second directory, pull, drill, restore beside the live installation on ports
of its own, serving the restore while the live server runs, a continuity snapshot checked
against the installation's key, and `audit verify --external` on the live installation —
which must still pass after the drill and the restore (it once reported tampering)."""
import json
import os
import shutil
import tempfile
import time
import types
import unittest

from harness import (ADMIN_PASSWORD, DATA_PASS, KEYS_PASS, USER_PASSWORD, Server, free_port, run,
                     set_config)


def installation(path):
    return types.SimpleNamespace(path=path, cert=os.path.join(path, "tls", "cert.pem"))


class OperatorPathTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="minato-operator-")
        self.servers = []
        self.secret = {}
        for name, text in (("admin.pw", ADMIN_PASSWORD), ("data.pass", DATA_PASS),
                           ("keys.pass", KEYS_PASS)):
            with open(os.path.join(self.tmp, name), "w") as f:
                f.write(text + "\n")

    def tearDown(self):
        for s in self.servers:
            s.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def serve(self, data_dir):
        s = Server(installation(data_dir), args=[]).start()  # as minato.toml says
        self.servers.append(s)
        return s

    def test_the_documented_operator_path_on_non_default_ports(self):
        api, mgmt, vault_port = free_port(), free_port(), free_port()
        live = self.path("live")
        # --- init with every listener (item 6) ---
        init = json.loads(run([
            "init", "--data", live, "--admin-user", "admin",
            "--admin-password-file", self.path("admin.pw"),
            "--listen", f"127.0.0.1:{api}", "--management-listen", f"127.0.0.1:{mgmt}",
            "--vault-listen", f"127.0.0.1:{vault_port}", "--json"]).stdout)
        self.assertEqual((init["listen"], init["management_listen"], init["vault_listen"]),
                         (f"127.0.0.1:{api}", f"127.0.0.1:{mgmt}", f"127.0.0.1:{vault_port}"))
        self.assertEqual(init["webauthn_origin"], f"https://localhost:{api}")
        outside = self.path("checkpoints")  # "a mount of another host" in the docs
        os.mkdir(outside, 0o700)
        set_config(live, {"checkpoint_dir": f'"{outside}"', "checkpoint_events": "4"})

        # --- an account by enrolment (item 7): the token and where to use it ---
        enrol = json.loads(run(["user", "add", "--data", live, "--username", "tanaka",
                                "--role", "planner", "--enrol", "--json"]).stdout)
        self.assertEqual(enrol["enrolment_api"], f"https://localhost:{api}/api/v1/enrolment")
        self.assertNotIn("enrolment_url", enrol)
        text = run(["user", "add", "--data", live, "--username", "suzuki", "--role",
                    "gate_clerk", "--enrol"]).stdout
        self.assertIn(f"https://localhost:{api}/api/v1/enrolment", text)
        self.assertIn("curl --cacert", text)

        # --- backups and a vault in a second directory (G2.7.2) ---
        run(["backup", "init", "--data", live, "--passphrase-file", self.path("data.pass"),
             "--keys-passphrase-file", self.path("keys.pass")])
        signer = json.loads(run(["backup", "key", "--data", live, "--json"]).stdout)
        vault = self.path("vault")
        made = json.loads(run([
            "vault", "init", "--dir", vault, "--server", f"https://127.0.0.1:{vault_port}",
            "--server-ca", os.path.join(live, "tls", "cert.pem"),
            "--signer", signer["signing_key"], "--json"]).stdout)
        set_config(live, {"vault_clients": f'"{made["client_cert_sha256"]}"'})

        # --- serve, with no flags: every listener where init put it ---
        server = self.serve(live)
        self.assertEqual((server.port, server.management_port), (api, mgmt))
        lines = "".join(server.stderr_lines)
        self.assertIn(f"backup vault listener on https://127.0.0.1:{vault_port}", lines)
        self.assertIn(f"console https://localhost:{api}/ (open it in a browser; webauthn.origin)", lines)

        # --- the owner enrols over the API as printed, then logs in ---
        anon = server.client()
        done = anon.request("POST", "/api/v1/enrolment",
                            {"token": enrol["enrolment_token"], "password": USER_PASSWORD})
        self.assertEqual(done.status, 200, done)
        planner = server.client()
        self.assertEqual(planner.login("tanaka", USER_PASSWORD, done.json["totp_secret"]).status,
                         201)
        r = planner.request("PUT", "/api/v1/yard/layout", {
            "blocks": [{"name": "A1", "bays": 10, "rows": 6, "tiers": 4}]})
        self.assertEqual(r.status, 200, r)
        r = planner.request("POST", "/api/v1/units", {
            "container_id": "MSKU1234565", "size_type": "22G1", "category": "export",
            "freight": "full", "line_operator": "MSK", "gross_kg": 14000})
        self.assertEqual(r.status, 201, r)

        # --- backup, pull, drill (item 1: the live checkpoints stay as they are) ---
        run(["backup", "create", "--data", live, "--json"])
        pulled = json.loads(run(["vault", "pull", "--dir", vault, "--json"]).stdout)
        self.assertEqual(pulled["refused"], 0, pulled)
        self.assertEqual(json.loads(run(["vault", "check", "--dir", vault, "--json"]).stdout)
                         ["damaged"], [])
        drill = json.loads(run([
            "backup", "drill", "--from", vault, "--data", live,
            "--passphrase-file", self.path("data.pass"),
            "--keys-passphrase-file", self.path("keys.pass"), "--json", "--quiet"]).stdout)
        self.assertEqual(drill["outcome"], "passed", drill)

        # --- restore beside the live installation, on ports of its own (item 6) ---
        api2, mgmt2, vault2 = free_port(), free_port(), free_port()
        restored = self.path("restored")
        report = json.loads(run([
            "restore", "--from", vault, "--to", restored,
            "--passphrase-file", self.path("data.pass"),
            "--keys-passphrase-file", self.path("keys.pass"),
            "--listen", f"127.0.0.1:{api2}", "--management-listen", f"127.0.0.1:{mgmt2}",
            "--vault-listen", f"127.0.0.1:{vault2}", "--json", "--quiet"]).stdout)
        self.assertTrue(report["listeners_changed"])
        self.assertEqual((report["listen"], report["webauthn_origin"]),
                         (f"127.0.0.1:{api2}", f"https://localhost:{api2}"))
        self.assertEqual(report["checkpoint_dir_cleared"], outside)
        second = self.serve(restored)  # as its minato.toml says, while the live one runs
        self.assertEqual((second.port, second.management_port), (api2, mgmt2))
        c = second.client()
        self.assertEqual(c.login("tanaka", USER_PASSWORD, done.json["totp_secret"],
                                 offset_s=30).status, 201)
        self.assertEqual(c.request("GET", "/api/v1/units/MSKU1234565").json["gross_kg"], 14000)

        # A restore without listener flags says where it would listen and how to serve it
        # beside the live one; served as it is, the taken port is named with its setting.
        plain = self.path("restored-plain")
        out = run(["restore", "--from", vault, "--to", plain,
                   "--passphrase-file", self.path("data.pass"),
                   "--keys-passphrase-file", self.path("keys.pass"), "--quiet"]).stdout
        self.assertIn(f"listeners: API and console 127.0.0.1:{api}", out)
        self.assertIn("stop it first or start this one on other ports", out)
        clash = run(["serve", "--data", plain], check=False)
        self.assertNotEqual(clash.returncode, 0)
        self.assertIn("server.listen in minato.toml, or --listen", clash.stderr)

        # --- continuity: checked against the installation's key (item 8) ---
        snap = json.loads(run(["continuity", "snapshot", "--data", live, "--json"]).stdout)
        key = json.loads(run(["continuity", "key", "--data", live, "--json"]).stdout)["public_key"]
        checked = json.loads(run(["continuity", "verify", snap["dir"], "--data", live,
                                  "--json"]).stdout)
        self.assertEqual((checked["public_key"], checked["key_beside"]), (key, False))
        other = run(["continuity", "verify", snap["dir"], "--data", restored], check=False)
        self.assertEqual(other.returncode, 0, other.stderr)  # the restore has the same keys
        missing = run(["continuity", "verify", snap["dir"] + "-none", "--data", live],
                      check=False)
        self.assertEqual(missing.returncode, 66, missing.stderr)

        # --- the live log, checked against its copies outside, passes (item 1) ---
        r = planner.request("PUT", "/api/v1/yard/layout", {
            "blocks": [{"name": "B1", "bays": 4, "rows": 3, "tiers": 2}]})
        self.assertEqual(r.status, 200, r)
        time.sleep(0.5)
        verify = run(["audit", "verify", "--data", live, "--external", outside, "--json"],
                     check=False)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
        result = json.loads(verify.stdout)
        self.assertTrue(result["intact"], result)
        self.assertGreaterEqual(result["external_checkpoints_verified"], 1, result)
        self.assertLessEqual(result["external_checkpoints_verified"], len(os.listdir(outside)))


if __name__ == "__main__":
    unittest.main()
