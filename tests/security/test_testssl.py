"""G2.3-b / G2.3-d: the TLS listener as testssl.sh (a real scanner, from Debian) sees it.

The server runs with a certificate from a test CA made here (which also proves
`minato init --tls-cert/--tls-key`), so the chain of trust is checked too. Every finding above
INFO fails the test, except the ones listed in ALLOWED with the reason.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from harness import ADMIN_PASSWORD, MINATO, Server, make_test_pki  # noqa: E402

ALLOWED = {
    # A terminal's own CA often publishes neither CRL nor OCSP; the operator decides (the
    # certificate is the operator's, not Minato's).
    "cert_revocation": "no CRL/OCSP URI in the test CA's certificate",
    "DNS_CAArecord": "no DNS on loopback",
}


class TestSslScan(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="minato-testssl-")
        r = self.root
        make_test_pki(r)
        with open(os.path.join(r, "pw"), "w") as f:
            f.write(ADMIN_PASSWORD)
        self.data_path = os.path.join(r, "data")
        subprocess.run([MINATO, "init", "--data", self.data_path, "--admin-user", "admin",
                        "--admin-password-file", os.path.join(r, "pw"),
                        "--tls-cert", os.path.join(r, "srv.pem"),
                        "--tls-key", os.path.join(r, "srv.key"), "--json"],
                       check=True, capture_output=True, timeout=60)
        # The scan opens hundreds of short connections; closed ones may still count for a moment
        # (longer under sanitizers), so the per-source cap must not be what the scan measures.
        cfg = os.path.join(self.data_path, "minato.toml")
        with open(cfg) as f:
            text = f.read()
        text = re.sub(r"(?m)^max_connections_per_source = .*$",
                      "max_connections_per_source = 1000", text)
        with open(cfg, "w") as f:
            f.write(text)

    def tearDown(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def scan(self):
        """One testssl run against a fresh server: (findings above INFO, ids seen, items)."""
        class Data:
            path = self.data_path
            cert = os.path.join(self.root, "ca.pem")
        server = Server(Data).start()
        try:
            report = os.path.join(self.root, "testssl.json")
            if os.path.exists(report):
                os.remove(report)
            p = subprocess.run(["testssl", "--quiet", "--color", "0", "--warnings", "off",
                                "--add-ca", os.path.join(self.root, "ca.pem"),
                                "--jsonfile-pretty", report, f"127.0.0.1:{server.port}"],
                               capture_output=True, text=True, timeout=900)
            self.assertTrue(os.path.exists(report), p.stdout[-2000:] + p.stderr[-2000:])
            with open(report) as f:
                scan = json.load(f)["scanResult"][0]
        finally:
            server.stop()
        findings = []
        seen = set()
        for section, items in scan.items():
            if not isinstance(items, list):
                continue
            for item in items:
                seen.add(item["id"])
                if item.get("severity") in ("LOW", "MEDIUM", "HIGH", "CRITICAL", "WARN") and \
                        item["id"] not in ALLOWED:
                    findings.append(f'{section}/{item["id"]} {item["severity"]}: {item["finding"]}')
        return findings, seen, scan

    def test_G2_3_b_testssl_finds_nothing_above_info(self):
        findings, seen, scan = self.scan()
        # A check testssl could not carry out ("connect problem", seen once on a CI machine busy
        # with a second build) is not a finding: the whole scan runs once more, and then
        # anything above INFO fails the test, a connect problem included.
        if findings and all("connect problem" in f for f in findings):
            print("testssl: rescanning after", findings)
            findings, seen, scan = self.scan()
        self.assertEqual(findings, [])
        # The scan really ran: protocol and vulnerability sections are there.
        for must in ("TLS1_1", "TLS1_2", "TLS1_3", "heartbleed", "cert_chain_of_trust"):
            self.assertIn(must, seen)
        by_id = {i["id"]: i for s in scan.values() if isinstance(s, list) for i in s}
        self.assertEqual(by_id["TLS1_1"]["finding"], "not offered")
        self.assertIn("passed", by_id["cert_chain_of_trust"]["finding"])


if __name__ == "__main__":
    unittest.main()
