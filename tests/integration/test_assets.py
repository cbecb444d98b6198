"""The asset register (G1.2, G2.6.1-a, A1.3.1-3) against a real `minato serve` over real TLS,
with a real clamd for the media intake: an asset manager imports the terminal's inventory as
CSV (scanned, recorded; a bad line refuses the whole file, naming it; malware is refused),
records work done on a server, and a USB stick goes out only on a request a security officer
approved, and comes back. Each step is in the audit log, which still verifies."""
import json
import unittest

from harness import EICAR, USER_PASSWORD, ClamdServerTestCase, run

INVENTORY = (b"tag,kind,name,serial,os,applications,patches,owner,used_by,place,power,network\r\n"
             b"SRV-01,server,TOS application server,CZ2345X7,Debian 12.8,\"minato 0.1.0\n"
             b"clamav 1.0.7\",security updates to 2026-12-01,IT section,TOS,"
             b"\"server room, rack 2\",UPS-A,\"ops VLAN 20, 10.20.0.11\"\r\n"
             b"PC-GATE-1,terminal,Gate PC lane 1,PC77812,Windows 11 23H2,minato console,"
             b"KB5048685,IT section,gate clerks,gate house,UPS-B,ops VLAN 20\r\n"
             b"USB-07,media,USB stick for vessel EDI,USB-0007,,,,IT section,,security office safe,,\r\n")


class AssetRegister(ClamdServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.keeper = data.add_user("keeper", ["asset_manager"])
        cls.officer = data.add_user("officer", ["security_officer"])
        cls.clerk = data.add_user("clerk", ["gate_clerk"])
        super().prepare(data)

    def upload(self, client, body, name="inventory.csv"):
        return client.request("POST", "/api/v1/asset-imports", raw_body=body,
                              headers={"Content-Type": "text/csv", "X-File-Name": name})

    def test_A1_3_1_G2_6_1_a_G1_2_register_work_and_media_loans(self):
        keeper = self.server.client()
        self.assertEqual(keeper.login("keeper", USER_PASSWORD, self.keeper).status, 201)
        # A bad line refuses the whole file and says where; nothing is imported.
        bad = INVENTORY + b"MFP-1,printer,Copier east,,,,,,,,,\r\n"
        r = self.upload(keeper, bad, "bad.csv")
        self.assertEqual(r.status, 400, r.raw)
        self.assertIn("bad.csv line 6, column kind: kind must be one of", r.json["error"]["message"])
        self.assertEqual(r.json["error"]["field"], "kind")
        self.assertEqual(keeper.request("GET", "/api/v1/assets").json["assets"], [])
        # Malware in an inventory file: refused by the intake.
        r = self.upload(keeper, INVENTORY + b"X-1,other,\"" + EICAR + b"\",,,,,,,,,\r\n", "evil.csv")
        self.assertEqual(r.status, 403, r.raw)
        self.assertEqual(keeper.request("GET", "/api/v1/assets").json["assets"], [])
        # The inventory, scanned and recorded, then imported whole.
        r = self.upload(keeper, INVENTORY)
        self.assertEqual(r.status, 201, r.raw)
        self.assertEqual((r.json["added"], r.json["updated"]), (3, 0))
        again = self.upload(keeper, INVENTORY.replace(b"2026-12-01", b"2026-12-07"))
        self.assertEqual((again.json["added"], again.json["updated"], again.json["unchanged"]),
                         (0, 1, 2))
        srv = keeper.request("GET", "/api/v1/assets/SRV-01").json
        self.assertEqual(srv["place"], "server room, rack 2")
        self.assertEqual(srv["applications"], "minato 0.1.0\nclamav 1.0.7")
        self.assertEqual(srv["patches"], "security updates to 2026-12-07")

        # G2.6.1-a: work done on the server, with who approved it.
        r = keeper.request("POST", "/api/v1/assets/SRV-01/work", {
            "date": "2026-12-05", "work": "applied DSA-5800-1 (openssl); rebooted",
            "worker": "Tanaka (Nagoya Systems)", "approved_by": "Sato, change 2026-118"})
        self.assertEqual(r.status, 201, r)
        r = keeper.request("POST", "/api/v1/assets/SRV-01/work", {
            "date": "yesterday", "work": "x", "worker": "y"})
        self.assertEqual((r.status, r.json["error"]["field"]), (400, "date"))
        r = keeper.request("PATCH", "/api/v1/assets/SRV-01", {"state": "maintenance"})
        self.assertEqual((r.status, r.json["state"], r.json["work"][0]["worker"]),
                         (200, "maintenance", "Tanaka (Nagoya Systems)"))

        # G1.2: the USB stick goes out only on an approved request, and comes back.
        r = keeper.request("POST", "/api/v1/assets/USB-07/checkout-requests", {
            "holder": "Ito (planning)", "purpose": "BAPLIE from MSC CLAUDIA", "days": 2})
        self.assertEqual(r.status, 201, r)
        approval = r.json["approval"]
        r = keeper.request("POST", "/api/v1/media-loans", {"approval": approval})
        self.assertEqual(r.status, 409, r)  # not approved yet
        officer = self.server.client()
        self.assertEqual(officer.login("officer", USER_PASSWORD, self.officer).status, 201)
        self.assertEqual(officer.request("POST", f"/api/v1/approvals/{approval}/approve",
                                         {"note": "two days"}).status, 200)
        self.assertEqual(officer.request("POST", "/api/v1/media-loans",
                                         {"approval": approval}).status, 403)
        r = keeper.request("POST", "/api/v1/media-loans", {"approval": approval})
        self.assertEqual(r.status, 201, r)
        out = officer.request("GET", "/api/v1/media-loans").json["loans"]
        self.assertEqual([(l["holder"], l["overdue"]) for l in out], [("Ito (planning)", False)])
        r = keeper.request("POST", "/api/v1/assets/USB-07/return", {"note": "scanned clean"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["loans"][0]["note"], "scanned clean")
        self.assertEqual(officer.request("GET", "/api/v1/media-loans").json["loans"], [])

        # A gate clerk neither reads nor changes the register.
        clerk = self.server.client()
        self.assertEqual(clerk.login("clerk", USER_PASSWORD, self.clerk).status, 201)
        self.assertEqual(clerk.request("GET", "/api/v1/assets").status, 403)
        self.assertEqual(clerk.request("POST", "/api/v1/assets",
                                       {"tag": "X", "kind": "iot", "name": "x"}).status, 403)
        # Every step is in the audit log, which still verifies.
        listed = json.loads(run(["asset", "list", "--data", self.data.path, "--json"]).stdout)
        self.assertEqual([a["tag"] for a in listed["assets"]], ["PC-GATE-1", "SRV-01", "USB-07"])
        self.assertEqual(run(["audit", "verify", "--data", self.data.path]).returncode, 0)


if __name__ == "__main__":
    unittest.main()
