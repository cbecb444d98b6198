"""The software inventory and release checks (G2.6.1-b, G2.7.4, A1.3.4) against a real
`minato serve` over real TLS, with a real clamd for the media intake.

- Minato's SBOM names every Debian package that owns a library the program loads, at the
  version dpkg has installed — checked against ldd and dpkg-query run here, not by Minato — and
  the build wrote the same list beside the binary.
- An asset's software list is this machine's own `dpkg-query` output, taken in through the
  intake; a bad line is named and nothing changes; malware is refused; a CycloneDX file
  replaces the list.
- `minato upgrade --check` accepts only a release signed by a configured key, unaltered and
  newer, makes the pre-upgrade backup and records the rollback path; every refusal says why
  and is in the audit log."""
import hashlib
import json
import os
import re
import subprocess
import unittest

from harness import EICAR, MINATO, USER_PASSWORD, ClamdServerTestCase, DataDir, run


def dpkg_owner_versions(paths):
    """{package: version} owning `paths`, asked of dpkg here (with the merged /usr's aliases)."""
    owners = {}
    for p in paths:
        candidates = {p, os.path.realpath(p)}
        for c in list(candidates):
            for d in ("/lib/", "/lib64/", "/bin/", "/sbin/"):
                if c.startswith(d):
                    candidates.add("/usr" + c)
                if c.startswith("/usr" + d):
                    candidates.add(c[4:])
        out = subprocess.run(["dpkg-query", "-S"] + sorted(candidates), capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            if ": /" in line and not line.startswith("diversion"):
                for pkg in line.split(": /")[0].split(", "):
                    owners[pkg.split(":")[0]] = None
    for pkg in owners:
        owners[pkg] = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                                     capture_output=True, text=True, check=True).stdout
    return owners


def linked_libraries():
    out = subprocess.run(["ldd", MINATO], capture_output=True, text=True, check=True).stdout
    libs = []
    for line in out.splitlines():
        m = re.search(r"(/\S+) \(0x", line)
        if m:
            libs.append(m.group(1))
    return libs


