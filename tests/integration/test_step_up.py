"""Issue 17, finding 2 (G2.1.2-a): guessing through a stolen session, attacked over real TLS.

Wrong current passwords at POST /api/v1/session/password count toward the same lockout as
failed logins, and at the lock every session of the account ends. Credential changes (password,
authenticators, recovery codes) and other sensitive operations need a second factor proved
recently: a session whose login is older than the step-up window (login.step_up_seconds, set
short here) must step up first, and wrong step-up factors count toward the lockout too."""
import sqlite3
import time
import unittest

from harness import ADMIN_PASSWORD, USER_PASSWORD, ServerTestCase, totp

STEP_UP_SECONDS = 10


def audit_rows(db_path, action):
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return db.execute("SELECT result, reason FROM audit_events WHERE action = ? ORDER BY seq",
                          (action,)).fetchall()
    finally:
        db.close()


class StepUpTest(ServerTestCase):
    CONFIG = {"step_up_seconds": str(STEP_UP_SECONDS)}

    @classmethod
    def prepare(cls, data):
        cls.secrets = {n: data.add_user(n, ["gate_clerk"]) for n in ("guess", "stale", "keys")}

    def login(self, name, offset_s=0):
        c = self.server.client()
        r = c.login(name, USER_PASSWORD, self.secrets[name], offset_s)
        self.assertEqual(r.status, 201, r)
        return c

    def test_G2_1_2_a_password_guesses_through_a_session_lock_the_account(self):
        # Each TOTP code is accepted once: the previous step's code, then the current one.
        victim = self.login("guess", -30)
        other_session = self.login("guess")
        # The attacker holds `victim`'s cookie and guesses the current password.
        for i in range(1, 5):
            r = victim.request("POST", "/api/v1/session/password",
                               {"current_password": f"Guess#{i}-not-it-x", "new_password":
                                "Qz8!mK2#vLp9-newpw"})
            self.assertEqual(r.status, 401, r)
            self.assertEqual(r.json["error"]["field"], "current_password")
            self.assertEqual(victim.request("GET", "/api/v1/session").status, 200)
        r = victim.request("POST", "/api/v1/session/password",
                           {"current_password": "Guess#5-not-it-x",
                            "new_password": "Qz8!mK2#vLp9-newpw"})
        self.assertEqual(r.status, 401, r)
        self.assertIn("locked", r.json["error"]["message"])
        # Every session of the account has ended, and the right credentials no longer log in.
        self.assertEqual(victim.request("GET", "/api/v1/session").status, 401)
        self.assertEqual(other_session.request("GET", "/api/v1/session").status, 401)
        # (The owner, who gives the right credentials, is told the account is locked.)
        locked = self.server.client().login("guess", USER_PASSWORD, self.secrets["guess"], 30)
        self.assertEqual(locked.status, 403, locked)
        self.assertEqual(locked.json["error"]["field"], "account")
        self.assertIn("account locked until", audit_rows(self.data.db, "session.create")[-1][1])
        rows = audit_rows(self.data.db, "user.password.change")
        self.assertEqual([r[0] for r in rows[-5:]], ["failure"] * 5)
        self.assertIn("account locked until", rows[-1][1])
        # 38 guesses were possible before; now the sixth is not even heard.
        r = victim.request("POST", "/api/v1/session/password",
                           {"current_password": "Guess#6-not-it-x",
                            "new_password": "Qz8!mK2#vLp9-newpw"})
        self.assertEqual(r.status, 401, r)

    def test_G2_1_2_a_an_old_session_steps_up_before_credential_changes(self):
        user = self.login("stale")
        # Within the window, right after login, recovery codes can be made.
        self.assertEqual(user.request("POST", "/api/v1/session/recovery-codes").status, 201)
        time.sleep(STEP_UP_SECONDS + 1)
        # Past it, a cookie (and its CSRF token) alone changes no credential.
        for method, path, body in (
                ("POST", "/api/v1/session/recovery-codes", None),
                ("POST", "/api/v1/session/webauthn/register/options", None),
                ("POST", "/api/v1/session/password",
                 {"current_password": USER_PASSWORD, "new_password": "Qz8!mK2#vLp9-newpw"})):
            r = user.request(method, path, body)
            self.assertEqual(r.status, 403, (path, r))
            self.assertEqual(r.json["error"]["field"], "step_up", (path, r))
        self.assertEqual(audit_rows(self.data.db, "recovery_codes.create")[-1][0], "denied")
        # Wrong factors at the step-up are refused and counted.
        r = user.request("POST", "/api/v1/session/step-up", {"totp": "000000"})
        self.assertEqual(r.status, 401, r)
        self.assertIn("(1 consecutive failures)",
                      audit_rows(self.data.db, "session.step_up")[-1][1])
        # Exactly one second factor is taken.
        r = user.request("POST", "/api/v1/session/step-up", {})
        self.assertEqual(r.status, 400, r)
        # The login used the current step's code; the next step's is a fresh one.
        r = user.request("POST", "/api/v1/session/step-up",
                         {"totp": totp(self.secrets["stale"], 30)})
        self.assertEqual(r.status, 200, r)
        self.assertIn("step_up_until", r.json)
        self.assertEqual(user.request("GET", "/api/v1/session").json["step_up_until"],
                         r.json["step_up_until"])
        r = user.request("POST", "/api/v1/session/password",
                         {"current_password": USER_PASSWORD, "new_password": "Qz8!mK2#vLp9-newpw"})
        self.assertEqual(r.status, 204, r)

    def test_G2_1_2_a_administrators_step_up_too(self):
        admin = self.server.client()
        self.assertEqual(admin.login("admin", ADMIN_PASSWORD, self.data.admin_totp).status, 201)
        time.sleep(STEP_UP_SECONDS + 1)
        r = admin.request("POST", "/api/v1/users", {"username": "late-user",
                                                    "roles": ["viewer"]})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json["error"]["field"], "step_up")
        r = admin.request("POST", "/api/v1/users/keys/reset", {"reason": "lost phone"})
        self.assertEqual(r.status, 403, r)
        r = admin.request("POST", "/api/v1/session/step-up",
                          {"totp": totp(self.data.admin_totp, 30)})
        self.assertEqual(r.status, 200, r)
        r = admin.request("POST", "/api/v1/users", {"username": "late-user",
                                                    "roles": ["viewer"]})
        self.assertEqual(r.status, 201, r)


if __name__ == "__main__":
    unittest.main()
