"""Test harness: a real `minato` binary, a real data directory, a real TLS server on loopback.

Every test talks to `minato serve` over HTTPS exactly as a client would. Only the Python
standard library is used, so the tests run on a fresh Debian 12 with python3 alone.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

MINATO = os.environ.get("MINATO_BIN", os.path.join(os.path.dirname(__file__), "../../build/minato"))
ADMIN_PASSWORD = "Vq7#rT2m!xK9-harbour"
USER_PASSWORD = "Hx4$wLm8@pZ3-quay"
# The recovery passphrases of tests that set up backups (`minato backup init`).
DATA_PASS = "tq8 Harbour wL3 reefer 9xk gantry pz"
KEYS_PASS = "Mv2 lashing Qe7 twistlock 4rn spreader"


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_test_pki(directory):
    """A test CA (ca.pem) and a server certificate for 127.0.0.1/localhost (srv.pem, srv.key)
    signed by it, in `directory`. Returns (ca, cert, key) paths."""
    r = directory
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650", "-subj",
             "/CN=Minato Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=r)
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1", cwd=r)
    with open(os.path.join(r, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n"
                "basicConstraints=critical,CA:FALSE\n")
    _openssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "srv.pem", "-days", "397", "-extfile", "ext.cnf", cwd=r)
    return (os.path.join(r, "ca.pem"), os.path.join(r, "srv.pem"), os.path.join(r, "srv.key"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args, check=True, **kw):
    proc = subprocess.run([MINATO] + args, capture_output=True, text=True, timeout=120, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"minato {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc


def remove_tree(root):
    """Removes a test's directory, read-only backup sets and exports included."""
    for dirpath, dirs, _ in os.walk(root):
        for d in dirs:
            os.chmod(os.path.join(dirpath, d), 0o700)
    shutil.rmtree(root, ignore_errors=True)


def totp(secret, offset_s=0):
    """The current TOTP code for a base32 secret, computed by oathtool (not by Minato)."""
    args = ["oathtool", "--totp", "-b", secret]
    if offset_s < 0:
        # The previous step's code is accepted only while the server is still in the step after
        # it: near the end of a step (with a slow, loaded login in between) it would be two
        # steps old on arrival. Start such a login at the beginning of a step.
        into_step = time.time() % 30
        if into_step > 20:
            time.sleep(30 - into_step + 0.5)
    if offset_s:
        args += ["--now", time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(time.time() + offset_s))]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()


def set_config(data_dir, values):
    """Replaces `key = value` lines in DATA_DIR/minato.toml (keys must exist there)."""
    cfg = os.path.join(data_dir, "minato.toml")
    with open(cfg) as f:
        text = f.read()
    for key, value in values.items():
        text, n = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
        assert n == 1, key
    with open(cfg, "w") as f:
        f.write(text)


class DataDir:
    """A freshly initialised data directory with helpers to enrol users."""

    def __init__(self, config=None):
        self.root = tempfile.mkdtemp(prefix="minato-it-")
        self.path = os.path.join(self.root, "data")
        pw = os.path.join(self.root, "admin.pw")
        with open(pw, "w") as f:
            f.write(ADMIN_PASSWORD + "\n")
        out = run(["init", "--data", self.path, "--admin-user", "admin",
                   "--admin-password-file", pw, "--json"])
        self.admin_totp = json.loads(out.stdout)["totp_secret"]
        # Each test server gets its own free management port (printed at start).
        self.set_config({"management_listen": '"127.0.0.1:0"'})
        if config:
            self.set_config(config)

    def set_config(self, values):
        set_config(self.path, values)

    def add_user(self, name, roles, password=USER_PASSWORD, allow_from=None, email=None):
        pw = os.path.join(self.root, name + ".pw")
        with open(pw, "w") as f:
            f.write(password)
        args = ["user", "add", "--data", self.path, "--username", name,
                "--password-file", pw, "--json"]
        for r in roles:
            args += ["--role", r]
        if allow_from:
            args += ["--allow-from", allow_from]
        if email:
            args += ["--email", email]
        return json.loads(run(args).stdout)["totp_secret"]

    @property
    def cert(self):
        return os.path.join(self.path, "tls", "cert.pem")

    @property
    def db(self):
        return os.path.join(self.path, "minato.db")

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


