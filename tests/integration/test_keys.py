"""The key inventory (G2.3-c) against a real `minato serve` over real TLS: every key with its
fingerprint, checked against what openssl and the trust file say; rotation by command (the
server presents the new certificate from its next start; old checkpoints still verify); a
certificate replaced by hand is recorded as rotated outside Minato, and one near its end alerts
security staff."""
import hashlib
import json
import os
import socket
import ssl
import subprocess
import time
import unittest

from harness import USER_PASSWORD, Server, ServerTestCase, run


def openssl_fingerprint(cert):
    out = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256"],
                         capture_output=True, text=True, check=True).stdout
    return out.strip().split("=", 1)[1].replace(":", "").lower()


def served_fingerprint(server):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            return hashlib.sha256(tls.getpeercert(binary_form=True)).hexdigest()


class KeyInventory(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.secrets = {name: data.add_user(name, [role]) for name, role in (
            ("officer", "security_officer"), ("officer2", "security_officer"),
            ("clerk", "gate_clerk"))}
        data.set_config({"security_mail": '"soc@terminal.example"'})

    def keys(self):
        out = json.loads(run(["key", "list", "--data", self.data.path, "--json"]).stdout)
        return {k["key"]: k for k in out["keys"]}

    def test_G2_3_c_every_key_listed_rotated_and_watched(self):
        officer = self.logged_in("officer", USER_PASSWORD, self.secrets["officer"])
        clerk = self.logged_in("clerk", USER_PASSWORD, self.secrets["clerk"])
        keys = self.keys()
        self.assertEqual(set(keys), {"tls", "audit", "signing", "sealing", "backup", "webauthn-rp"})
        # The TLS certificate: what openssl says of the file, and what the server presents.
        tls = keys["tls"]
        self.assertEqual(tls["fingerprint"], openssl_fingerprint(self.data.cert))
        self.assertEqual(tls["fingerprint"], served_fingerprint(self.server))
        self.assertTrue(tls["expires"] and tls["created"])
        self.assertEqual(tls["rotated"], "")
        # The audit key: the SHA-256 of the public key in the trust file.
        with open(os.path.join(self.data.path, "keys", "audit-trust.txt")) as f:
            public = bytes.fromhex(f.read().split()[1])
        self.assertEqual(keys["audit"]["fingerprint"], hashlib.sha256(public).hexdigest())
        self.assertEqual(keys["webauthn-rp"]["fingerprint"],
                         hashlib.sha256(b"localhost").hexdigest())
        self.assertFalse(keys["backup"]["present"])  # `minato backup init` has not run
        self.assertRegex(keys["sealing"]["fingerprint"], r"^[0-9a-f]{64}$")
        # The console's readers see the same; terminal staff do not.
        api = {k["key"]: k for k in officer.request("GET", "/api/v1/keys").json["keys"]}
        self.assertEqual(api["tls"]["fingerprint"], tls["fingerprint"])
        self.assertEqual(clerk.request("GET", "/api/v1/keys").status, 403)

        # Rotation by command: a new certificate, from the next start.
        rotated = json.loads(run(["key", "rotate", "tls", "--data", self.data.path,
                                  "--json"]).stdout)
        self.assertNotEqual(rotated["fingerprint"], tls["fingerprint"])
        self.assertEqual(rotated["fingerprint"], openssl_fingerprint(self.data.cert))
        self.assertTrue(rotated["rotated_by"].startswith("cli:"))
        self.assertEqual(served_fingerprint(self.server), tls["fingerprint"])
        # The audit key too: the log, its old checkpoints included, still verifies.
        old_audit = keys["audit"]["fingerprint"]
        run(["key", "rotate", "audit", "--data", self.data.path])
        self.assertNotEqual(self.keys()["audit"]["fingerprint"], old_audit)
        # The sealing key is not rotated by a command: the refusal says where the procedure is.
        r = run(["key", "rotate", "sealing", "--data", self.data.path], check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("the sealing key is not rotated by this command", r.stderr)
        r = run(["key", "rotate", "nosuch", "--data", self.data.path], check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no key 'nosuch'", r.stderr)

        # Someone replaces the certificate by hand with one that ends in ten days.
        tmp = os.path.join(self.data.root, "hand")
        os.mkdir(tmp)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", f"{tmp}/key.pem", "-out",
                        f"{tmp}/cert.pem", "-days", "10", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True,
                       capture_output=True)
        for name in ("key.pem", "cert.pem"):
            with open(f"{tmp}/{name}", "rb") as src, \
                    open(os.path.join(self.data.path, "tls", name), "wb") as dst:
                dst.write(src.read())
        self.server.stop()
        self.__class__.server = Server(self.data).start()
        hand = self.keys()["tls"]
        self.assertEqual(hand["fingerprint"], openssl_fingerprint(self.data.cert))
        self.assertEqual(served_fingerprint(self.server), hand["fingerprint"])
        self.assertIn("outside Minato", hand["rotated_by"])
        self.assertRegex(hand["warning"], r"^expires in (9|10) days$")
        officer = self.logged_in("officer2", USER_PASSWORD, self.secrets["officer2"])
        deadline = time.time() + 15
        while time.time() < deadline:
            notes = officer.request("GET", "/api/v1/notifications").json["notifications"]
            expiring = [n for n in notes if n["event"] == "key.expiring"]
            if expiring:
                break
            time.sleep(0.5)
        self.assertEqual(len(expiring), 1, "a key.expiring alert")
        self.assertIn("TLS certificate about to expire", expiring[0]["subject"])
        self.assertEqual(run(["audit", "verify", "--data", self.data.path],
                             check=False).returncode, 0)


if __name__ == "__main__":
    unittest.main()
