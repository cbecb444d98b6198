"""The compliance register (issue 21) against a real `minato serve` over real TLS, with a real
clamd for the evidence files.

- An auditor's view checks all 80 items of the guideline live; the totals are the items'
  statuses; a clerk sees nothing.
- The report in Japanese and English, as HTML and PDF: each verifies with `minato compliance
  verify --data` (signature, checkpoint, and that the checkpoint is this log's); each PDF is
  rendered to PNG by pdftoppm and its text holds the Japanese (or English) title; one changed
  byte, or a report checked against another installation's log, is refused with the reason.
- Evidence of an organisational measure goes through the media intake: a PDF is taken in and
  hashed and makes G1.1 pass; malware and a PDF with JavaScript are refused and nothing is
  recorded; withdrawn evidence no longer counts."""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest
from base64 import urlsafe_b64decode, urlsafe_b64encode

from harness import EICAR, USER_PASSWORD, ClamdServerTestCase, DataDir, run

PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def b64(data):
    return urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text):
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Compliance(ClamdServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.officer = data.add_user("officer2", ["security_officer"])
        cls.auditor = data.add_user("audrey", ["auditor"])
        cls.clerk = data.add_user("clerk", ["gate_clerk"])
        super().prepare(data)

    def item(self, client, id_):
        r = client.request("GET", "/api/v1/compliance")
        self.assertEqual(r.status, 200, r)
        return next(i for i in r.json["items"] if i["id"] == id_)

    def test_G1_1_evidence_comes_through_the_intake_and_counts_until_withdrawn(self):
        officer = self.logged_in("officer2", USER_PASSWORD, self.officer)
        self.assertEqual(self.item(officer, "G1.1")["status"], "evidence-needed")

        def add(files, item="G1.1", **more):
            return officer.request("POST", "/api/v1/compliance/evidence", {
                **more, "item": item, "title": "Server room: locked rack, camera, access list",
                "owner": "Facilities, K. Sato", "dated": "2026-11-02", "review_by": "2099-11-01",
                "files": [{"name": n, "content": b64(d)} for n, d in files]})

        # Refused files attach nothing, and no record is made.
        r = add([("virus.txt", EICAR)])
        self.assertEqual(r.status, 403, r)
        self.assertIn("virus.txt", r.json["error"]["message"])
        r = add([("macro.pdf", PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction "
                                                               b"<< /S /JavaScript /JS (x) >>"))])
        self.assertEqual(r.status, 400, r)
        self.assertIn("active content", r.json["error"]["message"])
        # A product item is checked live; it cannot be declared away.
        r = add([], item="G2.1.1-b", not_applicable=True)
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["error"]["field"], "kind")
        self.assertEqual(officer.request("GET", "/api/v1/compliance/evidence").json["evidence"],
                         [])

        r = add([("rack-photo-list.pdf", PDF), ("inspection.txt", "点検済み 2026-11-02".encode())])
        self.assertEqual(r.status, 201, r)
        files = r.json["files"]
        self.assertEqual([f["sha256"] for f in files], [hashlib.sha256(PDF).hexdigest(),
                         hashlib.sha256("点検済み 2026-11-02".encode()).hexdigest()])
        self.assertEqual([f["type"] for f in files], ["pdf", "text"])
        g11 = self.item(officer, "G1.1")
        self.assertEqual(g11["status"], "pass", g11)
        self.assertIn("Server room", g11["reason_en"])

        r = officer.request("POST", f"/api/v1/compliance/evidence/{r.json['id']}/withdrawal",
                            {"reason": "rack moved to the new building"})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(self.item(officer, "G1.1")["status"], "evidence-needed")
        withdrawn = officer.request("GET", "/api/v1/compliance/evidence?withdrawn=1").json
        self.assertEqual(withdrawn["evidence"][0]["withdrawn_by"], "user:officer2")

    def test_report_in_both_languages_verifies_renders_and_refuses_changes(self):
        auditor = self.logged_in("audrey", USER_PASSWORD, self.auditor)
        r = auditor.request("GET", "/api/v1/compliance")
        self.assertEqual(r.status, 200, r)
        items = r.json["items"]
        self.assertEqual(len(items), 80)
        counted = {}
        for i in items:
            counted[i["status"]] = counted.get(i["status"], 0) + 1
            self.assertTrue(i["reason_en"] and i["reason_ja"] and i["summary_ja"], i["id"])
        self.assertEqual({k: v for k, v in r.json["totals"].items() if v}, counted)
        scan = next(i for i in items if i["id"] == "G2.7.1-c")
        self.assertIn({"name": "clamd_reachable", "value": "true"}, scan["values"])

        clerk = self.logged_in("clerk", USER_PASSWORD, self.clerk)
        self.assertEqual(clerk.request("GET", "/api/v1/compliance").status, 403)

        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        for lang, title in (("ja", "コンプライアンス報告書"), ("en", "Compliance report")):
            for fmt in ("html", "pdf"):
                r = auditor.request("POST", "/api/v1/compliance/reports",
                                    {"lang": lang, "format": fmt})
                self.assertEqual(r.status, 201, r)
                path = os.path.join(tmp, r.json["file_name"])
                with open(path, "wb") as f:
                    f.write(unb64(r.json["content"]))
                with open(path + ".sig", "w") as f:
                    f.write(r.json["signature"])
                v = run(["compliance", "verify", path, "--data", self.data.path, "--json"])
                checked = json.loads(v.stdout)
                self.assertEqual((checked["lang"], checked["format"], checked["in_log"],
                                  checked["pinned"], checked["generated_by"]),
                                 (lang, fmt, True, True, "user:audrey"))
                if fmt == "html":
                    with open(path, encoding="utf-8") as f:
                        self.assertIn(title, f.read())
                    continue
                text = subprocess.run(["pdftotext", path, "-"], capture_output=True,
                                      check=True).stdout.decode()
                self.assertIn(title, text)
                self.assertIn("G2.7.2-f", text)
                png = os.path.join(tmp, f"page-{lang}")
                subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", path, png],
                               check=True)
                rendered = [p for p in os.listdir(tmp) if p.startswith(f"page-{lang}")]
                self.assertEqual(len(rendered), 1)
                self.assertGreater(os.path.getsize(os.path.join(tmp, rendered[0])), 5000)
                fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True,
                                       check=True).stdout
                self.assertIn("NotoSansCJK", fonts)

                # One changed byte is found; so is a report checked against another log.
                with open(path, "r+b") as f:
                    f.seek(len(PDF))
                    b = f.read(1)
                    f.seek(len(PDF))
                    f.write(bytes([b[0] ^ 1]))
                bad = run(["compliance", "verify", path], check=False)
                self.assertNotEqual(bad.returncode, 0)
                self.assertIn("differs from what was signed", bad.stderr)
                other = DataDir()
                try:
                    shutil.copy(path + ".sig", path + ".2.sig")
                    with open(path, "r+b") as f:
                        f.seek(len(PDF))
                        f.write(b)
                    foreign = run(["compliance", "verify", path, "--data", other.path],
                                  check=False)
                    self.assertNotEqual(foreign.returncode, 0)
                    self.assertIn("not trusted", foreign.stderr)
                finally:
                    other.cleanup()
        self.assertEqual(run(["audit", "verify", "--data", self.data.path]).returncode, 0)


if __name__ == "__main__":
    unittest.main()
