"""G2.7.3-b/c: the audit log is shipped off-system to a real rsyslog (Debian's rsyslog with
rsyslog-openssl) as RFC 5424 messages over TLS with RFC 5425 framing. Events arrive in order;
stopping rsyslog for a while and starting it again loses nothing; the outage raises an alert
and so does the recovery; the collector's certificate is verified; personal data stays out of
the shipped copy; and `audit verify` checks the log against the collector's copy."""
import json
import os
import re
import signal
import sqlite3
import subprocess
import tempfile
import time
import unittest

from harness import DataDir, Server, free_port, make_test_pki, run, USER_PASSWORD

RSYSLOGD = "/usr/sbin/rsyslogd"


class Rsyslog:
    """rsyslogd in the foreground with an imtcp TLS (ossl) input on 127.0.0.1:port, writing each
    message's raw text to a file."""

    def __init__(self, directory, port, ca, cert, key):
        self.dir = directory
        self.port = port
        self.out = os.path.join(directory, "received.log")
        self.conf = os.path.join(directory, "rsyslog.conf")
        self.pid = os.path.join(directory, "rsyslog.pid")
        work = os.path.join(directory, "work")
        os.makedirs(work, exist_ok=True)
        with open(self.conf, "w") as f:
            f.write(f'''
global(workDirectory="{work}"
       DefaultNetstreamDriver="ossl"
       DefaultNetstreamDriverCAFile="{ca}"
       DefaultNetstreamDriverCertFile="{cert}"
       DefaultNetstreamDriverKeyFile="{key}")
module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1"
       StreamDriver.AuthMode="anon")
template(name="raw" type="string" string="%rawmsg%\\n")
input(type="imtcp" port="{port}" address="127.0.0.1")
action(type="omfile" file="{self.out}" template="raw" flushOnTXEnd="on")
''')
        self.proc = None

    def start(self):
        if os.path.exists(self.pid):
            os.remove(self.pid)
        self.proc = subprocess.Popen([RSYSLOGD, "-n", "-f", self.conf, "-i", self.pid],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                with __import__("socket").create_connection(("127.0.0.1", self.port), 0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError("rsyslogd did not start: " + self.proc.stderr.read().decode())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=15)

    def messages(self):
        """(msgid, seq, json) for every message received so far, in file order."""
        out = []
        if not os.path.exists(self.out):
            return out
        with open(self.out) as f:
            for line in f:
                m = re.match(r"<(\d+)>1 (\S+) (\S+) minato (\d+) (\S+) \[minato@32473 seq=\"(\d+)\"\] (.*)$",
                             line.rstrip("\n"))
                if m:
                    out.append((m.group(5), int(m.group(6)), json.loads(m.group(7))))
        return out


class SyslogShippingTest(unittest.TestCase):
    def setUp(self):
        # Not a skip: without the collector this proof would pass silently.
        # (Without rsyslog-openssl, rsyslogd fails to start and the test fails there.)
        self.assertTrue(os.path.exists(RSYSLOGD),
                        "rsyslog and rsyslog-openssl are needed: run scripts/install-deps")
        self.tmp = tempfile.mkdtemp(prefix="minato-syslog-")
        self.ca, self.cert, self.key = make_test_pki(self.tmp)
        self.port = free_port()
        self.rsyslog = Rsyslog(self.tmp, self.port, self.ca, self.cert, self.key)
        self.data = DataDir({"syslog_target": f'"127.0.0.1:{self.port}"',
                             "syslog_ca_file": json.dumps(self.ca),
                             "ship_stall_seconds": "10",
                             "checkpoint_events": "5",
                             "heartbeat_seconds": "5",
                             "security_mail": '"soc@example.jp"'})
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.stop()
        self.rsyslog.stop()
        self.data.cleanup()
        subprocess.run(["rm", "-rf", self.tmp])

    def head(self):
        db = sqlite3.connect(self.data.db)
        try:
            return db.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
        finally:
            db.close()

    def wait_for(self, predicate, timeout=30, what="condition"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return
            time.sleep(0.2)
        self.fail("timed out waiting for " + what)

    def shipped_seqs(self):
        return {seq for (kind, seq, _) in self.rsyslog.messages() if kind != "checkpoint"}

    def actions(self):
        db = sqlite3.connect(self.data.db)
        try:
            return [a for (a,) in db.execute("SELECT action FROM audit_events ORDER BY seq")]
        finally:
            db.close()

    def test_G2_7_3_b_events_arrive_in_order_and_an_outage_loses_nothing(self):
        self.rsyslog.start()
        self.server = Server(self.data).start()
        for i in range(4):
            self.data.add_user(f"clerk{i}", ["viewer"], USER_PASSWORD,
                               email=f"clerk{i}@example.jp")
        head = self.head()
        self.wait_for(lambda: set(range(1, head + 1)) <= self.shipped_seqs(), what="first events")
        msgs = self.rsyslog.messages()
        events = [seq for (kind, seq, _) in msgs if kind != "checkpoint"]
        self.assertEqual(events, sorted(events), "events arrive in order")
        self.assertEqual(len(events), len(set(events)), "no duplicates without an outage")
        self.assertTrue(any(kind == "checkpoint" for (kind, _, _) in msgs), "checkpoints shipped")
        # A1.4.4: the mail addresses are in the database, not in the shipped copy.
        with open(self.rsyslog.out) as f:
            text = f.read()
        self.assertNotIn("clerk0@example.jp", text)
        self.assertIn("redacted:", text)
        db = sqlite3.connect(self.data.db)
        self.assertIn("clerk0@example.jp",
                      db.execute("SELECT group_concat(change) FROM audit_events").fetchone()[0])
        db.close()

        # The collector goes away; work goes on; nothing is lost.
        self.rsyslog.stop()
        for i in range(4, 8):
            self.data.add_user(f"clerk{i}", ["viewer"], USER_PASSWORD)
        # G2.7.3-c: after ship_stall_seconds without progress, security staff are alerted.
        self.wait_for(lambda: "alert.audit.shipping.stalled" in self.actions(), timeout=40,
                      what="the stall alert")
        outage_head = self.head()
        self.rsyslog.start()
        self.wait_for(lambda: set(range(1, outage_head + 1)) <= self.shipped_seqs(), timeout=60,
                      what="the events from the outage")
        self.wait_for(lambda: "alert.audit.shipping.recovered" in self.actions(), timeout=30,
                      what="the recovery notice")
        # The alert went to the notification outbox (mail/webhook) in the same transaction.
        db = sqlite3.connect(self.data.db)
        queued = {e for (e,) in db.execute(
            "SELECT event FROM notifications WHERE recipients LIKE '%soc@example.jp%'")}
        db.close()
        self.assertIn("audit.shipping.stalled", queued)
        self.assertIn("audit.shipping.recovered", queued)

        self.server.stop()
        self.server = None
        final = self.head()
        self.wait_for(lambda: set(range(1, final + 1)) <= self.shipped_seqs(), timeout=10,
                      what="everything up to the shutdown")
        # G2.7.3-d: the collector's copy holds signed checkpoints that verify the database.
        r = run(["audit", "verify", "--data", self.data.path, "--external", self.rsyslog.out,
                 "--json"], check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertTrue(out["intact"])
        self.assertGreater(out["external_checkpoints_verified"], 0)
        # And when the newest events are cut from the database, the copy says so.
        db = sqlite3.connect(self.data.db)
        db.execute("DELETE FROM audit_events WHERE seq > ?", (final - 3,))
        db.execute("DELETE FROM audit_checkpoints WHERE size > ?", (final - 3,))
        db.commit()
        db.close()
        r = run(["audit", "verify", "--data", self.data.path, "--external", self.rsyslog.out,
                 "--json"], check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("truncated", json.loads(r.stdout)["problem"])

    def test_G2_7_3_b_an_unverifiable_collector_gets_nothing(self):
        other = tempfile.mkdtemp(prefix="minato-otherca-")
        try:
            other_ca, _, _ = make_test_pki(other)
            self.data.set_config({"syslog_ca_file": json.dumps(other_ca)})
            self.rsyslog.start()
            self.server = Server(self.data).start()
            self.data.add_user("clerk", ["viewer"], USER_PASSWORD)
            time.sleep(3)
            self.assertEqual(self.rsyslog.messages(), [])
            # /metrics on the management listener shows it.
            import ssl
            import urllib.request
            ctx = ssl.create_default_context(cafile=self.data.cert)
            ctx.check_hostname = False
            body = urllib.request.urlopen(
                f"https://127.0.0.1:{self.server.management_port}/metrics", context=ctx,
                timeout=10).read().decode()
            self.assertIn("minato_audit_ship_connected 0", body)
            pending = float(re.search(r"^minato_audit_ship_pending (\S+)$", body, re.M).group(1))
            self.assertGreater(pending, 0)
        finally:
            subprocess.run(["rm", "-rf", other])


if __name__ == "__main__":
    unittest.main()