class Software(ClamdServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.keeper = data.add_user("keeper", ["asset_manager"])
        cls.auditor = data.add_user("audrey", ["auditor"])
        cls.clerk = data.add_user("clerk", ["gate_clerk"])
        super().prepare(data)

    @classmethod
    def clerk_client(cls):
        """The clerk's session, made once: a second login in the same 30 s would replay the
        TOTP code, which the server refuses."""
        if not hasattr(cls, "_clerk"):
            cls._clerk = cls.logged_in("clerk", USER_PASSWORD, cls.clerk)
        return cls._clerk

    def test_G2_7_4_A1_3_4_sbom_names_what_minato_links_at_installed_versions(self):
        bom = json.loads(run(["sbom"]).stdout)
        self.assertEqual((bom["bomFormat"], bom["specVersion"]), ("CycloneDX", "1.5"))
        version = run(["--version"]).stdout.split()[-1]
        self.assertEqual(bom["metadata"]["component"]["version"], version)
        with open(MINATO, "rb") as f:
            self.assertEqual(bom["metadata"]["component"]["hashes"][0]["content"],
                             hashlib.sha256(f.read()).hexdigest())
        linked = {c["name"]: c["version"] for c in bom["components"]
                  if any(p["value"].startswith("linked:") for p in c.get("properties", []))}
        expected = dpkg_owner_versions(linked_libraries())
        self.assertEqual(linked, expected)
        self.assertIn("libsqlite3-0", linked)
        self.assertIn("libssl3", linked)
        # The console's npm packages and the host's release are in it too.
        names = {c["name"]: c for c in bom["components"]}
        self.assertEqual(names["lit"]["purl"], "pkg:npm/lit@" + names["lit"]["version"])
        with open("/etc/debian_version") as f:
            self.assertEqual(names["debian"]["version"], f.read().strip())
        # The build wrote the same list beside the binary.
        built_path = os.path.join(os.path.dirname(MINATO), "minato.cdx.json")
        with open(built_path) as f:
            built = json.load(f)
        self.assertEqual(sorted(c["purl"] for c in built["components"] if "purl" in c),
                         sorted(c["purl"] for c in bom["components"] if "purl" in c))

        # Over the API: the auditor reads it (recorded); a clerk may not.
        auditor = self.logged_in("audrey", USER_PASSWORD, self.auditor)
        r = auditor.request("GET", "/api/v1/sbom")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("application/vnd.cyclonedx+json"))
        # The server reads its own minato.toml: clamd scans on this host (a unix socket), so
        # the clamd package is named too.
        self.assertTrue(self.clamd.address.startswith("unix:"))
        self.assertEqual(sorted(c["name"] for c in r.json["components"]),
                         sorted(list(names) + ["clamav-daemon"]))
        clerk = self.clerk_client()
        self.assertEqual(clerk.request("GET", "/api/v1/sbom").status, 403)

    def test_G2_6_1_b_asset_software_lists_come_through_the_intake(self):
        keeper = self.logged_in("keeper", USER_PASSWORD, self.keeper)
        r = keeper.request("POST", "/api/v1/assets", {"tag": "SRV-11", "kind": "server",
                                                      "name": "TOS database server"})
        self.assertEqual(r.status, 201, r)

        def upload(body, name, type_="text/plain", tag="SRV-11"):
            return keeper.request("POST", f"/api/v1/assets/{tag}/software", raw_body=body,
                                  headers={"Content-Type": type_, "X-File-Name": name})

        here = subprocess.run(["dpkg-query", "-W", "-f=${binary:Package}\t${Version}\t${Architecture}\n"],
                              capture_output=True, check=True).stdout
        installed = [l for l in here.decode().splitlines() if l.split("\t")[1]]
        # A bad line is named; nothing is imported.
        bad = here + b"Bad_Name\t1.0\tamd64\n"
        r = upload(bad, "srv-11.txt")
        self.assertEqual(r.status, 400, r.raw)
        self.assertIn(f"srv-11.txt: line {len(here.splitlines()) + 1}: 'Bad_Name' is not a Debian "
                      "package name", r.json["error"]["message"])
        self.assertEqual(keeper.request("GET", "/api/v1/assets/SRV-11/software").json["count"], 0)
        # Malware is refused by the intake; an unknown asset before the file is taken in.
        self.assertEqual(upload(here + EICAR + b"\t1\n", "evil.txt").status, 403)
        self.assertEqual(upload(here, "x.txt", tag="NOPE-1").status, 404)
        self.assertEqual(upload(b"MZ\0\0", "x.exe").status, 400)
        self.assertEqual(upload(here, "x.txt", type_="application/zip").status, 415)

        r = upload(here, "srv-11.txt")
        self.assertEqual(r.status, 201, r.raw)
        self.assertEqual((r.json["source"], r.json["count"]), ("dpkg-query", len(installed)))
        libc = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libc6"], capture_output=True,
                              text=True, check=True).stdout
        listed = keeper.request("GET", "/api/v1/assets/SRV-11/software").json
        found = [c for c in listed["components"] if c["name"] == "libc6"]
        self.assertEqual([c["version"] for c in found], [libc])
        self.assertTrue(found[0]["purl"].startswith("pkg:deb/debian/libc6@"))
        self.assertEqual(listed["imported_by"], "user:keeper")

        # A CycloneDX file (Minato's own SBOM) replaces the list whole.
        sbom = run(["sbom"]).stdout.encode()
        r = upload(sbom, "minato.cdx.json", "application/vnd.cyclonedx+json")
        self.assertEqual(r.status, 201, r.raw)
        self.assertEqual(r.json["source"], "cyclonedx")
        listed = keeper.request("GET", "/api/v1/assets/SRV-11/software").json
        self.assertEqual(listed["count"], len(json.loads(sbom)["components"]) + 1)
        self.assertEqual(listed["components"][0]["name"], "minato")
        # The overview; a clerk reads nothing.
        lists = keeper.request("GET", "/api/v1/software").json["lists"]
        self.assertEqual([(l["tag"], l["source"]) for l in lists], [("SRV-11", "cyclonedx")])
        clerk = self.clerk_client()
        self.assertEqual(clerk.request("GET", "/api/v1/assets/SRV-11/software").status, 403)
        self.assertEqual(upload(here, "x.txt").status, 201)  # the keeper still can

        # On the host: Minato's SBOM recorded as the list of the asset it runs on.
        run(["sbom", "--data", self.data.path, "--asset", "SRV-11", "--out", os.devnull])
        listed = json.loads(run(["software", "show", "SRV-11", "--data", self.data.path,
                                 "--json"]).stdout)
        self.assertEqual(listed["source"], "minato")
        self.assertIn("libsqlite3-0", [c["name"] for c in listed["components"]])
        self.assertEqual(run(["audit", "verify", "--data", self.data.path]).returncode, 0)


