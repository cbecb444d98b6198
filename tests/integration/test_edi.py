"""Issue 6 over real TLS, with a real clamd (Debian's clamav-daemon) started by the test on a
UNIX socket with a one-line signature database for the EICAR test file (no download of the
official database). G2.7.1-c/d: every file from outside is quarantined, hashed, typed and
scanned before anything parses it, and the decision is recorded; the scanner down means refused
(fail closed) unless a security officer approved an override for that one file."""
import hashlib
import json
import os
import shutil
import stat
import socket
import tempfile
import threading
import time
import unittest

from harness import EICAR, USER_PASSWORD, Clamd, ServerTestCase, container_id, run

HERE = os.path.dirname(os.path.abspath(__file__))
EDI = os.path.join(HERE, "..", "data", "edi")
VISIT = "LBCT042"


def edi_file(name):
    with open(os.path.join(EDI, name), "rb") as f:
        return f.read()


class EdiIntakeTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.clamd = Clamd().start()
        super().setUpClass()
        cls.planner = cls.server.client()
        assert cls.planner.login("pia", USER_PASSWORD, cls.planner_secret).status == 201
        cls.officer = cls.server.client()
        assert cls.officer.login("sol", USER_PASSWORD, cls.officer_secret).status == 201
        r = cls.planner.request("POST", "/api/v1/vessel-visits", {
            "id": VISIT, "vessel_name": "OOCL BEIJING", "imo": "9355769", "berth": "B1",
            "eta": "2026-12-01T06:00:00Z", "etd": "2026-12-02T06:00:00Z"})
        assert r.status == 201, r

    @classmethod
    def prepare(cls, data):
        cls.planner_secret = data.add_user("pia", ["planner"])
        cls.gate_secret = data.add_user("goro", ["gate_clerk"])
        cls.officer_secret = data.add_user("sol", ["security_officer"])
        data.set_config({"clamd": f'"{cls.clamd.address}"',
                         # The test database has no date (only local signatures): its age cannot
                         # be told, so warn instead of refusing.
                         "signature_age_action": '"warn"',
                         "locode": '"CNYTN"',
                         # G2.7.1-b: findings alert security staff (no mail server here: the
                         # mails wait in the outbox, where the officer reads them).
                         "security_mail": '"soc@terminal.example"'})

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.clamd.cleanup()

    def upload(self, body, name, query="", client=None):
        return (client or self.planner).request(
            "POST", "/api/v1/edi/imports" + query, raw_body=body,
            headers={"Content-Type": "application/edifact", "X-File-Name": name})

    def intake(self):
        r = self.planner.request("GET", "/api/v1/edi/intake?limit=100")
        self.assertEqual(r.status, 200, r)
        return r.json["intake"]

    def record_of(self, body):
        sha = hashlib.sha256(body).hexdigest()
        return [x for x in self.intake() if x["sha256"] == sha]

    def alerts(self, event):
        """Security staff's notifications of `event` (the officer reads the outbox)."""
        r = self.officer.request("GET", "/api/v1/notifications")
        self.assertEqual(r.status, 200, r)
        return [n for n in r.json["notifications"] if n["event"] == event]

    def quarantined(self, record):
        return os.path.join(self.data.path, "quarantine", record["stored_as"]) \
            if "stored_as" in record else None

    def test_G2_7_1_c_G2_7_1_b_malware_refused_recorded_and_alerted(self):
        body = b"UNB+UNOA:2+X+Y+1:1+1'UNH+1+BAPLIE:D:95B:UN'FTX+AAA+++" + EICAR + b"'UNT+3+1'UNZ+1+1'"
        r = self.upload(body, "from-vessel.edi", f"?visit={VISIT}")
        self.assertEqual(r.status, 403, r)
        self.assertIn("malware found: Minato.Test.EICAR", r.json["error"]["message"])
        rec = self.record_of(body)
        self.assertEqual(len(rec), 1)
        self.assertEqual(rec[0]["verdict"], "infected")
        self.assertEqual(rec[0]["signature"], "Minato.Test.EICAR.UNOFFICIAL")
        self.assertTrue(rec[0]["engine"].startswith("ClamAV "))
        self.assertEqual(rec[0]["received_by"], "user:pia")
        self.assertEqual(rec[0]["file_type"], "edifact")
        # Kept in quarantine for the incident team, read-only, marked; nothing imported.
        q = os.path.join(self.data.path, "quarantine")
        kept = [f for f in os.listdir(q) if f.endswith(".infected")]
        self.assertTrue(kept)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(q, kept[0])).st_mode), 0o400)
        with open(os.path.join(q, kept[0]), "rb") as f:
            self.assertEqual(f.read(), body)
        # G2.7.1-b: security staff are alerted at once, naming the file and what was found.
        mails = [n for n in self.alerts("media.infected") if "from-vessel.edi" in n["subject"]]
        self.assertEqual(len(mails), 1, self.alerts("media.infected"))
        self.assertEqual(mails[0]["recipients"], "soc@terminal.example")
        self.assertIn("Malware found", mails[0]["subject"])
        # The refusal is in the audit log with its reason.
        audit = run(["audit", "verify", "--data", self.data.path])
        self.assertEqual(audit.returncode, 0, audit.stdout + audit.stderr)

    def test_G2_7_1_d_only_edifact_or_csv_text(self):
        cases = [(b"PK\x03\x04" + b"\0" * 40, "bay plan.zip", "ZIP archive"),
                 (b"\x7fELF\x02\x01\x01" + b"\0" * 60, "tool", "ELF executable"),
                 (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 60, "plan.xls", "OLE2"),
                 (b"#!/bin/sh\nrm -rf /\n", "run.sh", "script"),
                 (b"", "empty.edi", "empty")]
        for body, name, what in cases:
            r = self.upload(body, name, f"?visit={VISIT}")
            self.assertEqual(r.status, 400, (name, r))
            self.assertIn(what, r.json["error"]["message"])
        verdicts = {x["file_name"]: (x["verdict"], x["file_type"]) for x in self.intake()}
        self.assertEqual(verdicts["bay plan.zip"], ("refused", "archive"))
        self.assertEqual(verdicts["tool"], ("refused", "executable"))
        self.assertEqual(verdicts["plan.xls"], ("refused", "office"))
        # A gate clerk may not bring files in at all; the attempt is refused before any work.
        gate = self.server.client()
        self.assertEqual(gate.login("goro", USER_PASSWORD, self.gate_secret).status, 201)
        self.assertEqual(self.upload(edi_file("codeco-1.edi"), "c.edi", client=gate).status, 403)

    def test_G2_7_1_c_a_preview_takes_the_file_in_and_applies_nothing(self):
        # (A byte more than the file other tests import, so its intake records are its own.)
        body = edi_file("baplie-d95b-smdg20-lbct.edi") + b"\n"
        preview = lambda query="", ctype="application/edifact": self.planner.request(  # noqa: E731
            "POST", "/api/v1/edi/inspections" + query, raw_body=body,
            headers={"Content-Type": ctype, "X-File-Name": "preview.edi"})
        before = len(self.record_of(body))
        # Refused before any intake: not sent as a file, a wrong strictness.
        self.assertEqual(preview(ctype="text/html").status, 415)
        r = preview("?strictness=loose")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["error"]["field"], "strictness")
        self.assertEqual(len(self.record_of(body)), before)
        # Taken in (scanned, recorded) and mapped; nothing imported.
        r = preview("?strictness=strict")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(self.record_of(body)), before + 1)
        self.assertEqual(r.json["this_intake_id"], self.record_of(body)[0]["id"])
        inspection = r.json["inspection"]
        self.assertEqual((inspection["containers"], inspection["import"]["units"]), (3, 3))
        self.assertEqual(inspection["strictness"], "strict")
        import sqlite3
        db = sqlite3.connect(self.data.db)
        try:
            imported = db.execute("SELECT count(*) FROM audit_events WHERE action = 'edi.import'"
                                  " AND target = 'file:preview.edi'").fetchone()[0]
            intake = db.execute("SELECT count(*) FROM audit_events WHERE action = 'media.intake'"
                                " AND target = ?", ("file:" + hashlib.sha256(body).hexdigest(),)
                                ).fetchone()[0]
        finally:
            db.close()
        self.assertEqual(imported, 0)
        self.assertEqual(intake, 1)  # the strict preview's receipt, audited

    def test_clean_bay_plan_imported_once(self):
        body = edi_file("baplie-d95b-smdg20-lbct.edi")
        r = self.upload(body, "baplie-d95b-smdg20-lbct.edi", f"?visit={VISIT}")
        self.assertEqual(r.status, 201, r)
        rep = r.json
        self.assertEqual((rep["kind"], rep["created"], rep["on_board"], rep["rejected"]),
                         ("BAPLIE", 1, 2, 0))
        created = [x for x in rep["lines"] if x["outcome"] == "created"]
        self.assertEqual(created[0]["container"], "OOLU4293959")
        self.assertEqual(created[0]["line"], 15)
        unit = self.planner.request("GET", "/api/v1/units/OOLU4293959")
        self.assertEqual(unit.status, 200, unit)
        self.assertEqual(unit.json["vessel_slot"], "0780690")
        self.assertEqual(unit.json["inbound_visit"], VISIT)
        self.assertEqual(unit.json["category"], "empty")
        rec = self.record_of(body)
        self.assertEqual([x["verdict"] for x in rec], ["clean"])
        # The same content again: recorded as received, but nothing changes.
        again = self.upload(body, "copy.edi", f"?visit={VISIT}")
        self.assertEqual(again.status, 200, again)
        self.assertTrue(again.json["already_imported"])
        self.assertEqual(again.json["created"], 1)
        self.assertEqual(len(self.record_of(body)), 2)

        # Round trip: the terminal's own arrival bay plan of the visit, imported again, gives
        # the same units at the same cells (updated in place, none created).
        out = os.path.join(self.data.root, "arrival.edi")
        run(["edi", "export", "baplie", "--data", self.data.path, "--visit", VISIT,
             "--arrival", "--to", "OOCL", "--out", out])
        inspect = json.loads(run(["edi", "inspect", out, "--json", "--strictness", "strict"]).stdout)
        self.assertEqual((inspect["containers"], inspect["positions"], inspect["error_count"]),
                         (1, 1, 0))
        with open(out, "rb") as f:
            exported = f.read()
        self.assertIn(b"UNB+UNOC:3+CNYTN+OOCL+", exported)
        back = self.upload(exported, "arrival.edi", f"?visit={VISIT}")
        self.assertEqual(back.status, 201, back)
        self.assertEqual((back.json["created"], back.json["updated"], back.json["rejected"]),
                         (0, 1, 0))
        unit = self.planner.request("GET", "/api/v1/units/OOLU4293959")
        self.assertEqual(unit.json["vessel_slot"], "0780690")
        # A shipper's VERMAS: the verified gross mass with its SOLAS method and signatory.
        vermas = (b"UNB+UNOA:2+SHIPPER+MINATO+261126:1200+5'\nUNH+1+VERMAS:D:16A:UN:VGM10'\n"
                  b"BGM+749+VGM-1+9'\nEQD+CN+OOLU4293959'\nMEA+AAE+VGM+KGM:3900'\n"
                  b"DOC+SM1:VGM:306'\nNAD+SPC+++TANAKA SHOJI'\nUNT+7+1'\nUNZ+1+5'\n")
        v = self.upload(vermas, "vgm.edi")
        self.assertEqual(v.status, 201, v)
        self.assertEqual((v.json["kind"], v.json["updated"]), ("VERMAS", 1))
        vgm = self.planner.request("GET", "/api/v1/units/OOLU4293959").json["vgm"]
        self.assertEqual((vgm["kg"], vgm["method"], vgm["party"]),
                         (3900, "method1", "TANAKA SHOJI"))
        # Reports of what has not happened yet are empty but valid.
        coarri = run(["edi", "export", "coarri", "--data", self.data.path, "--visit", VISIT,
                      "--kind", "discharge"]).stdout
        self.assertIn("CNT+16:0'", coarri)
        codeco = run(["edi", "export", "codeco", "--data", self.data.path, "--kind", "in",
                      "--from", "2026-01-01T00:00:00Z", "--until", "2030-01-01T00:00:00Z"]).stdout
        self.assertIn("UNH+1+CODECO:D:95B:UN", codeco)

    def test_large_bay_plan_over_the_api(self):
        # 10,000 containers, 1.07 MB: above server.body_limit_bytes (1 MiB), within the intake's
        # limit, which only this upload gets.
        visit = "BIG001"
        self.assertEqual(self.planner.request("POST", "/api/v1/vessel-visits", {
            "id": visit, "vessel_name": "ONE HARMONY", "imo": "9321483", "berth": "B2",
            "eta": "2026-12-05T06:00:00Z", "etd": "2026-12-06T06:00:00Z"}).status, 201)
        seg = ["UNB+UNOA:2+ONE+MINATO+261126:1200+77", "UNH+1+BAPLIE:D:95B:UN:SMDG22",
               "BGM++77+9", "TDT+20+001E+++ONE:172:20+++9321483:146::ONE HARMONY"]
        for i in range(10000):
            seg += ["LOC+147+%03d%02d%02d::5" % (1 + i // 400, (i // 20) % 20, 2 + i % 20),
                    "MEA+WT++KGM:%d" % (9000 + i), "LOC+11+CNYTN:139:6",
                    "EQD+CN+%s+45G1+++5" % container_id("BIG", 100000 + i), "NAD+CA+ONE:172:20"]
        seg += ["UNT+%d+1" % len(seg), "UNZ+1+77"]
        body = ("'\n".join(seg) + "'\n").encode()
        self.assertGreater(len(body), 1 << 20)
        r = self.upload(body, "big.edi", f"?visit={visit}")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["created"], 10000)
        counts = self.planner.request("GET", f"/api/v1/vessel-visits/{visit}").json["counts"]
        self.assertEqual(counts["discharge_list"], 10000)
        # Any other request keeps the general limit (refused on its declared length); the
        # upload's own limit is intake.max_mb.
        for path, length in (("/api/v1/units", 2 << 20), ("/api/v1/edi/imports", 65 << 20)):
            with self.server.raw_tls() as t:
                t.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          f"Content-Type: text/plain\r\nContent-Length: {length}\r\n\r\n".encode())
                reply = t.recv(4096).decode()
            self.assertTrue(reply.startswith("HTTP/1.1 413"), (path, reply))

    def test_cli_import_strict_all_or_nothing_and_lenient(self):
        path = os.path.join(EDI, "baplie-d95b-smdg22-demo.edi")
        listed = lambda: self.planner.request(  # noqa: E731
            "GET", f"/api/v1/vessel-visits/{VISIT}").json["counts"]["discharge_list"]
        before = listed()
        # Two EQDs cannot be imported and the file's UNT count is wrong: strict refuses the
        # whole file with the first of its 3 errors, nothing changes; inspect lists all three.
        strict = run(["edi", "import", path, "--data", self.data.path, "--visit", VISIT,
                      "--port", "BHBAH", "--strictness", "strict", "--json"], check=False)
        self.assertNotEqual(strict.returncode, 0)
        self.assertIn("the file has 3 errors; the first:", strict.stderr)
        self.assertIn("GLDU2028920 cannot be imported", strict.stderr)
        self.assertIn("line 1061", strict.stderr)
        inspect = run(["edi", "inspect", path, "--strictness", "strict", "--json"], check=False)
        self.assertEqual(inspect.returncode, 65)
        errors = json.loads(inspect.stdout)["errors"]
        self.assertEqual([(e["code"], e["line"]) for e in errors if e["code"] == "unt-count"],
                         [("unt-count", 6029)])
        self.assertEqual(len(errors), 3)
        self.assertEqual(listed(), before)
        lenient = run(["edi", "import", path, "--data", self.data.path, "--visit", VISIT,
                       "--port", "BHBAH", "--json"])
        self.assertEqual(lenient.returncode, 0, lenient.stderr)
        rep = json.loads(lenient.stdout)
        self.assertEqual(rep["rejected"], 2)
        self.assertEqual(rep["created"] + rep["on_board"], 607)
        self.assertEqual(listed(), before + rep["created"])
        rejected = {x["container"]: x for x in rep["lines"] if x["outcome"] == "rejected"}
        self.assertEqual(set(rejected), {"GLDU2028920", "ETEU3598940"})
        self.assertIn("check digit", rejected["GLDU2028920"]["detail"])
        self.assertGreater(rejected["GLDU2028920"]["line"], 0)
        # The server sees the units the CLI imported (another process's commit).
        created = [x["container"] for x in rep["lines"] if x["outcome"] == "created"]
        self.assertTrue(created)
        u = self.planner.request("GET", f"/api/v1/units/{created[0]}")
        self.assertEqual(u.status, 200, u)


    def test_inspect_and_import_apply_one_strictness_rule(self):
        # A bay plan whose 1,457 containers all lack a number: strict inspect says what strict
        # import does (every EQD is an error, exit 65) and the import refuses the same file.
        path = os.path.join(EDI, "baplie-gbsou-arrival-synthetic.edi")
        inspect = run(["edi", "inspect", path, "--strictness", "strict", "--json"], check=False)
        self.assertEqual(inspect.returncode, 65, inspect.stderr)
        report = json.loads(inspect.stdout)
        self.assertEqual(report["error_count"], 1457)
        self.assertEqual(report["import"]["rejected_count"], 1457)
        self.assertEqual({e["code"] for e in report["errors"]}, {"eqd-rejected"})
        text = run(["edi", "inspect", path, "--strictness", "strict"], check=False)
        self.assertIn("1457 warnings, 1457 errors (strict)", text.stdout)
        imp = run(["edi", "import", path, "--data", self.data.path, "--visit", VISIT,
                   "--strictness", "strict"], check=False)
        self.assertNotEqual(imp.returncode, 0)
        self.assertIn("the file has 1457 errors; the first:", imp.stderr)
        self.assertIn("strict mode takes all or none", imp.stderr)
        # Lenient: inspect has no error and exits 0; the import takes the file and rejects
        # each EQD (no unit can be made).
        lenient = json.loads(run(["edi", "inspect", path, "--json"]).stdout)
        self.assertEqual(lenient["error_count"], 0)

    def test_a_mistyped_visit_is_refused_before_the_file_is_taken_in(self):
        path = os.path.join(EDI, "baplie-d95b-smdg20-lbct.edi")
        records = lambda: len(json.loads(run(  # noqa: E731
            ["edi", "intake", "--data", self.data.path, "--json", "--limit", "1000"]).stdout))
        before = records()
        for _ in range(2):
            r = run(["edi", "import", path, "--data", self.data.path, "--visit", "LBCT04"],
                    check=False)
            self.assertEqual(r.returncode, 66, r.stderr)  # EX_NOINPUT: no such visit
            self.assertIn("no vessel visit LBCT04", r.stderr)
        up = self.upload(edi_file("baplie-d95b-smdg20-lbct.edi"), "plan.edi", "?visit=LBCT04")
        self.assertEqual(up.status, 404, up)
        self.assertEqual(records(), before, "a refused argument leaves no intake record")


