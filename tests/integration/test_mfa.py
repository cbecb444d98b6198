"""G2.1.1-b, G2.2.2-d: WebAuthn and recovery codes against a real `minato serve` over TLS.

The test plays the browser and a security key: an Ed25519 key made and used by the `openssl`
command line, CBOR written by hand, so the server's verification meets an independent
implementation of the ceremony bytes.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import USER_PASSWORD, ServerTestCase



def b64u(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cbor_bytes(b):
    n = len(b)
    head = bytes([0x40 | n]) if n < 24 else (bytes([0x58, n]) if n < 256 else
                                              bytes([0x59, n >> 8, n & 0xff]))
    return head + b


def cbor_text(s):
    b = s.encode()
    return bytes([0x60 | len(b)]) + b


class SoftKey:
    """An Ed25519 security key whose private key lives in a PEM file used by openssl."""

    def __init__(self, directory, origin, rp_id="localhost"):
        self.dir = directory
        self.origin = origin  # the console's origin, as the browser would give it
        self.pem = os.path.join(directory, "key.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", self.pem],
                       check=True, capture_output=True)
        der = subprocess.run(["openssl", "pkey", "-in", self.pem, "-pubout", "-outform", "DER"],
                             check=True, capture_output=True).stdout
        self.public = der[-32:]
        self.id = os.urandom(16)
        self.rp_hash = hashlib.sha256(rp_id.encode()).digest()
        self.counter = 0

    def sign(self, message):
        path = os.path.join(self.dir, "msg.bin")
        with open(path, "wb") as f:
            f.write(message)
        return subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", self.pem, "-rawin",
                               "-in", path], check=True, capture_output=True).stdout

    def client_data(self, kind, challenge, origin=None):
        origin = origin or self.origin
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin,
                           "crossOrigin": False}).encode()

    def create(self, challenge):
        cose = bytes([0xa4, 0x01, 0x01, 0x03, 0x27, 0x20, 0x06, 0x21, 0x58, 0x20]) + self.public
        auth = (self.rp_hash + bytes([0x45]) + self.counter.to_bytes(4, "big") + bytes(16) +
                len(self.id).to_bytes(2, "big") + self.id + cose)
        att = (bytes([0xa3]) + cbor_text("fmt") + cbor_text("none") + cbor_text("attStmt") +
               bytes([0xa0]) + cbor_text("authData") + cbor_bytes(auth))
        return {"client_data_json": b64u(self.client_data("webauthn.create", challenge)),
                "attestation_object": b64u(att)}

    def get(self, challenge, origin=None):
        self.counter += 1
        auth = self.rp_hash + bytes([0x05]) + self.counter.to_bytes(4, "big")
        cd = self.client_data("webauthn.get", challenge, origin)
        sig = self.sign(auth + hashlib.sha256(cd).digest())
        return {"credential_id": b64u(self.id), "client_data_json": b64u(cd),
                "authenticator_data": b64u(auth), "signature": b64u(sig)}


class MfaTest(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.secret = data.add_user("keyuser", ["viewer"])
        cls.secret2 = data.add_user("codeuser", ["viewer"])
        cls.tmp = tempfile.mkdtemp(prefix="minato-key-")

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def password_and(self, username, factor):
        body = {"username": username, "password": USER_PASSWORD}
        body.update(factor)
        c = self.server.client()
        r = c.request("POST", "/api/v1/session", body)
        if r.status == 201:
            c.cookie = r.header("set-cookie").split(";", 1)[0]
            c.csrf = r.json["csrf_token"]
        return c, r

    def test_G2_1_1_b_security_key_registers_and_logs_in(self):
        c = self.server.client()
        self.assertEqual(c.login("keyuser", USER_PASSWORD, self.secret).status, 201)
        options = c.request("POST", "/api/v1/session/webauthn/register/options")
        self.assertEqual(options.status, 200, options)
        pk = options.json
        self.assertEqual(pk["rp"]["id"], "localhost")
        self.assertEqual([p["alg"] for p in pk["pubKeyCredParams"]], [-7, -8])
        self.assertEqual(pk["attestation"], "none")
        # webauthn.origin is https://localhost on the port the server bound.
        key = SoftKey(self.tmp, self.server.origin)
        reg = c.request("POST", "/api/v1/session/webauthn/register",
                        dict(name="desk key", **key.create(pk["challenge"])))
        self.assertEqual(reg.status, 201, reg)
        self.assertEqual(reg.json["alg"], "EdDSA")
        listed = c.request("GET", "/api/v1/session/webauthn").json["authenticators"]
        self.assertEqual([k["name"] for k in listed], ["desk key"])

        # Log in with password + the key.
        opts = self.server.client().request("POST", "/api/v1/session/webauthn/options",
                                            {"username": "keyuser"}).json
        self.assertEqual([a["id"] for a in opts["allowCredentials"]], [b64u(key.id)])
        assertion = key.get(opts["challenge"])
        logged, r = self.password_and("keyuser", assertion)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(logged.request("GET", "/api/v1/session").status, 200)
        hist = logged.request("GET", "/api/v1/session/history").json["logins"][0]
        self.assertTrue(hist["detail"].startswith("password and WebAuthn (desk key)"), hist)
        # Replayed: refused (the challenge is spent).
        self.assertEqual(self.password_and("keyuser", assertion)[1].status, 401)
        # A phishing origin: refused.
        opts = self.server.client().request("POST", "/api/v1/session/webauthn/options",
                                            {"username": "keyuser"}).json
        phished = key.get(opts["challenge"], origin="https://localhost.evil.example")
        self.assertEqual(self.password_and("keyuser", phished)[1].status, 401)
        # Both factors at once, or none: a 400 that says so.
        both = dict(totp="123456", **key.get(opts["challenge"]))
        self.assertEqual(self.password_and("keyuser", both)[1].status, 400)

    def test_G2_1_1_b_recovery_codes_work_once(self):
        c = self.server.client()
        self.assertEqual(c.login("codeuser", USER_PASSWORD, self.secret2).status, 201)
        r = c.request("POST", "/api/v1/session/recovery-codes")
        self.assertEqual(r.status, 201, r)
        codes = r.json["recovery_codes"]
        self.assertEqual(len(codes), 10)
        self.assertEqual(len(set(codes)), 10)
        logged, r = self.password_and("codeuser", {"recovery_code": codes[0]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(logged.request("GET", "/api/v1/session/recovery-codes").json["unused"], 9)
        self.assertEqual(self.password_and("codeuser", {"recovery_code": codes[0]})[1].status,
                         401)

    def test_G2_1_1_e_webauthn_options_do_not_reveal_users(self):
        c = self.server.client()
        a = c.request("POST", "/api/v1/session/webauthn/options", {"username": "ghost"}).json
        b = c.request("POST", "/api/v1/session/webauthn/options", {"username": "ghost"}).json
        self.assertEqual(a["allowCredentials"], b["allowCredentials"])
        self.assertEqual(len(a["allowCredentials"]), 1)
        self.assertNotEqual(a["challenge"], b["challenge"])


if __name__ == "__main__":
    unittest.main()
