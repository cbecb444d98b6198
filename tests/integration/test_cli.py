"""The command line as an operator uses it: init, demo, serve's refusals, exit codes."""
import json
import os
import re
import signal
import sqlite3
import subprocess
import tempfile
import shutil
import unittest

from harness import ADMIN_PASSWORD, MINATO, DataDir, Server, run, totp


class InitTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="minato-cli-")

    def tearDown(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def pwfile(self, text):
        p = os.path.join(self.root, "pw")
        with open(p, "w") as f:
            f.write(text)
        return p

    def test_G2_1_1_g_init_creates_private_data_with_one_enrolled_admin(self):
        data = os.path.join(self.root, "data")
        out = run(["init", "--data", data, "--admin-user", "sec-admin",
                   "--admin-password-file", self.pwfile(ADMIN_PASSWORD), "--json"])
        info = json.loads(out.stdout)
        self.assertRegex(info["totp_secret"], r"^[A-Z2-7]{32}$")
        self.assertTrue(info["otpauth_uri"].startswith("otpauth://totp/Minato:sec-admin?secret="))
        self.assertEqual(os.stat(data).st_mode & 0o777, 0o700)
        for dirpath, dirs, files in os.walk(data):
            for d in dirs:
                self.assertEqual(os.stat(os.path.join(dirpath, d)).st_mode & 0o777, 0o700, d)
            for f in files:
                self.assertEqual(os.stat(os.path.join(dirpath, f)).st_mode & 0o777, 0o600, f)
        db = sqlite3.connect(os.path.join(data, "minato.db"))
        users = db.execute("SELECT username, roles FROM users").fetchall()
        db.close()
        self.assertEqual(users, [("sec-admin", "user_admin,security_officer")])  # no default account

    def test_G2_2_2_a_weak_password_is_refused_and_nothing_is_written(self):
        data = os.path.join(self.root, "data")
        for weak in ("Password123!", "short1A!", "alllowercase123!", "Sec-admin#2026xyz"):
            p = run(["init", "--data", data, "--admin-user", "sec-admin",
                     "--admin-password-file", self.pwfile(weak)], check=False)
            self.assertEqual(p.returncode, 64, (weak, p.stderr))
            self.assertIn("password must", p.stderr)
            self.assertNotIn(weak, p.stderr)
        self.assertEqual(os.listdir(self.root), ["pw"])

    def test_init_never_touches_an_existing_directory(self):
        data = os.path.join(self.root, "data")
        os.mkdir(data)
        marker = os.path.join(data, "keep")
        open(marker, "w").close()
        p = run(["init", "--data", data, "--admin-user", "sec-admin",
                 "--admin-password-file", self.pwfile(ADMIN_PASSWORD)], check=False)
        self.assertEqual(p.returncode, 73)
        self.assertIn("already exists", p.stderr)
        self.assertEqual(os.listdir(data), ["keep"])

    def test_wrong_flag_is_a_usage_error(self):
        p = subprocess.run([MINATO, "serve", "--bogus"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 64)
        p = subprocess.run([MINATO, "serve"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 64)
        self.assertIn("--data", p.stderr)


class ServeRefusalTest(unittest.TestCase):
    def setUp(self):
        self.data = DataDir()

    def tearDown(self):
        self.data.cleanup()

    def serve(self):
        return subprocess.run([MINATO, "serve", "--data", self.data.path, "--listen",
                               "127.0.0.1:0"], capture_output=True, text=True, timeout=30)

    def test_refuses_a_data_directory_others_can_read(self):
        os.chmod(self.data.path, 0o755)
        p = self.serve()
        self.assertEqual(p.returncode, 78, p.stderr)
        self.assertIn("chmod 700", p.stderr)

    def test_refuses_a_database_newer_than_the_binary(self):
        db = sqlite3.connect(self.data.db)
        db.execute("INSERT INTO schema_migrations VALUES (9999, 0)")
        db.commit()
        db.close()
        p = self.serve()
        self.assertEqual(p.returncode, 78, p.stderr)
        self.assertIn("newer minato", p.stderr)

    def test_refuses_an_unknown_setting(self):
        with open(os.path.join(self.data.path, "minato.toml"), "a") as f:
            f.write("[tls]\ntls_min_version = \"1.0\"\n")
        p = self.serve()
        self.assertEqual(p.returncode, 64, p.stderr)
        self.assertIn("unknown setting 'tls.tls_min_version'", p.stderr)

    def test_G2_1_1_k_offboard_disables_and_is_audited(self):
        self.data.add_user("leaver", ["viewer"])
        args = ["user", "offboard", "--data", self.data.path, "--username", "leaver",
                "--reason", "contract ended"]
        self.assertEqual(run(args, check=False).returncode, 0)
        self.assertEqual(run(args, check=False).returncode, 75)  # already disabled
        db = sqlite3.connect(self.data.db)
        disabled = db.execute("SELECT disabled FROM users WHERE username = 'leaver'").fetchone()
        ev = db.execute("SELECT subject, reason FROM audit_events WHERE action = 'user.disable'"
                        " AND result = 'success'").fetchall()
        db.close()
        self.assertEqual(disabled, (1,))
        self.assertEqual(len(ev), 1)
        self.assertTrue(ev[0][0].startswith("cli:"))
        self.assertEqual(ev[0][1], "contract ended")
        self.assertEqual(run(["user", "enable", "--data", self.data.path, "--username",
                              "leaver"], check=False).returncode, 0)
        self.assertEqual(run(["audit", "verify", "--data", self.data.path],
                             check=False).returncode, 0)

    def test_G2_2_2_g_inactivity_sweep_disables_unused_accounts(self):
        self.data.add_user("dormant", ["viewer"])
        self.data.set_config({"inactive_days": 30})
        db = sqlite3.connect(self.data.db)
        # Pretend "dormant" was created 31 days ago and never used; admin stays recent.
        db.execute("UPDATE users SET created_us = created_us - 31 * 86400 * 1000000"
                   " WHERE username = 'dormant'")
        db.commit()
        db.close()
        out = run(["user", "sweep", "--data", self.data.path])
        self.assertIn("Disabled 1 account unused for 30 days", out.stdout)
        self.assertIn("dormant", out.stdout)
        db = sqlite3.connect(self.data.db)
        rows = dict(db.execute("SELECT username, disabled FROM users").fetchall())
        db.close()
        self.assertEqual(rows, {"admin": 0, "dormant": 1})
        self.assertIn("Disabled 0 accounts", run(["user", "sweep", "--data",
                                                     self.data.path]).stdout)

    def test_busy_port_is_a_clear_error(self):
        first = Server(self.data).start()
        other = DataDir()
        try:
            # Another installation on the same port: refused, naming the port.
            p = subprocess.run([MINATO, "serve", "--data", other.path, "--listen",
                                f"127.0.0.1:{first.port}"], capture_output=True, text=True,
                               timeout=30)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(f"cannot listen on 127.0.0.1:{first.port}", p.stderr)
            # A second server on the same data directory: refused, naming the first one.
            p = subprocess.run([MINATO, "serve", "--data", self.data.path, "--listen",
                                "127.0.0.1:0"], capture_output=True, text=True, timeout=30)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(f"another Minato process (pid {first.proc.pid}", p.stderr)
        finally:
            first.stop()
            other.cleanup()


class LayoutTest(unittest.TestCase):
    """`minato layout`: the terminal's layout from a JSON file, checked, applied, shown."""
    LAYOUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "demo",
                          "layout.json")

    def setUp(self):
        self.data = DataDir()

    def tearDown(self):
        self.data.cleanup()

    def test_layout_file_is_checked_applied_audited_and_shown(self):
        p = run(["layout", "check", self.LAYOUT])
        self.assertIn("20 yard blocks (30000 TEU), 3 berths, 8 gate lanes", p.stdout)
        applied = run(["layout", "apply", "--data", self.data.path, self.LAYOUT, "--json"])
        now = json.loads(applied.stdout)
        self.assertEqual(len(now["blocks"]), 20)
        self.assertEqual(sum(b["capacity_teu"] for b in now["blocks"]), 30000)
        self.assertEqual([b["name"] for b in now["berths"]], ["T1", "T2", "T3"])
        self.assertTrue([b for b in now["blocks"] if b["name"] == "H1"][0]["hazardous"])
        shown = json.loads(run(["layout", "show", "--data", self.data.path, "--json"]).stdout)
        self.assertEqual(shown, now)
        db = sqlite3.connect(self.data.db)
        n = db.execute("SELECT count(*) FROM audit_events WHERE action = 'yard.layout.apply'"
                       " AND result = 'success'").fetchone()[0]
        db.close()
        self.assertEqual(n, 1)

    def test_bad_layout_files_say_what_and_where_and_change_nothing(self):
        tmp = tempfile.mkdtemp()
        try:
            cases = {
                "syntax.json": ('{"blocks": [\n  {"name": "A1", "bays": 30,}\n]}',
                                "not valid JSON at line 2, column 29"),
                "range.json": ('{"blocks": [{"name": "A1", "bays": 60, "rows": 10, "tiers": 5}]}',
                               "bays must be from 1 to 49"),
                "unknown.json": ('{"blocks": [], "cranes": 4}', "cranes"),
            }
            for name, (text, want) in cases.items():
                path = os.path.join(tmp, name)
                with open(path, "w") as f:
                    f.write(text)
                p = run(["layout", "apply", "--data", self.data.path, path], check=False)
                self.assertEqual(p.returncode, 64, p.stderr)
                self.assertIn(want, p.stderr)
            missing = run(["layout", "check", os.path.join(tmp, "nope.json")], check=False)
            self.assertNotEqual(missing.returncode, 0)
            self.assertIn("nope.json", missing.stderr)
            shown = json.loads(run(["layout", "show", "--data", self.data.path, "--json"]).stdout)
            self.assertEqual(shown["blocks"], [])
        finally:
            shutil.rmtree(tmp)


class DemoTest(unittest.TestCase):
    """What `make demo` runs: a demo terminal, served, that the printed credentials open."""

    def test_demo_serves_a_terminal_the_printed_credentials_open(self):
        root = tempfile.mkdtemp(prefix="minato-demo-")
        data = os.path.join(root, "demo")
        proc = subprocess.Popen([MINATO, "demo", "--data", data, "--listen", "127.0.0.1:0",
                                 "--management-listen", "127.0.0.1:0"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            port = None
            for line in proc.stderr:
                m = re.search(r"listening on https://127\.0\.0\.1:(\d+)", line)
                if m:
                    port = int(m.group(1))
                    break
            self.assertIsNotNone(port, "demo did not start serving")
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
            self.assertEqual(proc.returncode, 0, err)
            m = re.search(r"operator\s+user: operator\s+password: (\S+)\s+TOTP secret: (\S+)", out)
            self.assertIsNotNone(m, out)
            password, secret = m.group(1), m.group(2)
            ma = re.search(r"auditor\s+user: auditor\s+password: (\S+)\s+TOTP secret: (\S+)", out)
            self.assertIsNotNone(ma, out)

            class D:  # the harness's DataDir shape, for Server
                path = data
                cert = os.path.join(data, "tls", "cert.pem")
            server = Server(D).start()
            try:
                c = server.client()
                r = c.login("operator", password, secret)
                self.assertEqual(r.status, 201, r)
                occ = c.request("GET", "/api/v1/yard/occupancy").json
                # The scenario: 20 blocks of 30,000 TEU about half full, three visits of
                # 2,000-5,000 moves, a day of gate appointments.
                self.assertEqual(len(occ["blocks"]), 20)
                self.assertEqual(occ["capacity_teu"], 30000)
                self.assertGreaterEqual(occ["units"], 9000)
                visits = c.request("GET", "/api/v1/vessel-visits").json["vessel_visits"]
                self.assertEqual(len(visits), 3)
                for v in visits:
                    n = c.request("GET", f"/api/v1/vessel-visits/{v['id']}").json["counts"]
                    self.assertTrue(2000 <= n["discharge_list"] + n["load_list"] <= 5000, n)
                slots = c.request("GET", "/api/v1/gate/slots").json["slots"]
                self.assertGreaterEqual(sum(s["booked"] for s in slots), 1000)
                # The demo's auditor reads the audit log; the operator may not.
                self.assertEqual(c.request("GET", "/api/v1/audit/events").status, 403)
                a = server.client()
                self.assertEqual(a.login("auditor", ma.group(1), ma.group(2)).status, 201)
                r = a.request("GET", "/api/v1/audit/events?action=unit.&limit=5")
                self.assertEqual(r.status, 200, r)
                self.assertEqual(len(r.json["events"]), 5)
            finally:
                server.stop()
            # A second `make demo` reuses the terminal instead of failing.
            again = subprocess.Popen([MINATO, "demo", "--data", data, "--listen", "127.0.0.1:0",
                                      "--management-listen", "127.0.0.1:0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for line in again.stderr:
                if "listening on" in line:
                    break
            again.send_signal(signal.SIGTERM)
            out2, _ = again.communicate(timeout=60)
            self.assertEqual(again.returncode, 0)
            self.assertIn("Using the existing demo terminal", out2)
        finally:
            if proc.poll() is None:
                proc.kill()
            shutil.rmtree(root, ignore_errors=True)

    def start_demo(self, data, *listen):
        """Starts `minato demo`; returns (process, API port, management port, stderr so far)
        once it serves, or (process, None, None, stderr) when it exits first."""
        proc = subprocess.Popen([MINATO, "demo", "--data", data, *listen],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        lines, management = [], None
        for line in proc.stderr:
            lines.append(line)
            mm = re.search(r"management on https://127\.0\.0\.1:(\d+)", line)
            if mm:
                management = int(mm.group(1))
            m = re.search(r"listening on https://127\.0\.0\.1:(\d+)", line)
            if m:
                return proc, int(m.group(1)), management, "".join(lines)
        proc.wait(timeout=60)
        return proc, None, None, "".join(lines)

    def test_two_demos_side_by_side_with_every_listener_chosen(self):
        # Issue 17, finding 7: --listen moved only the API; the management listener stayed on
        # 9443, so a second demo collided with the first.
        helptext = subprocess.run([MINATO, "demo", "--help"], capture_output=True, text=True,
                                  timeout=30).stdout
        for flag in ("--listen", "--management-listen", "--vault-listen"):
            self.assertIn(flag, helptext)
        root = tempfile.mkdtemp(prefix="minato-demos-")
        procs = []
        try:
            free = ["--listen", "127.0.0.1:0", "--management-listen", "127.0.0.1:0",
                    "--vault-listen", "127.0.0.1:0"]
            first, api1, mgmt1, _ = self.start_demo(os.path.join(root, "one"), *free)
            procs.append(first)
            self.assertIsNotNone(api1)
            self.assertIsNotNone(mgmt1)
            # On the first demo's management port, the second says which setting and flag.
            clash, api, _, err = self.start_demo(
                os.path.join(root, "two"), "--listen", "127.0.0.1:0", "--management-listen",
                f"127.0.0.1:{mgmt1}")
            procs.append(clash)
            self.assertIsNone(api, err)
            self.assertNotEqual(clash.returncode, 0)
            self.assertIn(f"cannot listen on 127.0.0.1:{mgmt1}", err)
            self.assertIn("server.management_listen", err)
            self.assertIn("--management-listen", err)
            # With its own ports it serves beside the first.
            second, api2, mgmt2, err = self.start_demo(os.path.join(root, "two"), *free)
            procs.append(second)
            self.assertIsNotNone(api2, err)
            self.assertNotIn(mgmt2, (None, mgmt1))
            self.assertIsNone(first.poll())
            self.assertIsNone(second.poll())
        finally:
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
                    p.wait(timeout=60)
                if p.stderr:
                    p.stderr.close()
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