class Upgrade(unittest.TestCase):
    """`minato upgrade --check` on a data directory with backups set up."""

    def setUp(self):
        self.data = DataDir()
        self.tmp = self.data.root
        for name, text in (("p1", "correct horse battery staple 1"),
                           ("p2", "correct horse battery staple 2")):
            with open(os.path.join(self.tmp, name), "w") as f:
                f.write(text + "\n")
        self.release = os.path.join(self.tmp, "release")
        os.mkdir(self.release)
        self.key = os.path.join(self.tmp, "release.key")
        self.public = run(["release", "keygen", "--out", self.key]).stdout.strip()

    def tearDown(self):
        self.data.cleanup()

    def make_release(self, version, key=None, content=b"minato program archive " * 1000):
        artefact = os.path.join(self.release, f"minato-{version}-amd64.tar")
        with open(artefact, "wb") as f:
            f.write(content)
        run(["release", "sign", "--key", key or self.key, "--version", version, artefact])
        return artefact

    def check(self, artefact):
        return run(["upgrade", "--check", artefact, "--data", self.data.path, "--json"],
                   check=False)

    def refused(self, artefact, says):
        r = self.check(artefact)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn(says, r.stderr)
        return r

    def test_G2_7_4_A1_3_4_only_a_signed_newer_release_with_a_backup_first(self):
        artefact = self.make_release("9.0.0")
        # sha256sum agrees with the signed sums.
        subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=self.release, check=True,
                       capture_output=True)
        # No key trusted yet: nothing is accepted.
        self.refused(artefact, "no release key is trusted here")
        self.data.set_config({"release_keys": f'"{self.public}"'})
        # Trusted, but no backups set up: no upgrade without a way back.
        self.refused(artefact, "no pre-upgrade backup can be made")
        run(["backup", "init", "--data", self.data.path,
             "--passphrase-file", os.path.join(self.tmp, "p1"),
             "--keys-passphrase-file", os.path.join(self.tmp, "p2")])
        # One byte of the artefact changed.
        with open(artefact, "r+b") as f:
            f.seek(100)
            f.write(b"X")
        self.refused(artefact, "has SHA-256")
        # Signed by a key that is not configured.
        other = os.path.join(self.tmp, "other.key")
        other_public = run(["release", "keygen", "--out", other]).stdout.strip()
        artefact = self.make_release("9.0.0", key=other)
        self.refused(artefact, f"signed by key {other_public}, which is not in upgrade.release_keys")
        # A manifest edited after signing.
        artefact = self.make_release("9.0.0")
        manifest = os.path.join(self.release, "RELEASE.json")
        with open(manifest) as f:
            text = f.read()
        with open(manifest, "w") as f:
            f.write(text.replace('"9.0.0"', '"9.0.1"'))
        self.refused(artefact, "does not verify")
        # Older than the running one: a rollback, not an upgrade.
        self.refused(self.make_release("0.0.1"), "is older than the running")
        self.assertFalse(os.path.exists(os.path.join(self.data.path, "rollback")))

        r = self.check(self.make_release("9.0.0"))
        self.assertEqual(r.returncode, 0, r.stderr)
        done = json.loads(r.stdout)
        self.assertEqual((done["to"], done["signer"]), ("9.0.0", self.public))
        self.assertEqual([s.split(":")[0] for s in done["backup_sets"]],
                         ["database", "config", "release"])
        with open(done["rollback_file"]) as f:
            rollback = f.read()
        for s in done["backup_sets"]:
            self.assertIn(s.split(":")[1], rollback)
            self.assertTrue(os.path.isdir(os.path.join(self.data.path, "backups",
                                                       s.split(":")[1])), s)
        self.assertIn("minato restore --from", rollback)
        # Every check, the refused ones too, is in the audit log, which verifies.
        self.assertEqual(run(["audit", "verify", "--data", self.data.path]).returncode, 0)
        events = run(["audit", "export", "--data", self.data.path], check=False).stdout
        self.assertGreaterEqual(events.count('"upgrade.check"'), 6, events[-2000:])


if __name__ == "__main__":
    unittest.main()