class Server:
    """`minato serve` on 127.0.0.1 with a free port (or with `args` instead of
    `--listen 127.0.0.1:0`: [] serves where minato.toml says)."""

    def __init__(self, data, args=None):
        self.data = data
        self.args = ["--listen", "127.0.0.1:0"] if args is None else args
        self.proc = None
        self.port = None
        self.management_port = None
        self.stderr_lines = []

    def start(self, timeout=30):
        self.proc = subprocess.Popen([MINATO, "serve", "--data", self.data.path, *self.args],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                raise AssertionError("minato serve exited: " + "".join(self.stderr_lines))
            self.stderr_lines.append(line)
            mm = re.search(r"management on https://127\.0\.0\.1:(\d+)", line)
            if mm:
                self.management_port = int(mm.group(1))
            m = re.search(r"listening on https://127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                self._drainer = threading.Thread(target=self._drain, daemon=True)
                self._drainer.start()
                return self
        raise AssertionError("minato serve did not start")

    def _drain(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line)

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=timeout)
        if getattr(self, "_drainer", None):
            self._drainer.join(timeout=10)
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()
        return self.proc.returncode

    def kill(self):
        return self.stop(signal.SIGKILL)

    @property
    def origin(self):
        """webauthn.origin as the server uses it: init's https://localhost:8443, moved to the
        port the server bound."""
        return f"https://localhost:{self.port}"

    def tls_context(self):
        ctx = ssl.create_default_context(cafile=self.data.cert)
        return ctx

    def raw_tls(self):
        """A TLS socket to the server, for tests that must misbehave at the HTTP level."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return self.tls_context().wrap_socket(sock, server_hostname="127.0.0.1")

    def closed_before_tls(self, source=None):
        """True when a new TCP connection (from `source`) is closed by the server before any
        TLS byte is exchanged, as the listener does for refused sources. The wait is well under
        the server's TLS handshake deadline (10 s), so a connection that was admitted and then
        dropped for never starting TLS does not count as refused: recv times out instead."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=3,
                                      source_address=(source, 0) if source else None) as s:
            s.settimeout(3)
            try:
                return s.recv(1) == b""
            except ConnectionResetError:
                return True

    def client(self, source=None):
        return Client(self, source)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.data = body  # bytes (a PDF, say)
        self.raw = body.decode("utf-8", "replace")
        try:
            self.json = json.loads(self.raw) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return f"<{self.status} {self.raw[:300]!r}>"


class Client:
    """An HTTPS client with a cookie and the CSRF token of its session."""

    def __init__(self, server, source=None):
        self.server = server
        self.source = source  # a loopback address to connect from, e.g. "127.0.0.2"
        self.cookie = None
        self.csrf = None

    def request(self, method, path, body=None, headers=None, raw_body=None, csrf=True):
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.server.port, context=self.server.tls_context(), timeout=30,
            source_address=(self.source, 0) if self.source else None)
        h = dict(headers or {})
        data = raw_body
        if body is not None:
            data = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        if self.cookie:
            h.setdefault("Cookie", self.cookie)
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            h.setdefault("X-CSRF-Token", self.csrf)
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        payload = resp.read()
        headers_out = {}
        for k, v in resp.getheaders():
            headers_out.setdefault(k.lower(), v)
        conn.close()
        return Response(resp.status, headers_out, payload)

    def login(self, username, password, secret, offset_s=0):
        r = self.request("POST", "/api/v1/session",
                         {"username": username, "password": password,
                          "totp": totp(secret, offset_s)})
        if r.status == 201:
            cookie = r.header("set-cookie")
            self.cookie = cookie.split(";", 1)[0]
            self.csrf = r.json["csrf_token"]
        return r