class EdiScannerDownTest(ServerTestCase):
    """A scanning host reached over TCP; then clamd stopped: refused, recorded; then one
    approved override lets that one file in."""

    @classmethod
    def setUpClass(cls):
        cls.clamd = Clamd(tcp=True).start()
        super().setUpClass()

    @classmethod
    def prepare(cls, data):
        cls.planner_secret = data.add_user("pia", ["planner"])
        cls.officer_secret = data.add_user("sol", ["security_officer"])
        data.set_config({"clamd": f'"{cls.clamd.address}"', "signature_age_action": '"warn"',
                         "security_mail": '"soc@terminal.example"',
                         "locode": '"CNYTN"'})

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.clamd.cleanup()

    def test_scanner_down_fails_closed_until_an_approved_override(self):
        planner = self.server.client()
        self.assertEqual(planner.login("pia", USER_PASSWORD, self.planner_secret).status, 201)
        self.assertEqual(planner.request("POST", "/api/v1/vessel-visits", {
            "id": VISIT, "vessel_name": "OOCL BEIJING", "imo": "9355769", "berth": "B1",
            "eta": "2026-12-01T06:00:00Z", "etd": "2026-12-02T06:00:00Z"}).status, 201)
        # Scanned over TCP by the scanning host: a clean report goes through.
        report = edi_file("codeco-1.edi")
        first = planner.request("POST", "/api/v1/edi/imports", raw_body=report,
                                headers={"Content-Type": "text/plain"})
        self.assertEqual(first.status, 201, first)
        intake = planner.request("GET", "/api/v1/edi/intake").json["intake"]
        self.assertEqual(intake[0]["verdict"], "clean")
        self.assertTrue(intake[0]["engine"].startswith("ClamAV"))

        self.clamd.stop()  # the scanning host goes down
        body = edi_file("baplie-d95b-smdg20-lbct.edi")
        sha = hashlib.sha256(body).hexdigest()
        up = lambda: planner.request(  # noqa: E731
            "POST", f"/api/v1/edi/imports?visit={VISIT}", raw_body=body,
            headers={"Content-Type": "application/edifact", "X-File-Name": "plan.edi"})
        r = up()
        self.assertEqual(r.status, 503, r)
        self.assertIn("cannot be reached", r.json["error"]["message"])
        self.assertIn(sha, r.json["error"]["message"])
        intake = planner.request("GET", "/api/v1/edi/intake").json["intake"]
        self.assertEqual(intake[0]["verdict"], "refused")
        self.assertEqual(planner.request("GET", "/api/v1/units/OOLU4293959").status, 404)

        # The planner asks (CLI, local operator), a security officer approves, the next intake
        # of exactly this file uses it once.
        req = run(["edi", "request-override", "--data", self.data.path, "--sha256", sha,
                   "--reason", "vessel sails at 18:00; scanner host being repaired"])
        self.assertEqual(req.returncode, 0, req.stderr)
        approval = int(req.stdout.split("approval ")[1].split()[0])
        officer = self.server.client()
        self.assertEqual(officer.login("sol", USER_PASSWORD, self.officer_secret).status, 201)
        # G2.7.1-b: the scanner that could not scan alerted security staff at once.
        notes = officer.request("GET", "/api/v1/notifications").json["notifications"]
        self.assertTrue([n for n in notes if n["event"] == "media.scanner_unavailable"
                         and "plan.edi" in n["subject"]], notes)
        ok = officer.request("POST", f"/api/v1/approvals/{approval}/approve", {"note": "ok"})
        self.assertEqual(ok.status, 200, ok)
        other = b"UNH+1+CODECO:D:95B:UN'UNT+2+1'"
        self.assertEqual(planner.request(
            "POST", "/api/v1/edi/imports", raw_body=other,
            headers={"Content-Type": "text/plain"}).status, 503)  # not this file's override
        r = up()
        self.assertEqual(r.status, 201, r)
        intake = planner.request("GET", "/api/v1/edi/intake").json["intake"]
        self.assertEqual((intake[0]["verdict"], intake[0]["override_id"]), ("override", approval))
        # The override is spent: the same file again is refused at the intake (still no
        # scanner), before its import could even be found to be done already.
        self.assertEqual(up().status, 503)
        intake = planner.request("GET", "/api/v1/edi/intake").json["intake"]
        self.assertEqual((intake[0]["verdict"], intake[0]["override_id"]), ("refused", 0))
        self.assertEqual(planner.request("GET", "/api/v1/units/OOLU4293959").status, 200)



