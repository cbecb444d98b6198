"""The vulnerability register (G2.7.5, G2.7.1-a) against a real `minato serve` over real TLS,
with a real clamd for the media intake.

Two servers are in the register: this machine, with its own `dpkg-query` list, and an old host
whose glibc was never patched. Real advisories come in as OSV JSON: DSA-5514-1 (glibc,
CVE-2023-4911, fixed in bookworm by 2.36-9+deb12u3) and Debian's record of CVE-2010-4756
(glibc's glob, never fixed in bookworm). Whether this machine's glibc is affected is asked of
dpkg itself (`dpkg --compare-versions`), not of Minato. The KEV catalogue flags CVE-2023-4911,
which is then listed first. A finding gets its plan; upgrading the old host resolves it; a feed
past its age is a warning and an alert (once), never a silent "0 vulnerabilities"."""
import io
import json
import subprocess
import time
import unittest
import zipfile

from harness import USER_PASSWORD, ClamdServerTestCase, run

DSA_5514_1 = {
    "id": "DSA-5514-1", "modified": "2023-10-03T12:00:00Z", "published": "2023-10-03T00:00:00Z",
    "aliases": ["CVE-2023-4911"], "summary": "glibc - security update",
    "affected": [
        {"package": {"ecosystem": "Debian:12", "name": "glibc"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.36-9+deb12u3"}]}]},
        {"package": {"ecosystem": "Debian:11", "name": "glibc"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.31-13+deb11u7"}]}]},
    ]}
CVE_2010_4756 = {
    "id": "DEBIAN-CVE-2010-4756", "modified": "2024-09-03T00:00:00Z", "published": "2011-03-02T20:00:00Z",
    "upstream": ["CVE-2010-4756"],
    "details": "The glob implementation in the GNU C Library allows remote authenticated users to "
               "cause a denial of service (CPU and memory consumption) via crafted glob expressions.",
    "affected": [{"package": {"ecosystem": "Debian:12", "name": "glibc"},
                  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}
KEV = {
    "title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2026.12.01",
    "dateReleased": "2026-12-01T16:00:00.000Z", "count": 2,
    "vulnerabilities": [
        {"cveID": "CVE-2023-4911", "vendorProject": "GNU", "product": "GNU C Library",
         "vulnerabilityName": "GNU C Library Buffer Overflow Vulnerability", "dateAdded": "2023-11-21",
         "shortDescription": "GNU C Library's dynamic loader contains a buffer overflow.",
         "requiredAction": "Apply mitigations per vendor instructions or discontinue use of the product if mitigations are unavailable.",
         "dueDate": "2023-12-12", "knownRansomwareCampaignUse": "Unknown", "notes": ""},
        {"cveID": "CVE-2023-3519", "vendorProject": "Citrix", "product": "NetScaler ADC and NetScaler Gateway",
         "vulnerabilityName": "Citrix NetScaler ADC and NetScaler Gateway Code Injection Vulnerability",
         "dateAdded": "2023-07-19", "requiredAction": "Apply mitigations per vendor instructions.",
         "dueDate": "2023-08-09", "knownRansomwareCampaignUse": "Known", "notes": ""},
    ]}
FORMAT = "-f=${binary:Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n"


def installed_glibc():
    return subprocess.run(["dpkg-query", "-W", "-f=${source:Version}", "libc6"], capture_output=True,
                          text=True, check=True).stdout


def older(listing, versions):
    """This machine's dpkg-query listing with the binaries of some source packages set back to
    older versions ({source package: version}): an unpatched host."""
    lines = []
    for line in listing.decode().splitlines():
        f = line.split("\t")
        if len(f) == 5 and f[3] in versions and f[1]:
            f[1] = f[4] = versions[f[3]]
        lines.append("\t".join(f))
    return ("\n".join(lines) + "\n").encode()


def dpkg_older(a, b):
    """dpkg's own answer: is version a older than b?"""
    return subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0


class Vulnerabilities(ClamdServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.keeper = data.add_user("keeper", ["asset_manager"])
        cls.officer = data.add_user("officer", ["security_officer"])
        cls.clerk = data.add_user("clerk", ["gate_clerk"])
        super().prepare(data)
        data.set_config({"security_mail": '"soc@terminal.example"', "heartbeat_seconds": "5",
                         "feed_max_age_days": "365"})

    def feed(self, client, body, name):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return client.request("POST", "/api/v1/vulnerability-feeds", raw_body=raw,
                              headers={"Content-Type": "application/json", "X-File-Name": name})

    def software(self, client, tag, body):
        return client.request("POST", f"/api/v1/assets/{tag}/software", raw_body=body,
                              headers={"Content-Type": "text/plain", "X-File-Name": f"{tag}.txt"})

    def test_G2_7_5_real_advisories_matched_fixed_not_kev_first_plans_and_stale_feeds(self):
        keeper = self.logged_in("keeper", USER_PASSWORD, self.keeper)
        officer = self.logged_in("officer", USER_PASSWORD, self.officer)
        for tag, name in (("SRV-31", "this machine"), ("SRV-32", "old gate server")):
            self.assertEqual(keeper.request("POST", "/api/v1/assets", {
                "tag": tag, "kind": "server", "name": name}).status, 201)
        # Nothing taken in yet: the register says it cannot tell, rather than "0".
        empty = officer.request("GET", "/api/v1/findings").json
        self.assertEqual(empty["findings"], [])
        self.assertEqual(sorted(w["code"] for w in empty["warnings"]), ["no_feed", "no_lists"])
        self.assertTrue(any("no advisory feed" in w["text"] for w in empty["warnings"]), empty)

        here = subprocess.run(["dpkg-query", "-W", FORMAT], capture_output=True, check=True).stdout
        glibc = installed_glibc()
        # The old host: the same packages, its glibc binaries still at 2.36-9+deb12u1.
        old = older(here, {"glibc": "2.36-9+deb12u1"})
        self.assertEqual(self.software(keeper, "SRV-31", here).status, 201)
        self.assertEqual(self.software(keeper, "SRV-32", old).status, 201)

        # Malformed feeds are refused whole, naming the record; nothing is taken in.
        r = self.feed(keeper, [DSA_5514_1, {"modified": "2024-01-01T00:00:00Z"}], "broken.json")
        self.assertEqual(r.status, 400, r.raw)
        self.assertIn("broken.json: record 1: no id", r.json["error"]["message"])
        r = self.feed(keeper, b"PK\x03\x04" + b"\0" * 64, "all.zip")
        self.assertEqual(r.status, 400, r.raw)
        self.assertEqual(self.feed(self.logged_in("clerk", USER_PASSWORD, self.clerk),
                                   [DSA_5514_1], "x.json").status, 403)
        self.assertEqual(officer.request("GET", "/api/v1/findings").json["findings"], [])

        r = self.feed(keeper, [DSA_5514_1, CVE_2010_4756], "debian-osv.json")
        self.assertEqual(r.status, 201, r.raw)
        self.assertEqual((r.json["kind"], r.json["entries"]), ("osv", 2))
        found = officer.request("GET", "/api/v1/findings").json["findings"]
        got = sorted((f["tag"], f["package"], f["advisory"]) for f in found)
        want = [("SRV-32", "glibc", "DEBIAN-CVE-2010-4756"), ("SRV-32", "glibc", "DSA-5514-1"),
                ("SRV-31", "glibc", "DEBIAN-CVE-2010-4756")]
        # This machine: affected by the DSA only if dpkg says its glibc is older than the fix.
        if dpkg_older(glibc, "2.36-9+deb12u3"):
            want.append(("SRV-31", "glibc", "DSA-5514-1"))
        self.assertEqual(got, sorted(want))
        this = [f for f in found if f["tag"] == "SRV-31" and f["advisory"] == "DEBIAN-CVE-2010-4756"][0]
        self.assertEqual((this["version"], this["fixed"], this["state"]), (glibc, "", "open"))
        dsa_old = [f for f in found if f["tag"] == "SRV-32" and f["advisory"] == "DSA-5514-1"][0]
        self.assertEqual((dsa_old["version"], dsa_old["fixed"], dsa_old["cves"]),
                         ("2.36-9+deb12u1", "2.36-9+deb12u3", "CVE-2023-4911"))
        self.assertFalse(dsa_old["kev"])

        # KEV: CVE-2023-4911 is known exploited; its finding is flagged and listed first.
        r = self.feed(keeper, KEV, "known_exploited_vulnerabilities.json")
        self.assertEqual((r.status, r.json["kind"], r.json["entries"]), (201, "kev", 2), r.raw)
        found = officer.request("GET", "/api/v1/findings").json["findings"]
        self.assertEqual((found[0]["advisory"], found[0]["kev"], found[0]["kev_due"]),
                         ("DSA-5514-1", True, "2023-12-12"))
        self.assertTrue(all(not f["kev"] for f in found if f["advisory"] != "DSA-5514-1"))

        # The plan (G2.7.5): accepted only with a compensating control; each change audited.
        fid = dsa_old["id"]
        r = keeper.request("PATCH", f"/api/v1/findings/{fid}", {"state": "accepted"})
        self.assertEqual((r.status, r.json["error"]["field"]), (400, "compensating"), r)
        r = keeper.request("PATCH", f"/api/v1/findings/{fid}", {"due_date": "next week"})
        self.assertEqual((r.status, r.json["error"]["field"]), (400, "due_date"), r)
        plan = {"state": "planned", "owner": "Sato (IT)", "due_date": "2026-12-14",
                "need": "local privilege escalation on the gate server",
                "method": "apt upgrade libc6 from the offline mirror (DSA-5514-1)",
                "workaround": "", "impact": "gate server restarts: 10 minutes, lane 3 by hand",
                "schedule": "Sunday 02:00 window", "tests": "gate-in and gate-out of a test unit",
                "compensating": "no interactive logins on the gate server until patched"}
        r = keeper.request("PATCH", f"/api/v1/findings/{fid}", plan)
        self.assertEqual(r.status, 200, r)
        self.assertEqual({k: r.json[k] for k in plan}, plan)
        self.assertEqual(officer.request("PATCH", f"/api/v1/findings/{fid}",
                                         {"owner": "me"}).status, 403)

        # The old host is patched: its new list resolves the DSA finding, not the unfixed one.
        patched = old.replace(b"2.36-9+deb12u1", glibc.encode())
        r = self.software(keeper, "SRV-32", patched)
        self.assertEqual(r.status, 201, r.raw)
        after = {f["id"]: f for f in officer.request("GET", "/api/v1/findings").json["findings"]}
        if not dpkg_older(glibc, "2.36-9+deb12u3"):
            self.assertEqual(after[fid]["state"], "resolved")
            self.assertNotEqual(after[fid]["resolved"], "")
        self.assertEqual([f["state"] for f in after.values()
                          if f["tag"] == "SRV-32" and f["advisory"] == "DEBIAN-CVE-2010-4756"], ["open"])
        self.assertEqual(after[fid]["owner"], "Sato (IT)")  # the plan stays with the finding

        # G2.7.5: the OSV feed's newest record is from 2024, past the 365 days allowed: the
        # register says so, and security staff are alerted (by the server's job, once a day).
        reg = officer.request("GET", "/api/v1/findings").json
        osv = [f for f in reg["feeds"] if f["kind"] == "osv"][0]
        self.assertEqual((osv["newest"], osv["stale"]), ("2024-09-03T00:00:00Z", True))
        self.assertEqual([(w["code"], w["kind"], w["age_days"], w["limit"]) for w in reg["warnings"]],
                         [("stale", "osv", osv["age_days"], 365)])
        self.assertIn(f"the OSV feed is {osv['age_days']} days old (limit 365)", reg["warnings"][0]["text"])
        self.assertFalse([f for f in reg["feeds"] if f["kind"] == "kev"][0]["stale"])
        deadline = time.time() + 30
        while True:
            notes = officer.request("GET", "/api/v1/notifications").json["notifications"]
            stale = [n for n in notes if n["event"] == "vuln.feed_stale"]
            if stale or time.time() > deadline:
                break
            time.sleep(0.5)
        self.assertEqual(len(stale), 1, "a vuln.feed_stale alert within 30 s")
        time.sleep(11)  # two more runs of the jobs (every 5 s here): no second alert today
        notes = officer.request("GET", "/api/v1/notifications").json["notifications"]
        self.assertEqual(len([n for n in notes if n["event"] == "vuln.feed_stale"]), 1)

        # The CLI reads the same register.
        listed = json.loads(run(["vuln", "list", "--data", self.data.path, "--json"]).stdout)
        self.assertEqual(len(listed["findings"]), len(after))
        open_one = [f for f in after.values() if f["state"] == "open"][0]["id"]
        run(["vuln", "plan", str(open_one), "--data", self.data.path, "--owner", "Ito (IT)",
             "--due-date", "2026-12-20", "--state", "planned"])
        shown = json.loads(run(["vuln", "show", str(open_one), "--data", self.data.path,
                                "--json"]).stdout)
        self.assertEqual((shown["owner"], shown["due_date"], shown["state"]),
                         ("Ito (IT)", "2026-12-20", "planned"))
        bad = run(["vuln", "plan", str(open_one), "--data", self.data.path, "--state", "done"],
                  check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("state must be one of", bad.stderr)


# The Debian Security Tracker's JSON, as the tracker publishes it, for the same two glibc CVEs
# (fixed by 2.36-9+deb12u3 in bookworm; the glob one never), and zlib's CVE-2022-37434, fixed in
# bookworm's first version (1:1.2.13.dfsg-1) — so Debian speaks for zlib too.
TRACKER = {
    "glibc": {
        "CVE-2023-4911": {
            "description": "A buffer overflow was discovered in the GNU C Library's dynamic loader ld.so",
            "scope": "local",
            "releases": {
                "bookworm": {"status": "resolved", "repositories": {"bookworm": "2.36-9+deb12u13"},
                             "fixed_version": "2.36-9+deb12u3", "urgency": "high"},
                "bullseye": {"status": "resolved", "fixed_version": "2.31-13+deb11u7", "urgency": "medium"},
                "sid": {"status": "resolved", "fixed_version": "2.37-12", "urgency": "medium"}}},
        "CVE-2010-4756": {
            "description": "The glob implementation in the GNU C Library allows remote authenticated users to cause a denial of service",
            "releases": {"bookworm": {"status": "open", "urgency": "unimportant"},
                         "sid": {"status": "open", "urgency": "unimportant"}}}},
}
# NVD CVE JSON 2.0: CVE-2022-37434 (zlib through 1.2.12) and CVE-2023-4911 (glibc 2.34 to 2.39),
# each by its CPE criteria as NVD has them.
NVD = {
    "resultsPerPage": 2, "startIndex": 0, "totalResults": 2, "format": "NVD_CVE", "version": "2.0",
    "timestamp": "2026-12-01T08:00:00.000",
    "vulnerabilities": [
        {"cve": {"id": "CVE-2022-37434", "published": "2022-08-05T07:15:07.240",
                 "lastModified": "2024-11-21T07:14:57.040", "vulnStatus": "Modified",
                 "descriptions": [{"lang": "en", "value": "zlib through 1.2.12 has a heap-based buffer over-read or buffer overflow in inflate in inflate.c via a large gzip header extra field."}],
                 "metrics": {"cvssMetricV31": [{"type": "Primary", "cvssData": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "baseScore": 9.8}}]},
                 "configurations": [{"nodes": [{"operator": "OR", "negate": False, "cpeMatch": [
                     {"vulnerable": True, "criteria": "cpe:2.3:a:zlib:zlib:*:*:*:*:*:*:*:*",
                      "versionEndIncluding": "1.2.12", "matchCriteriaId": "E4D2C6A5-5E41-4A4E-A0A5-7E2E0E2C8B2B"}]}]}]}},
        {"cve": {"id": "CVE-2023-4911", "published": "2023-10-03T18:15:09.813",
                 "lastModified": "2024-11-21T08:40:12.000", "vulnStatus": "Modified",
                 "descriptions": [{"lang": "en", "value": "A buffer overflow was discovered in the GNU C Library's dynamic loader ld.so while processing the GLIBC_TUNABLES environment variable."}],
                 "configurations": [{"nodes": [{"operator": "OR", "negate": False, "cpeMatch": [
                     {"vulnerable": True, "criteria": "cpe:2.3:a:gnu:glibc:*:*:*:*:*:*:*:*",
                      "versionStartIncluding": "2.34", "versionEndExcluding": "2.39"}]}]}]}},
    ]}


def zip_of(entries, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, body in entries:
            z.writestr(name, body if isinstance(body, bytes) else json.dumps(body))
    return buf.getvalue()


class MoreFeeds(ClamdServerTestCase):
    """The Debian Security Tracker, NVD with CPE matching, and OSV's all.zip with its limits."""

    @classmethod
    def prepare(cls, data):
        cls.keeper = data.add_user("keeper", ["asset_manager"])
        cls.officer = data.add_user("officer", ["security_officer"])
        super().prepare(data)
        data.set_config({"feed_max_age_days": "365"})

    def feed(self, client, body, name, kind="application/json"):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return client.request("POST", "/api/v1/vulnerability-feeds", raw_body=raw,
                              headers={"Content-Type": kind, "X-File-Name": name})

    def test_G2_7_5_debian_tracker_nvd_by_cpe_and_osv_archive(self):
        keeper = self.logged_in("keeper", USER_PASSWORD, self.keeper)
        officer = self.logged_in("officer", USER_PASSWORD, self.officer)
        here = subprocess.run(["dpkg-query", "-W", FORMAT], capture_output=True, check=True).stdout
        glibc = installed_glibc()
        # The old host: glibc at 2.36-9+deb12u1 and a zlib from bullseye (1.2.11).
        old = older(here, {"glibc": "2.36-9+deb12u1", "zlib": "1:1.2.11.dfsg-2+deb11u2"})
        for tag, body in (("SRV-41", here), ("SRV-42", old)):
            self.assertEqual(keeper.request("POST", "/api/v1/assets", {
                "tag": tag, "kind": "server", "name": tag}).status, 201)
            self.assertEqual(keeper.request(
                "POST", f"/api/v1/assets/{tag}/software", raw_body=body,
                headers={"Content-Type": "text/plain", "X-File-Name": f"{tag}.txt"}).status, 201)

        def findings():
            return {(f["tag"], f["package"], f["advisory"]): f
                    for f in officer.request("GET", "/api/v1/findings").json["findings"]
                    if f["state"] != "resolved"}

        # NVD first: by CPE product and upstream version. zlib 1.2.11 is in "through 1.2.12",
        # this machine's 1.2.13 is not; glibc 2.36 is in [2.34, 2.39) on both hosts — a guess
        # (Debian fixes by revision), and marked as one.
        r = self.feed(keeper, NVD, "nvdcve-2.0-modified.json")
        self.assertEqual((r.status, r.json["kind"], r.json["entries"]), (201, "nvd", 2), r.raw)
        got = findings()
        self.assertIn(("SRV-42", "zlib", "CVE-2022-37434"), got)
        self.assertNotIn(("SRV-41", "zlib", "CVE-2022-37434"), got)
        cpe = got[("SRV-41", "glibc", "CVE-2023-4911")]
        self.assertIn("[NVD CPE match, upstream version 2.36", cpe["summary"])
        self.assertEqual(got[("SRV-42", "zlib", "CVE-2022-37434")]["fixed"], "")

        # The Debian tracker: Debian's own word, per release and source package, compared as
        # apt compares. With it, the CPE guesses about the CVEs it names go away.
        r = self.feed(keeper, TRACKER, "debian-security-tracker.json")
        self.assertEqual((r.status, r.json["kind"], r.json["entries"]), (201, "debian", 2), r.raw)
        got = findings()
        self.assertEqual(got[("SRV-42", "glibc", "DEBIAN-CVE-2023-4911")]["fixed"], "2.36-9+deb12u3")
        self.assertEqual(("SRV-41", "glibc", "DEBIAN-CVE-2023-4911") in got,
                         dpkg_older(glibc, "2.36-9+deb12u3"))
        self.assertIn(("SRV-41", "glibc", "DEBIAN-CVE-2010-4756"), got)
        self.assertNotIn(("SRV-41", "glibc", "CVE-2023-4911"), got)
        self.assertNotIn(("SRV-42", "glibc", "CVE-2023-4911"), got)
        self.assertIn(("SRV-42", "zlib", "CVE-2022-37434"), got)  # the tracker says nothing of it
        kinds = {f["kind"] for f in officer.request("GET", "/api/v1/findings").json["feeds"]}
        self.assertEqual(kinds, {"nvd", "debian"})

        # OSV's all.zip: every record in it; a withdrawn one affects nothing.
        withdrawn = dict(CVE_2010_4756, id="DEBIAN-CVE-2010-4756",
                         withdrawn="2026-11-30T00:00:00Z", modified="2026-11-30T00:00:00Z")
        archive = zip_of([("DSA-5514-1.json", DSA_5514_1), ("DEBIAN-CVE-2010-4756.json", withdrawn)])
        r = self.feed(keeper, archive, "all.zip", "application/zip")
        self.assertEqual((r.status, r.json["kind"], r.json["entries"]), (201, "osv", 2), r.raw)
        got = findings()
        self.assertIn(("SRV-42", "glibc", "DSA-5514-1"), got)
        self.assertNotIn(("SRV-41", "glibc", "DEBIAN-CVE-2010-4756"), got)  # withdrawn: resolved

        # Bad archives: refused by the intake, naming the entry, before anything is parsed.
        before = officer.request("GET", "/api/v1/findings").json
        bomb = zip_of([("DSA-1.json", b"[" + b" " * (60 << 20) + b"]")])
        self.assertLess(len(bomb), 1 << 20)
        dense = zip_of([("DSA-2.json", b"[" + b" " * (3 << 20) + b"]")])  # under 4 MiB, 1000:1
        for body, says in (
                (bomb, "entry 0 (DSA-1.json): 62914562 bytes, more than 4194304 for one record"),
                (dense, "a zip bomb?"),
                (zip_of([("DSA-5514-1.json", DSA_5514_1), ("../etc/cron.d/x.json", b"{}")]),
                 "not a .json file at the top"),
                (zip_of([("setup.exe", b"MZ" + b"\0" * 64)]), "entry 0 (setup.exe)"),
                (archive[:len(archive) // 2], "not a sound ZIP archive"),
                (zip_of([("DSA-5514-1.json", DSA_5514_1), ("bad.json", {"id": "x"})]),
                 "entry 1 (bad.json)")):
            r = self.feed(keeper, body, "all.zip", "application/zip")
            self.assertEqual(r.status, 400, r.raw)
            self.assertIn(says, r.json["error"]["message"])
        self.assertEqual(officer.request("GET", "/api/v1/findings").json, before)


if __name__ == "__main__":
    unittest.main()