def container_id(owner, serial):
    """A valid ISO 6346 id: owner code + U + 6-digit serial + check digit."""
    s = f"{owner}U{serial:06d}"
    vals = {}
    v = 10
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if v % 11 == 0:
            v += 1
        vals[c] = v
        v += 1
    total = sum((vals[ch] if ch.isalpha() else int(ch)) * (2 ** i) for i, ch in enumerate(s))
    return s + str(total % 11 % 10)


class ServerTestCase(unittest.TestCase):
    """One data directory and one server for the whole class."""
    CONFIG = None

    @classmethod
    def setUpClass(cls):
        cls.data = DataDir(cls.CONFIG)
        cls.prepare(cls.data)
        cls.server = Server(cls.data).start()

    @classmethod
    def prepare(cls, data):
        pass

    @classmethod
    def logged_in(cls, username, password, secret):
        """A client with a fresh session of `username` (the login must succeed)."""
        c = cls.server.client()
        r = c.login(username, password, secret)
        assert r.status == 201, (username, r)
        return c

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.data.cleanup()


# The EICAR test file: every scanner's harmless "virus", assembled here so that no file in the
# repository is one.
EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")


class Clamd:
    """A clamd of our own: its socket (UNIX, or TCP on loopback as a scanning host would be
    reached), its one-signature database, its log."""

    def __init__(self, tcp=False):
        self.dir = tempfile.mkdtemp(prefix="minato-clamd-")
        self.socket = os.path.join(self.dir, "clamd.sock")
        self.port = None
        db = os.path.join(self.dir, "db")
        os.mkdir(db)
        with open(os.path.join(db, "minato-test.ndb"), "w") as f:
            f.write("Minato.Test.EICAR:0:*:" + EICAR.hex() + "\n")
        if tcp:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                self.port = s.getsockname()[1]
            listen = f"TCPSocket {self.port}\nTCPAddr 127.0.0.1\n"
        else:
            listen = f"LocalSocket {self.socket}\n"
        self.conf = os.path.join(self.dir, "clamd.conf")
        with open(self.conf, "w") as f:
            f.write(f"Foreground yes\n{listen}DatabaseDirectory {db}\n"
                    f"LogFile {self.dir}/clamd.log\nPidFile {self.dir}/clamd.pid\n"
                    "StreamMaxLength 8M\n")
        self.proc = None

    @property
    def address(self):
        """As intake.clamd takes it."""
        return f"tcp:127.0.0.1:{self.port}" if self.port else f"unix:{self.socket}"

    def _connect(self):
        if self.port:
            return socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(self.socket)
        except OSError:
            s.close()
            raise
        return s

    def start(self):
        clamd = shutil.which("clamd") or "/usr/sbin/clamd"
        self.proc = subprocess.Popen([clamd, "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with self._connect() as s:
                    s.sendall(b"zVERSION\0")
                    if s.recv(100).startswith(b"ClamAV"):
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("clamd exited: " + open(f"{self.dir}/clamd.log").read())
            time.sleep(0.2)
        raise RuntimeError("clamd did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
        if os.path.exists(self.socket):
            os.unlink(self.socket)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class ClamdServerTestCase(ServerTestCase):
    """A server whose media intake scans with a clamd of the class's own (`cls.clamd`), its
    test signatures accepted at any age. Subclasses add their users in prepare() and call
    super().prepare(data) for the intake's settings."""

    @classmethod
    def setUpClass(cls):
        cls.clamd = Clamd().start()
        super().setUpClass()

    @classmethod
    def prepare(cls, data):
        data.set_config({"clamd": f'"{cls.clamd.address}"', "signature_age_action": '"warn"'})

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.clamd.cleanup()

