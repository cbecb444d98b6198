"""G2.1.1-e, G2.2.2-f: hydra (THC Hydra, from Debian) against the login endpoint.

A 1,000-word list holds the victim's real password at position 501 among 999 random ones.
Logins need a second factor, so even the right password would not be found, and a locked
account answers the right password as it answers a wrong one; but the attack never gets that far: the account locks at the 5th failure and the source is blocked at the
20th, after which its connections are closed before TLS. The figures are printed for the issue
note and docs/security.md.
"""
import os
import random
import sqlite3
import string
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from harness import USER_PASSWORD, ServerTestCase  # noqa: E402


class HydraTest(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.victim = data.add_user("victim", ["viewer"])
        cls.bystander = data.add_user("bystander", ["viewer"])

    def test_G2_2_2_f_hydra_finds_nothing_account_locks_source_blocked(self):
        rng = random.Random(2026)
        words = ["".join(rng.choice(string.ascii_letters + string.digits + "!#")
                         for _ in range(12)) for _ in range(999)]
        words.insert(500, USER_PASSWORD)
        wordlist = os.path.join(self.data.root, "words.txt")
        with open(wordlist, "w") as f:
            f.write("\n".join(words) + "\n")
        # Success is what a session looks like (its CSRF token), not the absence of "login
        # failed": the source block (429) and a saturated login pool (503) say other things,
        # and hydra took the 429 once for a found password (CI, 2026-12-07).
        form = ('/api/v1/session:{"username"\\:"^USER^","password"\\:"^PASS^",'
                '"totp"\\:"000000"}:H=Content-Type\\: application/json:S=csrf_token')
        started = time.monotonic()
        # Once the source is blocked every connection is closed before TLS. Hydra 9.4 usually
        # gives up then ("0 valid passwords found"), but was seen once to wait forever with
        # all its children gone (CI, 2026-11-26). It is stopped after 3 minutes; what it
        # printed must still show no password found, and the server's side is checked below.
        try:
            p = subprocess.run(["hydra", "-l", "victim", "-P", wordlist, "-s",
                                str(self.server.port), "-t", "4", "-I", "127.0.0.1",
                                "https-post-form", form],
                               capture_output=True, text=True, timeout=180)
            out, err, hung = p.stdout, p.stderr, False
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
            hung = True
        elapsed = time.monotonic() - started
        # A found credential is printed as "... login: victim   password: ...".
        self.assertNotIn("password: ", out, out[-2000:] + err[-2000:])
        if not hung:
            self.assertIn("0 valid password", out, out[-2000:] + err[-2000:])

        db = sqlite3.connect(self.data.db)
        attempts = db.execute("SELECT count(*) FROM audit_events WHERE action = 'session.create'"
                              " AND target = 'user:victim'").fetchone()[0]
        lock_reason = db.execute("SELECT reason FROM audit_events WHERE reason LIKE"
                                 " '%account locked until%' ORDER BY seq LIMIT 1").fetchone()[0]
        blocks = db.execute("SELECT count(*) FROM audit_events WHERE action = 'source.block'"
                            " AND target = 'source:127.0.0.1'").fetchone()[0]
        locked = db.execute("SELECT locked_until_us > 0, lock_count FROM users"
                            " WHERE username = 'victim'").fetchone()
        db.close()
        print(f"\nhydra: 1000 candidates in {elapsed:.1f} s; {attempts} reached the login; "
              f"first lock: '{lock_reason}'; source blocks: {blocks}; hydra: "
              f"{[l for l in out.splitlines() if 'valid password' in l] or 'stopped (hung)'}")
        self.assertTrue(lock_reason.startswith("wrong password (5 consecutive failures)"))
        self.assertEqual(locked, (1, 1))
        self.assertEqual(blocks, 1)
        self.assertLess(attempts, 40)  # the rest never got past the closed connection
        # The locked account answers no guess: the right password with a wrong code gets what
        # a wrong password gets, byte for byte; only both factors hear of the lock.
        probe = self.server.client("127.0.0.3")
        wrong = probe.login("victim", "Wrong#Password9", self.victim)
        half = probe.login("victim", USER_PASSWORD, self.victim, offset_s=3600)
        self.assertEqual((wrong.status, wrong.raw), (401, half.raw))
        self.assertEqual(half.status, 401)
        owner = probe.login("victim", USER_PASSWORD, self.victim)
        self.assertEqual(owner.status, 403, owner.raw)
        self.assertIn("locked", owner.raw)
        # The blocked source is closed before TLS; other sources keep working.
        self.assertTrue(self.server.closed_before_tls())
        c = self.server.client("127.0.0.2")
        self.assertEqual(c.login("bystander", USER_PASSWORD, self.bystander).status, 201)


if __name__ == "__main__":
    unittest.main()
