"""G2.1.1-f: a login from a new source is mailed to the user and to security staff over SMTP
with STARTTLS and certificate verification, and posted to a webhook over HTTPS — against a
real SMTP server (aiosmtpd, Debian's python3-aiosmtpd) and a real HTTPS receiver on loopback.
"""
import email
import email.policy
import http.server
import json
import logging
import shutil
import sqlite3
import ssl
import tempfile
import threading
import time
import unittest

from aiosmtpd.controller import Controller

from harness import (USER_PASSWORD, DataDir, Server, free_port, make_test_pki)


# aiosmtpd logs refused TLS handshakes (which the tests cause on purpose) as errors.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)


class Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages = []
        self.tls_seen = []

    async def handle_DATA(self, server, session, envelope):
        self.tls_seen.append(session.ssl is not None)
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


class HookHandler(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        HookHandler.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def wait_for(predicate, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def smtp_server(handler, tls_cert=None, tls_key=None):
    kwargs = {}
    if tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(tls_cert, tls_key)
        kwargs = {"tls_context": ctx, "require_starttls": True}
    c = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    c.start()
    return c


class NewSourceMailTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = tempfile.mkdtemp(prefix="minato-pki-")
        ca, cert, key = make_test_pki(cls.pki)
        cls.inbox = Inbox()
        cls.smtp = smtp_server(cls.inbox, cert, key)
        HookHandler.received = []
        cls.hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), HookHandler)
        hctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        hctx.load_cert_chain(cert, key)
        cls.hook.socket = hctx.wrap_socket(cls.hook.socket, server_side=True)
        threading.Thread(target=cls.hook.serve_forever, daemon=True).start()
        cls.data = DataDir({
            "smtp_url": f'"smtp://127.0.0.1:{cls.smtp.port}"',
            "smtp_from": '"minato@terminal.example.jp"',
            "smtp_ca_file": f'"{ca}"',
            "security_mail": '"soc@terminal.example.jp"',
            "webhook_url": f'"https://127.0.0.1:{cls.hook.server_address[1]}/minato"',
            "webhook_ca_file": f'"{ca}"',
        })
        cls.secret = cls.data.add_user("clerk", ["gate_clerk"], email="clerk@terminal.example.jp")
        cls.server = Server(cls.data).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.smtp.stop()
        cls.hook.shutdown()
        cls.data.cleanup()
        shutil.rmtree(cls.pki, ignore_errors=True)

    def test_G2_1_1_f_new_source_login_is_mailed_over_starttls_and_posted(self):
        r = self.server.client("127.0.0.3").login("clerk", USER_PASSWORD, self.secret)
        self.assertEqual(r.status, 201, r)
        self.assertTrue(wait_for(lambda: len(self.inbox.messages) >= 2), self.inbox.messages)
        self.assertEqual(self.inbox.tls_seen[:2], [True, True])  # STARTTLS before DATA
        by_rcpt = {tuple(rcpt): content for rcpt, content in self.inbox.messages}
        self.assertIn(("clerk@terminal.example.jp",), by_rcpt)
        self.assertIn(("soc@terminal.example.jp",), by_rcpt)
        msg = email.message_from_bytes(by_rcpt[("clerk@terminal.example.jp",)],
                                       policy=email.policy.default)
        self.assertEqual(msg["To"], "clerk@terminal.example.jp")
        self.assertIn("minato@terminal.example.jp", msg["From"])
        self.assertIn("Login from a new source: clerk", str(msg["Subject"]))
        self.assertIn("新しい接続元からのログイン", str(msg["Subject"]))
        body = msg.get_content()
        self.assertIn("127.0.0.3", body)
        self.assertIn("これまでにない接続元", body)
        self.assertIn("If this was not you", body)

        self.assertTrue(wait_for(lambda: len(HookHandler.received) >= 1))
        headers, raw = HookHandler.received[0]
        hook = json.loads(raw)
        self.assertEqual((hook["event"], hook["username"]), ("login.new_source", "clerk"))
        self.assertEqual(hook["details"]["source"], "127.0.0.3")
        self.assertTrue(headers["X-Minato-Signature"].startswith("ed25519="))

        # The same source again: no new mail.
        before = len(self.inbox.messages)
        r = self.server.client("127.0.0.3").login("clerk", USER_PASSWORD, self.secret, 30)
        self.assertEqual(r.status, 201, r)
        time.sleep(2.5)
        self.assertEqual(len(self.inbox.messages), before)

        # Delivery is audited and the outbox says sent.
        db = sqlite3.connect(self.data.db)
        rows = db.execute("SELECT channel, sent_us > 0, attempts FROM notifications").fetchall()
        db.close()
        self.assertEqual(sorted(rows), [("mail", 1, 1), ("mail", 1, 1), ("webhook", 1, 1)])


class MailNeverLeavesInClearTest(unittest.TestCase):
    """A mail server that offers no STARTTLS, or a certificate that does not verify, gets no
    message: the alert stays queued with the reason."""

    def check_not_delivered(self, smtp_handler, smtp, ca_file):
        data = DataDir({
            "smtp_url": f'"smtp://127.0.0.1:{smtp.port}"',
            "smtp_ca_file": f'"{ca_file}"',
            "security_mail": '"soc@terminal.example.jp"',
        })
        try:
            secret = data.add_user("clerk", ["gate_clerk"])
            server = Server(data).start()
            try:
                r = server.client().login("clerk", USER_PASSWORD, secret)
                self.assertEqual(r.status, 201, r)

                def failed():
                    db = sqlite3.connect(data.db)
                    row = db.execute("SELECT attempts, last_error, sent_us FROM notifications"
                                     ).fetchone()
                    db.close()
                    return row if row and row[0] >= 1 else None
                self.assertTrue(wait_for(failed))
                attempts, error, sent = failed()
                self.assertEqual(sent, 0)
                self.assertTrue(error.startswith("mail not sent"), error)
                self.assertEqual(smtp_handler.messages, [])
                return error
            finally:
                server.stop()
        finally:
            data.cleanup()

    def test_G2_1_1_f_no_starttls_no_mail(self):
        pki = tempfile.mkdtemp(prefix="minato-pki-")
        try:
            ca, _, _ = make_test_pki(pki)
            inbox = Inbox()
            plain = smtp_server(inbox)  # offers no STARTTLS
            try:
                error = self.check_not_delivered(inbox, plain, ca)
                self.assertIn("STARTTLS", error)
            finally:
                plain.stop()
        finally:
            shutil.rmtree(pki, ignore_errors=True)

    def test_G2_1_1_f_unverifiable_certificate_no_mail(self):
        pki = tempfile.mkdtemp(prefix="minato-pki-")
        other = tempfile.mkdtemp(prefix="minato-pki-")
        try:
            _, cert, key = make_test_pki(pki)
            other_ca, _, _ = make_test_pki(other)  # trusts a different CA
            inbox = Inbox()
            tls = smtp_server(inbox, cert, key)
            try:
                error = self.check_not_delivered(inbox, tls, other_ca)
                self.assertIn("certificate", error.lower())
            finally:
                tls.stop()
        finally:
            shutil.rmtree(pki, ignore_errors=True)
            shutil.rmtree(other, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
