"""The demo terminal for the load benchmarks: `minato demo` creates and loads it (sim/scenario.h)
and prints the operator's credentials; it is stopped once it serves, so that a benchmark can
serve it again with its own settings."""
import os
import re
import signal
import subprocess


class DemoTerminal:
    """Shaped like the test harness's DataDir (path, cert) so that harness.Server serves it."""

    def __init__(self, minato, root):
        self.path = os.path.join(root, "demo")
        self.cert = os.path.join(self.path, "tls", "cert.pem")
        demo = subprocess.Popen([minato, "demo", "--data", self.path, "--listen", "127.0.0.1:0"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for line in demo.stderr:
            if "listening on" in line:
                break
        demo.send_signal(signal.SIGTERM)
        out, _ = demo.communicate(timeout=120)
        m = re.search(r"operator\s+user: operator\s+password: (\S+)\s+TOTP secret: (\S+)", out)
        if not m:
            raise SystemExit("minato demo printed no operator credentials:\n" + out)
        self.password, self.secret = m.group(1), m.group(2)
        self.set_config({"management_listen": '"127.0.0.1:0"'})

    def set_config(self, values):
        """Replaces `key = value` lines of minato.toml."""
        cfg = os.path.join(self.path, "minato.toml")
        with open(cfg) as f:
            text = f.read()
        for key, value in values.items():
            text = re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
        with open(cfg, "w") as f:
            f.write(text)