class EdiOldSignaturesTest(ServerTestCase):
    """G2.7.1-c: a scanner whose signatures are older than intake.signature_max_age_days (3)
    refuses every file (signature_age_action = "refuse", the default). A real clamd cannot be
    given a dated database without the official download, so a stand-in answers VERSION as
    clamd does, with a database built 40 days ago; the intake must stop there, before INSTREAM."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="minato-oldsig-")
        cls.sock = os.path.join(cls.dir, "clamd.sock")
        cls.commands = []
        srv = socket.socket(socket.AF_UNIX)
        srv.bind(cls.sock)
        srv.listen(8)
        built = time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(time.time() - 40 * 86400))

        def serve():
            while True:
                try:
                    conn, _ = srv.accept()
                except OSError:
                    return
                with conn:
                    cmd = conn.recv(64)
                    cls.commands.append(cmd)
                    if cmd.startswith(b"zVERSION"):
                        conn.sendall(f"ClamAV 1.0.7/27000/{built}".encode() + b"\0")
        cls.srv = srv
        threading.Thread(target=serve, daemon=True).start()
        super().setUpClass()

    @classmethod
    def prepare(cls, data):
        cls.planner_secret = data.add_user("pia", ["planner"])
        cls.officer_secret = data.add_user("sol", ["security_officer"])
        data.set_config({"clamd": f'"unix:{cls.sock}"', "security_mail": '"soc@terminal.example"'})

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.srv.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_G2_7_1_c_G2_7_1_b_old_signatures_refuse_and_alert(self):
        planner = self.server.client()
        self.assertEqual(planner.login("pia", USER_PASSWORD, self.planner_secret).status, 201)
        r = planner.request("POST", "/api/v1/edi/imports", raw_body=edi_file("codeco-2.edi"),
                            headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 412, r)
        self.assertIn("40 days old", r.json["error"]["message"])
        rec = planner.request("GET", "/api/v1/edi/intake").json["intake"][0]
        self.assertEqual((rec["verdict"], rec["database"]), ("refused", "27000"))
        self.assertEqual(self.commands, [b"zVERSION\0"])  # never scanned with old signatures
        # G2.7.1-b: old signatures alert security staff at once.
        officer = self.server.client()
        self.assertEqual(officer.login("sol", USER_PASSWORD, self.officer_secret).status, 201)
        mails = [n for n in officer.request("GET", "/api/v1/notifications").json["notifications"]
                 if n["event"] == "media.signatures_old"]
        self.assertEqual(len(mails), 1)
        self.assertIn("Malware signatures out of date", mails[0]["subject"])
        # Once a day for the same signatures, not once per file.
        r = planner.request("POST", "/api/v1/edi/imports", raw_body=edi_file("codeco-1.edi"),
                            headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 412, r)
        again = [n for n in officer.request("GET", "/api/v1/notifications").json["notifications"]
                 if n["event"] == "media.signatures_old"]
        self.assertEqual(len(again), 1)


if __name__ == "__main__":
    unittest.main()
