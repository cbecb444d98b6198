"""Issue 7, the ransomware drill (G2.7.2-a..f): a live server with data and a vault on loopback,
each in its own directory with its own keys. Backups are taken and pulled; then the attack:
everything the live server holds is used to try to delete or overwrite what the vault keeps,
and the live data directory is deleted. The vault's copies survive untouched; restore from the
vault onto a fresh directory starts a server that has every acknowledged write up to the
restore point, and `audit verify` passes; restore rolls forward past the snapshot from the
audit log's row images, to a point in time, and stops before what it cannot replay. Damaged
sets are refused at restore."""
import glob
import json
import os
import shutil
import ssl
import http.client
import subprocess
import tempfile
import time
import types
import unittest

from harness import (ADMIN_PASSWORD, DATA_PASS, KEYS_PASS, MINATO, USER_PASSWORD, DataDir, Server,
                     container_id, remove_tree, run)


def vault_port(server):
    for line in server.stderr_lines:
        if "backup vault listener on https://127.0.0.1:" in line:
            return int(line.split("127.0.0.1:")[1].split()[0])
    raise AssertionError("no vault listener: " + "".join(server.stderr_lines))


def tree_digest(root):
    """Every file under `root` with its bytes: what the vault holds, exactly."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            if f == "vault.log":
                continue
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


class RansomwareDrill(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="minato-drill-")
        self.data = DataDir({"vault_listen": '"127.0.0.1:0"'})
        self.pass_file = os.path.join(self.tmp, "data.pass")
        self.keys_pass_file = os.path.join(self.tmp, "keys.pass")
        with open(self.pass_file, "w") as f:
            f.write(DATA_PASS + "\n")
        with open(self.keys_pass_file, "w") as f:
            f.write(KEYS_PASS + "\n")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        self.data.cleanup()
        remove_tree(self.tmp)

    def start(self, data):
        s = Server(data).start()
        self.servers.append(s)
        return s

    def live_planner(self):
        """Backups set up, a planner, the live server: (server, the planner's client, TOTP)."""
        run(["backup", "init", "--data", self.data.path, "--passphrase-file", self.pass_file,
             "--keys-passphrase-file", self.keys_pass_file])
        secret = self.data.add_user("pia", ["planner"])
        live = self.start(self.data)
        planner = live.client()
        self.assertEqual(planner.login("pia", USER_PASSWORD, secret).status, 201)
        return live, planner, secret

    def vault(self, *args, check=True):
        return run(["vault", *args, "--dir", self.vault_dir], check=check)

    def test_G2_7_2_ransomware_drill(self):
        # --- Set up: backups on the live server; a vault with its own certificate. ---
        out = run(["backup", "init", "--data", self.data.path, "--passphrase-file",
                   self.pass_file, "--keys-passphrase-file", self.keys_pass_file]).stdout
        self.assertIn("backups are set up", out)
        signer = run(["backup", "key", "--data", self.data.path]).stdout.strip()
        self.assertEqual(len(signer), 64)
        planner_secret = self.data.add_user("pia", ["planner"])
        # The vault gets the server's certificate to verify it, and the signer out of band.
        self.vault_dir = os.path.join(self.tmp, "vault")
        # The listener's port is known only once the server runs: init with a placeholder,
        # then point the vault at it.
        out = run(["vault", "init", "--dir", self.vault_dir, "--server", "https://127.0.0.1:1",
                   "--server-ca", self.data.cert, "--signer", signer]).stdout
        fingerprint = out.split('vault_clients = "')[1].split('"')[0]
        self.data.set_config({"vault_clients": f'"{fingerprint}"'})
        live = self.start(self.data)
        port = vault_port(live)
        cfg_path = os.path.join(self.vault_dir, "vault.json")
        with open(cfg_path) as f:
            cfg = json.load(f)
        cfg["server"] = f"https://127.0.0.1:{port}"
        with open(cfg_path, "w") as f:
            json.dump(cfg, f)

        # G2.7.2-b: the scheduler backs every target up as soon as the server starts (none
        # exists yet).
        outbox = os.path.join(self.data.path, "backups")
        deadline = time.time() + 60
        while time.time() < deadline:
            targets = {d.split("-", 1)[1] for d in os.listdir(outbox) if not d.startswith(".")} \
                if os.path.isdir(outbox) else set()
            if targets == {"database", "config", "logs", "release"}:
                break
            time.sleep(0.5)
        self.assertEqual(targets, {"database", "config", "logs", "release"})

        # --- Acknowledged writes. ---
        planner = live.client()
        self.assertEqual(planner.login("pia", USER_PASSWORD, planner_secret).status, 201)
        r = planner.request("PUT", "/api/v1/yard/layout", {
            "blocks": [{"name": "A1", "bays": 10, "rows": 6, "tiers": 4}]})
        self.assertEqual(r.status, 200, r)
        acknowledged = []
        for i in range(25):
            cid = container_id("MSK", 700000 + i)
            r = planner.request("POST", "/api/v1/units", {
                "container_id": cid, "size_type": "22G1", "category": "export",
                "freight": "full", "line_operator": "MSK", "gross_kg": 12000 + i})
            self.assertEqual(r.status, 201, r)
            acknowledged.append(cid)
        # The backups of the restore point (the CLI beside the running server).
        sets = json.loads(run(["backup", "create", "--data", self.data.path, "--json"]).stdout)
        self.assertEqual([s["target"] for s in sets], ["database", "config", "logs", "release"])
        db_set = sets[0]["set"]
        pulled = json.loads(self.vault("pull", "--json").stdout)
        self.assertEqual(pulled["refused"], 0, pulled)
        self.assertGreaterEqual(pulled["pulled"], 8)
        held = json.loads(self.vault("list", "--json").stdout)
        self.assertIn(db_set, [h["set"] for h in held])

        # Writes after the database snapshot: only the next logs set (hourly by default) holds
        # them, as audit events with the rows they wrote. Restore rolls forward to them.
        late = container_id("MSK", 799999)
        r = planner.request("POST", "/api/v1/units", {
            "container_id": late, "size_type": "22G1", "category": "export", "freight": "full",
            "line_operator": "MSK", "gross_kg": 9000})
        self.assertEqual(r.status, 201, r)
        r = planner.request("POST", "/api/v1/yard/blocks",
                            {"name": "B2", "bays": 4, "rows": 3, "tiers": 2})
        self.assertEqual(r.status, 201, r)
        time.sleep(1.1)  # a set id has a one-second resolution
        logs = json.loads(run(["backup", "create", "--data", self.data.path, "--target", "logs",
                               "--json"]).stdout)
        self.assertEqual(json.loads(self.vault("pull", "--json").stdout)["refused"], 0)
        before_attack = tree_digest(self.vault_dir)

        # --- The attack, with everything the live server holds. ---
        base = f"https://127.0.0.1:{port}/vault/v1/sets/{db_set}/manifest"
        ctx = ssl.create_default_context(cafile=self.data.cert)
        ctx.load_cert_chain(os.path.join(self.data.path, "tls", "cert.pem"),
                            os.path.join(self.data.path, "tls", "key.pem"))
        # 1. The server's own certificate is not a vault's: refused in the handshake.
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
        with self.assertRaises((ssl.SSLError, ConnectionResetError, BrokenPipeError)):
            conn.request("GET", "/vault/v1/sets")
            conn.getresponse()
        conn.close()
        # 2. Even with the vault's certificate (the server never has it), the listener has no
        #    method that deletes or replaces anything.
        vctx = ssl.create_default_context(cafile=self.data.cert)
        vctx.load_cert_chain(os.path.join(self.vault_dir, "tls", "client.pem"),
                             os.path.join(self.vault_dir, "tls", "client.key"))
        for method in ("DELETE", "PUT", "POST", "PATCH"):
            conn = http.client.HTTPSConnection("127.0.0.1", port, context=vctx, timeout=10)
            conn.request(method, base.split(str(port))[1], body=b"x")
            resp = conn.getresponse()
            resp.read()
            conn.close()
            self.assertEqual(resp.status, 405, method)
        # 3. The admin's session on the API has no backup deletion either.
        admin = live.client()
        self.assertEqual(admin.login("admin", ADMIN_PASSWORD, self.data.admin_totp).status, 201)
        for method, path in (("DELETE", f"/api/v1/backups/{db_set}"),
                             ("DELETE", "/vault/v1/sets/" + db_set),
                             ("POST", "/api/v1/backups/prune")):
            self.assertIn(admin.request(method, path).status, (404, 405), path)
        # 4. The server's copy replaced by garbage, re-signed with the backup key the server
        #    holds, under the same set id: the vault keeps what it has.
        victim = os.path.join(outbox, db_set)
        os.chmod(victim, 0o700)
        for f in os.listdir(victim):
            os.chmod(os.path.join(victim, f), 0o600)
        with open(os.path.join(victim, "payload.bin"), "wb") as f:
            f.write(os.urandom(4096))
        # 5. A back-dated set (to take an old generation's place) and a swapped recovery file.
        forged = os.path.join(outbox, "20200101T000000Z-database")
        shutil.copytree(os.path.join(self.vault_dir, "sets", "database", db_set), forged)
        rec = os.path.join(self.data.path, "keys", "backup-data.recovery")
        os.chmod(rec, 0o600)
        with open(rec, "a") as f:
            f.write(" ")
        after = json.loads(self.vault("pull", "--json", check=False).stdout)
        self.assertEqual(after["pulled"], 0, after)
        self.assertTrue(any("recovery" in m for m in after["messages"]), after)
        self.assertEqual(tree_digest(self.vault_dir), before_attack)

        # 6. Encrypted: the live data directory is gone.
        live.stop()
        self.servers.remove(live)
        shutil.rmtree(self.data.path)

        # --- The vault is intact and restores. ---
        self.assertEqual(self.vault("check").returncode, 0)
        restored = os.path.join(self.tmp, "restored")
        proc = run(["restore", "--from", self.vault_dir, "--to", restored,
                    "--passphrase-file", self.pass_file,
                    "--keys-passphrase-file", self.keys_pass_file, "--json"])
        report = json.loads(proc.stdout)
        self.assertEqual(report["database_set"], db_set)
        self.assertEqual(report["logs_set"], logs[0]["set"])
        self.assertGreater(report["audit_size"], 25)
        self.assertGreaterEqual(report["external_checkpoints_checked"], 1)
        # Rolled forward through every event of the logs set.
        self.assertTrue(report["rolled_forward"], report)
        self.assertEqual(report["stopped_at_event"], 0, report)
        self.assertGreater(report["replayed_events"], 0, report)
        self.assertGreaterEqual(report["replayed_rows"], 2, report)
        self.assertEqual(report["restored_to_event"], report["events_available"], report)
        verify = run(["audit", "verify", "--data", restored])
        self.assertIn("audit log intact", verify.stdout)
        data2 = types.SimpleNamespace(path=restored,
                                      cert=os.path.join(restored, "tls", "cert.pem"))
        server2 = self.start(data2)
        client = server2.client()
        # The restored account remembers the TOTP step its last login used (replay
        # protection): log in with the next step's code.
        self.assertEqual(client.login("pia", USER_PASSWORD, planner_secret, offset_s=30).status,
                         201)
        for i, cid in enumerate(acknowledged):
            r = client.request("GET", f"/api/v1/units/{cid}")
            self.assertEqual(r.status, 200, (cid, r))
            self.assertEqual(r.json["gross_kg"], 12000 + i)
        # After the snapshot, acknowledged, and back by roll-forward.
        r = client.request("GET", f"/api/v1/units/{late}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["gross_kg"], 9000)
        blocks = client.request("GET", "/api/v1/yard/layout").json["blocks"]
        self.assertIn("B2", [b["name"] for b in blocks])

        # G2.7.2-f: a drill from the vault, recorded in the restored server's audit log.
        drill = run(["backup", "drill", "--from", self.vault_dir, "--data", restored,
                     "--passphrase-file", self.pass_file,
                     "--keys-passphrase-file", self.keys_pass_file, "--json"])
        self.assertEqual(json.loads(drill.stdout)["outcome"], "passed")
        drills = json.loads(run(["backup", "drills", "--data", restored, "--json"]).stdout)
        self.assertEqual(drills["drills"][0]["outcome"], "passed")
        self.assertEqual(drills["drills"][0]["record"]["outcome"], "passed")
        self.assertGreater(drills["drills"][0]["record"]["seconds"], 0)
        table = run(["backup", "drills", "--data", restored]).stdout
        self.assertRegex(table, r"(?m)^date\s+outcome\s+seconds")
        self.assertRegex(table, r"(?m)^\d{4}-\d\d-\d\dT\S+Z\s+passed\s")
        self.assertIn("1 drill recorded", table)

    def test_a_drill_beside_the_live_installation_leaves_its_checkpoints_alone(self):
        # Issue 18: a drill (and a restore) wrote the scratch log's checkpoints into the live
        # installation's audit.checkpoint_dir, overwriting a real one, and `audit verify
        # --external` on the live installation then reported tampering at "event 72 ... between
        # 72 and 71".
        outside = os.path.join(self.tmp, "checkpoints")
        os.mkdir(outside, 0o700)
        self.data.set_config({"checkpoint_dir": f'"{outside}"', "checkpoint_events": "4"})
        live, planner, secret = self.live_planner()
        for i in range(3):
            r = planner.request("PUT", "/api/v1/yard/layout", {
                "blocks": [{"name": f"A{i + 1}", "bays": 10, "rows": 6, "tiers": 4}]})
            self.assertEqual(r.status, 200, r)
        run(["backup", "create", "--data", self.data.path, "--json"])

        def copies():
            out = {}
            for name in sorted(os.listdir(outside)):
                with open(os.path.join(outside, name), "rb") as f:
                    out[name] = f.read()
            return out

        before = copies()
        self.assertGreater(len(before), 1)
        outbox = os.path.join(self.data.path, "backups")
        drill = run(["backup", "drill", "--from", outbox, "--data", self.data.path,
                     "--recovery", os.path.join(self.data.path, "keys"),
                     "--passphrase-file", self.pass_file,
                     "--keys-passphrase-file", self.keys_pass_file, "--json", "--quiet",
                     "--checkpoints", outside])
        self.assertEqual(json.loads(drill.stdout)["outcome"], "passed", drill.stdout)
        restored = os.path.join(self.tmp, "restored")
        report = json.loads(run([
            "restore", "--from", outbox, "--to", restored,
            "--recovery", os.path.join(self.data.path, "keys"),
            "--passphrase-file", self.pass_file, "--keys-passphrase-file", self.keys_pass_file,
            "--json", "--quiet", "--checkpoints", outside]).stdout)
        self.assertEqual(report["checkpoint_dir_cleared"], outside)
        # Nothing of the live installation's copies was added, replaced or removed by either.
        after = copies()
        self.assertEqual({k: v for k, v in after.items() if k in before}, before)
        # The live server goes on (its own new checkpoints may appear), and verifies against
        # the copies outside with sane counts: each copy once.
        r = planner.request("PUT", "/api/v1/yard/layout", {
            "blocks": [{"name": "B1", "bays": 10, "rows": 6, "tiers": 4}]})
        self.assertEqual(r.status, 200, r)
        verify = run(["audit", "verify", "--data", self.data.path, "--external", outside,
                      "--json"], check=False)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
        result = json.loads(verify.stdout)
        self.assertTrue(result["intact"], result)
        self.assertLessEqual(result["external_checkpoints_verified"], len(copies()), result)
        # The restored directory writes no checkpoint copies until it is given a directory.
        s = self.start(types.SimpleNamespace(path=restored,
                                             cert=os.path.join(restored, "tls", "cert.pem")))
        c = s.client()
        self.assertEqual(c.login("pia", USER_PASSWORD, secret, offset_s=30).status, 201)
        s.stop()
        self.servers.remove(s)
        self.assertEqual({k: v for k, v in copies().items() if k in before}, before)

    def test_G2_7_2_e_tampered_or_truncated_sets_are_refused_at_restore(self):
        run(["backup", "init", "--data", self.data.path, "--passphrase-file", self.pass_file,
             "--keys-passphrase-file", self.keys_pass_file])
        run(["backup", "create", "--data", self.data.path, "--target", "config"])
        run(["backup", "create", "--data", self.data.path, "--target", "database"])
        outbox = os.path.join(self.data.path, "backups")
        recovery = os.path.join(self.data.path, "keys")

        def restore(src, to):
            return run(["restore", "--from", src, "--to", os.path.join(self.tmp, to),
                        "--recovery", recovery, "--passphrase-file", self.pass_file,
                        "--keys-passphrase-file", self.keys_pass_file, "--quiet"], check=False)

        def damaged_copy(name, damage):
            dst = os.path.join(self.tmp, name)
            shutil.copytree(outbox, dst)
            db = glob.glob(os.path.join(dst, "*-database"))[0]
            os.chmod(db, 0o700)
            for f in os.listdir(db):
                os.chmod(os.path.join(db, f), 0o600)
            damage(db)
            return dst

        ok = restore(outbox, "good")
        self.assertEqual(ok.returncode, 0, ok.stderr)

        def flip(db):
            with open(os.path.join(db, "payload.bin"), "r+b") as f:
                f.seek(10)
                b = f.read(1)
                f.seek(10)
                f.write(bytes([b[0] ^ 1]))

        def truncate(db):
            p = os.path.join(db, "payload.bin")
            os.truncate(p, os.path.getsize(p) // 2)

        def edit_manifest(db):
            p = os.path.join(db, "manifest.json")
            with open(p) as f:
                m = json.load(f)
            m["audit"]["size"] += 1
            with open(p, "w") as f:
                f.write(json.dumps(m))

        for name, damage, words in (("flipped", flip, "does not match the manifest"),
                                    ("truncated", truncate, "truncated"),
                                    ("edited", edit_manifest, "signature does not verify")):
            src = damaged_copy(name, damage)
            bad = restore(src, "out-" + name)
            self.assertEqual(bad.returncode, 65, (name, bad.stderr))  # EX_DATAERR: data loss
            self.assertIn(words, bad.stderr, name)
            # Nothing that looks like a data directory is left behind.
            self.assertFalse(os.path.exists(os.path.join(self.tmp, "out-" + name)))
            self.assertEqual(glob.glob(os.path.join(self.tmp, "out-" + name + ".partial*")), [])

        wrong = os.path.join(self.tmp, "wrong.pass")
        with open(wrong, "w") as f:
            f.write("not the passphrase at all\n")
        bad = run(["restore", "--from", outbox, "--to", os.path.join(self.tmp, "x"),
                   "--recovery", recovery, "--passphrase-file", wrong,
                   "--keys-passphrase-file", self.keys_pass_file], check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("wrong passphrase", bad.stderr)

    def test_G2_7_2_f_roll_forward_to_a_point_in_time_and_stop_before_a_secret(self):
        live, planner, secret = self.live_planner()
        r = planner.request("PUT", "/api/v1/yard/layout", {
            "blocks": [{"name": "A1", "bays": 10, "rows": 6, "tiers": 4}]})
        self.assertEqual(r.status, 200, r)

        def unit(n, kg):
            cid = container_id("MSK", n)
            r = planner.request("POST", "/api/v1/units", {
                "container_id": cid, "size_type": "22G1", "category": "export",
                "freight": "full", "line_operator": "MSK", "gross_kg": kg})
            self.assertEqual(r.status, 201, r)
            return cid

        first = unit(710001, 11000)
        time.sleep(1.1)
        run(["backup", "create", "--data", self.data.path, "--json"])  # the snapshot
        time.sleep(1.1)
        point = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        time.sleep(1.1)
        second = unit(710002, 12000)  # after the point in time
        new_password = "Tq5$wRz9!mXe-quay2"
        r = planner.request("POST", "/api/v1/session/password",
                            {"current_password": USER_PASSWORD, "new_password": new_password})
        self.assertEqual(r.status, 204, r)
        third = unit(710003, 13000)  # after the password change
        time.sleep(1.1)
        run(["backup", "create", "--data", self.data.path, "--target", "logs"])
        live.stop()
        self.servers.remove(live)
        outbox = os.path.join(self.data.path, "backups")

        def restore(to, *extra):
            proc = run(["restore", "--from", outbox, "--to", os.path.join(self.tmp, to),
                        "--recovery", os.path.join(self.data.path, "keys"),
                        "--passphrase-file", self.pass_file,
                        "--keys-passphrase-file", self.keys_pass_file, *extra])
            return proc

        def units_in(to):
            path = os.path.join(self.tmp, to)
            s = self.start(types.SimpleNamespace(path=path,
                                                 cert=os.path.join(path, "tls", "cert.pem")))
            c = s.client()
            # The password is the one of the restore point; the TOTP step was used before.
            self.assertEqual(c.login("pia", USER_PASSWORD, secret, offset_s=30).status, 201)
            found = {cid: c.request("GET", f"/api/v1/units/{cid}").status
                     for cid in (first, second, third)}
            s.stop()
            self.servers.remove(s)
            self.assertIn("audit log intact", run(["audit", "verify", "--data", path]).stdout)
            return found

        # As far as it can go: it stops before the password change (the log never holds the
        # new hash), and says so; the unit written before the change is there.
        text = restore("latest").stdout
        self.assertIn("STOPPED before audit event", text)
        self.assertIn("user.password.change", text)
        self.assertIn("sets a secret", text)
        report = json.loads(restore("latest-json", "--json", "--quiet").stdout)
        self.assertEqual(report["stopped_action"], "user.password.change", report)
        self.assertEqual(report["restored_to_event"], report["stopped_at_event"] - 1, report)
        self.assertGreater(report["events_available"], report["stopped_at_event"], report)
        self.assertEqual(units_in("latest"), {first: 200, second: 200, third: 404})

        # To a point in time between the snapshot and the second unit.
        report = json.loads(restore("at", "--at", point, "--json").stdout)
        self.assertEqual(report["stopped_at_event"], 0, report)
        self.assertLess(report["restored_to_event"], report["events_available"], report)
        self.assertEqual(units_in("at"), {first: 200, second: 404, third: 404})

        # The snapshot alone.
        report = json.loads(restore("snap", "--snapshot-only", "--json").stdout)
        self.assertFalse(report["rolled_forward"], report)
        self.assertEqual(report["restored_to_event"], report["audit_size"], report)


if __name__ == "__main__":
    unittest.main()
