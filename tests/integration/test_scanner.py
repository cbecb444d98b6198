"""G2.7.1-b at a terminal without internet access (issue 18): freshclam cannot reach ClamAV's
mirrors, so signature databases are carried in on media and installed with `minato scanner
install`. A real clamd (Debian's clamav-daemon, on its own socket and database directory) and
ClamAV's real sigtool: the databases are containers sigtool builds here. A container ClamAV did
not sign (.cud) goes in only with a security officer's approval; one claiming ClamAV's signature
without it (.cvd) is refused; an older one never replaces a newer one. Once installed, clamd
reloads: a file with the new signature's pattern is refused as malware, and the signatures'
age, unknown before, is known and current."""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import USER_PASSWORD, Clamd, ServerTestCase, run

HERE = os.path.dirname(os.path.abspath(__file__))
EDI = os.path.join(HERE, "..", "data", "edi")
MARKER = b"MINATO-TEST!"


def sigtool_container(directory, version, name="daily"):
    """A signature container `name`.cud of `version` with one signature for MARKER, built by
    ClamAV's sigtool (which asks for the builder's name on standard input)."""
    work = tempfile.mkdtemp(dir=directory)
    with open(os.path.join(work, f"{name}.ndb"), "w") as f:
        f.write(f"Minato.Test.Marker:0:*:{MARKER.hex()}\n")
    with open(os.path.join(work, "COPYING"), "w") as f:
        f.write("test signatures\n")
    subprocess.run(["sigtool", f"--datadir={work}", f"--build={name}.cud", "--unsigned",
                    f"--cvd-version={version}"], cwd=work, input="minato-test\n", text=True,
                   capture_output=True, check=True)
    return os.path.join(work, f"{name}.cud")


class ScannerSignaturesTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.clamd = Clamd().start()
        cls.db_dir = os.path.join(cls.clamd.dir, "db")
        cls.tmp = tempfile.mkdtemp(prefix="minato-sigs-")
        super().setUpClass()

    @classmethod
    def prepare(cls, data):
        cls.planner_secret = data.add_user("pia", ["planner"])
        cls.officer_secret = data.add_user("sol", ["security_officer"])
        data.set_config({"clamd": f'"{cls.clamd.address}"',
                         "signature_age_action": '"warn"',
                         "signature_dir": f'"{cls.db_dir}"',
                         "security_mail": '"soc@terminal.example"',
                         "locode": '"CNYTN"'})

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.clamd.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def minato(self, *args):
        return run([*args, "--data", self.data.path], check=False)

    def intake(self):
        return json.loads(run(["edi", "intake", "--data", self.data.path, "--json"]).stdout)

    def import_file(self, body, name, as_json=True):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(body)
        return self.minato("edi", "import", path, *(["--json"] if as_json else []))

    def test_G2_7_1_b_signatures_brought_in_offline(self):
        with open(os.path.join(EDI, "codeco-1.edi"), "rb") as f:
            codeco = f.read()
        marked = codeco.replace(b"CHOCOLATES", MARKER)
        self.assertNotEqual(marked, codeco)

        # Before: clamd runs with local signatures only, so their age cannot be told; with
        # signature_age_action = "warn" the file goes in, and the import and the intake record
        # say so (the record used to show a bare "clean").
        status = self.minato("scanner", "status", "--json")
        self.assertEqual(status.returncode, 3, status.stderr)
        self.assertEqual((json.loads(status.stdout)["reachable"],
                          json.loads(status.stdout)["age_days"]), (True, -1))
        before = self.import_file(marked, "marked.edi")
        self.assertEqual(before.returncode, 0, before.stderr)
        warnings = json.loads(before.stdout)["warnings"]
        self.assertEqual(len(warnings), 1, warnings)
        self.assertIn("its age cannot be checked", warnings[0])
        self.assertIn('signature_age_action = "warn"', warnings[0])
        record = self.intake()[0]
        self.assertEqual(record["verdict"], "clean")
        self.assertTrue(record["reason"].startswith("accepted with a warning:"), record)
        # The same content again: already imported, and the warning of this intake still said.
        text = self.import_file(marked, "marked.edi", as_json=False)
        self.assertIn("warning: the malware scanner gives no signature database date",
                      text.stdout)

        cud = sigtool_container(self.tmp, 27001)
        with open(cud, "rb") as f:
            cud_bytes = f.read()
        sha = hashlib.sha256(cud_bytes).hexdigest()

        # A container that claims ClamAV's signature without carrying it: refused, recorded,
        # nothing installed.
        forged = os.path.join(self.tmp, "daily.cvd")
        shutil.copy(cud, forged)
        r = self.minato("scanner", "install", forged)
        self.assertEqual(r.returncode, 77, r.stderr)
        self.assertIn("sigtool:", r.stderr)
        self.assertIn("not a signature database signed by ClamAV", r.stderr)
        self.assertEqual((self.intake()[0]["verdict"], self.intake()[0]["file_type"]),
                         ("refused", "clamav-cvd"))
        # Something else under a database's name: refused as what it is.
        fake = os.path.join(self.tmp, "main.cvd")
        with open(fake, "wb") as f:
            f.write(codeco)
        r = self.minato("scanner", "install", fake)
        self.assertEqual(r.returncode, 64, r.stderr)
        self.assertIn("is not a ClamAV signature database", r.stderr)
        self.assertEqual(sorted(os.listdir(self.db_dir)), ["minato-test.ndb"])

        # An unsigned container needs a security officer's approval, for exactly its hash.
        r = self.minato("scanner", "install", cud, "--json")
        self.assertEqual(r.returncode, 77, r.stderr)
        self.assertIn("unsigned container", r.stderr)
        self.assertIn(sha, r.stderr)
        self.assertEqual(json.loads(r.stdout)["error"]["exit"], 77)
        req = self.minato("edi", "request-override", "--sha256", sha, "--reason",
                          "the terminal CSIRT's signatures for this week's phishing", "--json")
        self.assertEqual(req.returncode, 0, req.stderr)
        approval = json.loads(req.stdout)["approval"]
        officer = self.logged_in("sol", USER_PASSWORD, self.officer_secret)
        # G2.7.1-b: the forged update alerted security staff at once.
        notes = officer.request("GET", "/api/v1/notifications").json["notifications"]
        self.assertEqual([n["event"] for n in notes if "daily.cvd" in n["subject"]],
                         ["media.signatures_refused"])
        ok = officer.request("POST", f"/api/v1/approvals/{approval}/approve", {"note": "ok"})
        self.assertEqual(ok.status, 200, ok)
        r = self.minato("scanner", "install", cud, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        done = json.loads(r.stdout)["installed"][0]
        self.assertEqual((done["verdict"], done["database"], done["version"], done["kind"]),
                         ("override", "daily", 27001, "cud"))
        self.assertTrue(done["reloaded"], done)
        self.assertIn("/27001/", done["scanner"])
        self.assertEqual(done["installed_as"], os.path.join(self.db_dir, "daily.cud"))
        with open(done["installed_as"], "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), sha)

        # clamd runs with it: current, and the pattern it adds is found.
        status = self.minato("scanner", "status", "--json")
        self.assertEqual(status.returncode, 0, status.stdout)
        s = json.loads(status.stdout)
        self.assertEqual((s["database"], s["current"], s["age_days"]), ("27001", True, 0))
        self.assertEqual([i["file"] for i in s["installed"]], ["daily.cud"])
        infected = self.import_file(marked.replace(b"MSC CLAUDIA", b"MSC OSCAR"), "again.edi")
        self.assertEqual(infected.returncode, 77, infected.stderr)
        self.assertIn("malware found: Minato.Test.Marker", infected.stderr)
        clean = self.import_file(codeco, "clean.edi")
        self.assertEqual(clean.returncode, 0, clean.stderr)
        self.assertEqual(json.loads(clean.stdout)["warnings"], [])
        self.assertEqual(self.intake()[0]["reason"], "")

        # Older signatures never replace newer ones (checked before the file is taken in).
        older = sigtool_container(self.tmp, 27000)
        records = len(self.intake())
        r = self.minato("scanner", "install", older)
        self.assertEqual(r.returncode, 75, r.stderr)
        self.assertIn("not newer than daily.cud (version 27001)", r.stderr)
        self.assertEqual(len(self.intake()), records)

        # Each installation is an audit event with the file's hash and version.
        events = [json.loads(line) for line in run(
            ["audit", "export", "--data", self.data.path]).stdout.splitlines()]
        installs = [e for e in events if e.get("action") == "scanner.signatures.install"]
        self.assertEqual([e["result"] for e in installs], ["success"])
        change = json.loads(installs[0]["change"])
        self.assertEqual((change["sha256"], change["version"]), (sha, 27001))


if __name__ == "__main__":
    unittest.main()
