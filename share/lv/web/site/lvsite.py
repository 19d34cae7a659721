"""lvsite: the reference web login for lv, a WSGI application.

A site's password step, then lv's second step, done the way a site's own
login script would do it: lv's programs run through pipes, the answer on
standard input, the outcome read from the exit code. Standard library only.

    lvsite.py serve --listen 127.0.0.1:8080 --data DIR [--lv-bin DIR] [--secure-cookies]
    lvsite.py adduser --data DIR NAME      (password on stdin, one line)

Under another WSGI server, `lvsite:application` reads LVSITE_DATA,
LVSITE_LV_BIN and LVSITE_SECURE_COOKIES from the environment instead.
See share/lv/web/README and share/lv/web/INTERFACE.md.
"""

import argparse
import base64
import calendar
import hashlib
import hmac
import html
import json
import os
import re
import secrets
import signal
import socketserver
import stat
import string
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.parse
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

HERE = os.path.dirname(os.path.abspath(__file__))
APP_DIR = os.path.join(os.path.dirname(HERE), "app")
STATIC_DIR = os.path.join(HERE, "static")
TEMPLATE_DIR = os.path.join(HERE, "templates")

BODY_MAX = 16 * 1024
ACCOUNT_RE = re.compile(r"[A-Za-z0-9_.@-]{1,64}\Z")
SESSION_RE = re.compile(r"[A-Za-z0-9_-]{43}\Z")
REQUEST_ID_RE = re.compile(r"[0-9a-f]{12}\Z")
KEY_RE = re.compile(r"[A-Za-z0-9+/]{43}=\Z")
SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
PASSWORD_OK_TTL = 15 * 60      # the second step must be done within this
SESSION_TTL = 12 * 3600        # a logged-in session, then the password again
ANONYMOUS_TTL = 3600           # a login form's session
PENDING_TTL = 15 * 60          # lv's request_ttl (600 s) and some margin
LV_TIMEOUT = 30

# pam_lv's words (pam/pam_lv.c), so that a person reads the same at every login.
NOT_AVAILABLE = "Login verification is not available now; the system log says why."
NO_CODE = "No code was typed."
NO_METHOD = "None of your login verification methods works here."
SMS_SENT = "A code was sent to your phone by text message."
PUSH_SENT = "A login request was sent to your phone. Approve it there and pick {}."
REFUSAL_CODES = (1, 65, 66, 69, 75)   # lv's reason is shown; anything else is a fault

WRONG_PASSWORD = "Wrong user name or password."
STALE_FORM = "This form is stale or its CSRF token is missing: reload the page."
STALE_TOKEN = "missing or stale CSRF token"
LOGIN_TIMED_OUT = "The login took too long or ended: log in again."
PUSH_REFUSED = "Login refused: the request was denied or answered with the wrong number."

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; manifest-src 'self'; worker-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".json": "application/json", ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}


class Config:
    data = os.environ.get("LVSITE_DATA", "")
    lv_bin = os.environ.get("LVSITE_LV_BIN", "")
    secure_cookies = os.environ.get("LVSITE_SECURE_COOKIES", "") not in ("", "0")


def log(line):
    sys.stderr.write("lvsite: " + line + "\n")
    sys.stderr.flush()


# ---- errors that end a request with a status and one line ----

class HTTPError(Exception):
    def __init__(self, status, message, headers=()):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = list(headers)


class Redirect(Exception):
    def __init__(self, location):
        super().__init__(location)
        self.location = location


# ---- lv's programs ----

class Run:
    def __init__(self, status, out, err):
        self.status = status
        self.out = out
        self.err = err

    def reason(self):
        """lv's line without the program's name, as pam_lv shows it, with
        the commands it names for a terminal told as this site's settings."""
        _, sep, rest = self.err.partition(": ")
        rest = rest if sep else self.err
        for command, page in WEB_WORDS:
            rest = rest.replace(command, page)
        return rest


# What lv's messages tell a terminal user to run, and where a person finds
# the same on this site (adapt these to your own pages).
WEB_WORDS = (("generate a new one with lv-backup new", "get a new one in Settings, Backup code"),
             ("(lv-temppass)", "(Settings, Temporary password)"))


def lv_path(prog):
    if Config.lv_bin:
        return os.path.join(Config.lv_bin, prog)
    for d in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep):
        p = os.path.join(d or ".", prog)
        if os.access(p, os.X_OK):
            return p
    return prog


def lv_env():
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C"}
    for name in ("LV_DIR", "LV_CONF"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def run_lv(prog, account, *extra, verb=None, secret=None):
    """Runs PROG [VERB] ACCOUNT EXTRA... without a shell; a secret goes on stdin only."""
    argv = [lv_path(prog)] + ([verb] if verb else []) + [account] + list(extra)
    try:
        p = subprocess.run(argv, input=(secret + "\n").encode() if secret is not None else b"",
                           capture_output=True, env=lv_env(), timeout=LV_TIMEOUT, cwd="/")
    except (OSError, subprocess.TimeoutExpired) as e:
        log("cannot run %s: %s" % (argv[0], e.__class__.__name__ if isinstance(e, subprocess.TimeoutExpired) else e.strerror))
        return Run(-1, "", "")
    err = p.stderr.decode("utf-8", "replace").split("\n", 1)[0]
    if p.returncode != 0:
        shown = "".join(c if c.isprintable() else "?" for c in err)
        log("%s for %s exited %d: %s" % (prog, account, p.returncode, shown))
    return Run(p.returncode, p.stdout.decode("utf-8", "replace"), err)


def refusal(r):
    """The text a person reads for a failed run: lv's reason, or where to look."""
    return r.reason() if r.status in REFUSAL_CODES else NOT_AVAILABLE


def lv_status(account):
    r = run_lv("lv-status", account, "--json")
    if r.status not in (0, 66):
        return None
    try:
        return json.loads(r.out)
    except ValueError:    # never enrolled: 66 and nothing printed
        return {"enrolled": False} if r.status == 66 else None


def device_ids(status):
    return [d["id"] for d in (status or {}).get("device", [])]


def methods(account):
    """(exit status, [method names]) from lv-verify --methods."""
    r = run_lv("lv-verify", account, "--methods")
    names = [line.split("\t")[0] for line in r.out.splitlines() if line]
    gateway = "sms\tgateway" in r.out.splitlines()
    return r, names, gateway


# ---- small files, written atomically ----

def data_path(*parts):
    return os.path.join(Config.data, *parts)


def write_atomic(path, text):
    d = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    dfd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def read_json(path):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, encoding="utf-8") as f:
        try:
            return json.load(f)
        except ValueError:
            return None


def remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def prepare_data():
    os.umask(0o077)
    for d in ("sessions", "pending"):
        os.makedirs(data_path(d), mode=0o700, exist_ok=True)


# ---- users: NAME:scrypt$N$r$p$SALT_B64$HASH_B64 ----

def hash_password(password, salt=None):
    salt = salt or secrets.token_bytes(16)
    h = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    return "scrypt$%d$%d$%d$%s$%s" % (SCRYPT["n"], SCRYPT["r"], SCRYPT["p"],
                                       base64.b64encode(salt).decode(), base64.b64encode(h).decode())


def user_hash(name):
    try:
        with open(data_path("users"), encoding="utf-8") as f:
            for line in f:
                user, sep, h = line.rstrip("\n").partition(":")
                if sep and user == name:
                    return h
    except FileNotFoundError:
        pass
    return None


DUMMY_HASH = hash_password("not a password")


def check_password(name, password):
    """Constant work whether the user exists or not."""
    stored = user_hash(name)
    try:
        kind, n, r, p, salt, want = (stored or DUMMY_HASH).split("$")
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(base64.b64decode(want)), maxmem=64 * 1024 * 1024)
        ok = kind == "scrypt" and hmac.compare_digest(got, base64.b64decode(want))
    except (ValueError, TypeError):
        return False
    return ok and stored is not None


def add_user(name, password):
    prepare_data()
    path = data_path("users")
    lines = []
    try:
        with open(path, encoding="utf-8") as f:
            lines = [l for l in f.read().splitlines() if l.partition(":")[0] != name]
    except FileNotFoundError:
        pass
    lines.append(name + ":" + hash_password(password))
    write_atomic(path, "\n".join(lines) + "\n")


# ---- sessions: one file each under DATA/sessions ----

class Session(dict):
    """account, state (anonymous, password-ok, verified), csrf, created, push."""

    def save(self):
        write_atomic(data_path("sessions", self["id"]), json.dumps(self))

    def end(self):
        remove(data_path("sessions", self["id"]))


def new_session(state, account=None):
    s = Session(id=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32), state=state,
                account=account, created=time.time(), push=None)
    s.save()
    return s


def session_ttl(s):
    return {"anonymous": ANONYMOUS_TTL, "password-ok": PASSWORD_OK_TTL}.get(s.get("state"), SESSION_TTL)


def load_session(environ):
    cookie = environ.get("HTTP_COOKIE", "")
    for part in cookie.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "lvsession" and SESSION_RE.match(value):
            s = read_json(data_path("sessions", value))
            if isinstance(s, dict) and s.get("id") == value:
                s = Session(s)
                if time.time() - s.get("created", 0) < session_ttl(s):
                    return s
                s.end()
    return None


_last_sweep = [0.0]


def sweep():
    """Removes expired sessions and pushes, at most once a minute."""
    now = time.time()
    if now - _last_sweep[0] < 60:
        return
    _last_sweep[0] = now
    for d, ttl in (("sessions", None), ("pending", PENDING_TTL)):
        for name in os.listdir(data_path(d)):
            p = data_path(d, name)
            try:
                age = now - os.lstat(p).st_mtime
            except OSError:
                continue
            if age > (ttl or SESSION_TTL):
                remove(p)


def cookie_header(s, environ, clear=False):
    value = "" if clear else s["id"]
    c = "lvsession=%s; HttpOnly; SameSite=Strict; Path=/" % value
    if clear:
        c += "; Max-Age=0"
    if Config.secure_cookies or environ.get("wsgi.url_scheme") == "https":
        c += "; Secure"
    return ("Set-Cookie", c)


# ---- templates ----

_templates = {}


def template(name):
    if name not in _templates:
        with open(os.path.join(TEMPLATE_DIR, name + ".html"), encoding="utf-8") as f:
            _templates[name] = string.Template(f.read())
    return _templates[name]


def esc(s):
    return html.escape(str(s), quote=True)


def page(title, body, message="", scripts=()):
    tags = "".join('<script type="module" src="/static/%s"></script>\n' % esc(s) for s in scripts)
    return template("layout").substitute(title=esc(title), body=body, message=esc(message), scripts=tags)


def fill(name, **fields):
    return template(name).substitute(**fields)


# ---- requests ----

class Request:
    def __init__(self, environ):
        self.environ = environ
        self.method = environ.get("REQUEST_METHOD", "GET")
        self.path = environ.get("PATH_INFO", "/") or "/"
        self.api = self.path.startswith("/app/api/")
        self.session = None
        self.cookies = []

    def header(self, name):
        return self.environ.get("HTTP_" + name.upper().replace("-", "_"))

    def body(self, kind):
        """The body, checked: size (413), content type (415), then parsed (400)."""
        try:
            length = int(self.environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise HTTPError(400, "bad Content-Length")
        if length > BODY_MAX:
            raise HTTPError(413, "the body is larger than 16 KiB")
        ctype = (self.environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        want = "application/json" if kind == "json" else "application/x-www-form-urlencoded"
        if length and ctype != want or not length and ctype not in ("", want):
            raise HTTPError(415, "the body must be " + want)
        raw = self.environ["wsgi.input"].read(length) if length else b""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise HTTPError(400, "the body is not UTF-8")
        return parse_json(text) if kind == "json" else parse_form(text)

    def remote_addr(self):
        return self.environ.get("REMOTE_ADDR", "")


def parse_json(text):
    if text.strip() == "":
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise HTTPError(400, "the body is not JSON")
    if not isinstance(value, dict):
        raise HTTPError(400, "the body must be a JSON object")
    return value


def parse_form(text):
    try:
        pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text),
                                       errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise HTTPError(400, "the form is malformed")
    form = {}
    for k, v in pairs:
        if k in form:
            raise HTTPError(400, "the form has the field %s twice" % k)
        form[k] = v
    return form


def field(form, name, limit=1024):
    v = form.get(name)
    if not isinstance(v, str):
        raise HTTPError(400, "missing field: " + name)
    if len(v) > limit or any(unicodedata.category(c) in ("Cc", "Cf") for c in v):
        raise HTTPError(400, "malformed field: " + name)
    return v


def check_csrf(req, given):
    s = req.session
    if s is None or not isinstance(given, str) or not hmac.compare_digest(given.encode(), s["csrf"].encode()):
        raise HTTPError(403, STALE_TOKEN if req.api or req.path.startswith("/verify/push") else STALE_FORM)


def form_post(req):
    form = req.body("form")
    check_csrf(req, form.get("csrf"))
    return form


def json_post(req):
    body = req.body("json")
    check_csrf(req, req.header("X-CSRF-Token"))
    return body


def need(req, *states):
    s = req.session
    if s is None or s["state"] not in states:
        if req.api:
            raise HTTPError(401, "not logged in")
        if req.path.startswith("/verify/push"):
            raise HTTPError(401, LOGIN_TIMED_OUT)
        raise Redirect("/login")
    return s


def client_summary(ua):
    """What the phone shows as the login's client: "Chrome on Linux"."""
    ua = "".join(c for c in (ua or "") if unicodedata.category(c) not in ("Cc", "Cf"))
    browsers = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                ("Chromium/", "Chromium"), ("Safari/", "Safari"), ("curl/", "curl"))
    systems = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iOS"), ("CrOS", "ChromeOS"),
               ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Linux", "Linux"))
    b = next((name for tag, name in browsers if tag in ua), None)
    o = next((name for tag, name in systems if tag in ua), None)
    if b and o:
        return b + " on " + o
    return (b or ua)[:128].strip()


def push_choices(number):
    rng = secrets.SystemRandom()
    others = rng.sample([n for n in range(10, 100) if n != int(number)], 2)
    choices = [number] + ["%02d" % n for n in others]
    rng.shuffle(choices)
    return choices


# ---- pages for a person ----

def get_root(req):
    raise Redirect("/home" if req.session and req.session["state"] == "verified" else "/login")


def login_page(req, message=""):
    s = req.session
    if s is None or s["state"] != "anonymous":
        s = req.session = new_session("anonymous")
        req.cookies.append(s)
    return page("Log in", fill("login", csrf=esc(s["csrf"])), message)


def get_login(req):
    return login_page(req)


def post_login(req):
    form = form_post(req)
    user, password = field(form, "user", 64), field(form, "password")
    if not ACCOUNT_RE.match(user) or user[0] in ".-@" or not check_password(user, password):
        log("password refused for a login")
        return 200, login_page(req, WRONG_PASSWORD)
    r, names, _ = methods(user)
    if r.status not in (0, 66):
        return 200, login_page(req, NOT_AVAILABLE)
    req.session.end()
    s = req.session = new_session("verified" if r.status == 66 else "password-ok", user)
    req.cookies.append(s)
    if r.status == 0:
        remembered_login(req)
    raise Redirect("/home" if r.status == 66 else "/verify")


METHOD_TEXT = {"totp": "Authenticator app code", "sms": "SMS code", "push": "Approve a login request on your phone",
               "backup": "Backup code",
               "key": "Security key"}


# pam_lv's names for what can be typed, in its order
CODE_KINDS = (("totp", "authenticator app code"), ("sms", "SMS code"), ("backup", "backup code"))


def verify_page(req, message=""):
    s = need(req, "password-ok")
    if s.get("notice"):
        message = message or s["notice"]
        s["notice"] = None
        s.save()
    r, names, gateway = methods(s["account"])
    if r.status != 0:
        return page("Login verification", "", refusal(r))
    if not names:
        message = message or NO_METHOD
    items = "".join('<li data-method="%s">%s</li>' % (esc(n), esc(METHOD_TEXT.get(n, n))) for n in names)
    push = ""
    if "push" in names:
        p = s.get("push")
        push = fill("push", start="poll" if p else "start", csrf=esc(s["csrf"]), number=esc(p["number"] if p else ""),
                    state=esc(PUSH_SENT.format(p["number"]) if p else ""))
    heading = "Didn't receive the push?" if push else "A code by SMS"
    sms = fill("sms", csrf=esc(s["csrf"]), heading=esc(heading)) if gateway else ""
    kinds = [k for n, k in CODE_KINDS if n in names]
    label = ", ".join(kinds[:-1]) + " or " + kinds[-1] if len(kinds) > 1 else "".join(kinds)
    codes = fill("code", csrf=esc(s["csrf"]), label=esc(label[:1].upper() + label[1:])) if kinds else ""
    key = fill("usekey", csrf=esc(s["csrf"])) if "key" in names else ""
    body = fill("verify", account=esc(s["account"]), methods=items, push=push, key=key, sms=sms, code=codes)
    scripts = (("verify.js",) if push else ()) + (("webauthn.js",) if key else ())
    return page("Login verification", body, message, scripts=scripts)


def get_verify(req):
    if req.session and req.session["state"] == "verified":
        raise Redirect("/home")
    return verify_page(req)


def become_verified(req):
    old = req.session
    forget_push(old)
    old.end()
    s = req.session = new_session("verified", old["account"])
    req.cookies.append(s)


def post_verify(req):
    form = form_post(req)
    s = need(req, "password-ok")
    code = field(form, "code", 256)
    if code.strip() == "":
        return 200, verify_page(req, NO_CODE)
    remember = remember_args(req) if form.get("remember") == "1" else []
    r = run_lv("lv-verify", s["account"], *remember, secret=code)
    if r.status == 69 and remember:     # remember_days = 0: lv took nothing; the code alone
        remember = []
        r = run_lv("lv-verify", s["account"], secret=code)
    if r.status == 0:
        become_verified(req)
        if remember:
            set_remember_cookie(req, r.out)
        raise Redirect("/home")
    return 200, verify_page(req, refusal(r))


def post_verify_sms(req):
    form_post(req)
    s = need(req, "password-ok")
    r = run_lv("lv-sendcode", s["account"])
    return 200, verify_page(req, SMS_SENT if r.status == 0 else refusal(r))


def forget_push(s):
    p = s.get("push")
    if p:
        remove(data_path("pending", p["id"]))
        s["push"] = None


def post_verify_push(req):
    json_post(req)
    s = need(req, "password-ok")
    p = s.get("push")
    if p:
        return json_reply({"state": "pending", "number": p["number"], "message": PUSH_SENT.format(p["number"])})
    args = []
    if re.match(r"[0-9A-Fa-f.:]+\Z", req.remote_addr()):
        args += ["--ip", req.remote_addr()]
    client = client_summary(req.header("User-Agent"))
    if client:
        args += ["--client", client]
    r = run_lv("lv-requests", s["account"], *args, verb="new")
    fields = r.out.strip("\n").split("\t")
    if r.status != 0 or len(fields) != 3 or not REQUEST_ID_RE.match(fields[0]):
        return json_reply({"state": "error", "message": refusal(r) if r.status else NOT_AVAILABLE})
    p = {"id": fields[0], "number": fields[1], "token": fields[2], "account": s["account"]}
    write_atomic(data_path("pending", p["id"]), json.dumps(p))
    s["push"] = p
    s.save()
    return json_reply({"state": "pending", "number": p["number"], "message": PUSH_SENT.format(p["number"])})


def get_verify_push_status(req):
    s = need(req, "password-ok")
    p = s.get("push")
    if not p:
        raise HTTPError(409, "no login request is in progress")
    # ?remember=1: the code form's "Don't ask again on this browser" was
    # ticked while the push waited; the approval remembers the browser.
    remember = remember_args(req) if req.environ.get("QUERY_STRING", "") == "remember=1" else []
    r = run_lv("lv-verify", s["account"], "--request", p["id"], "--wait", "0", *remember, secret=p["token"])
    if r.status == 69 and remember:     # remember_days = 0: lv took nothing; the approval alone
        remember = []
        r = run_lv("lv-verify", s["account"], "--request", p["id"], "--wait", "0", secret=p["token"])
    if r.status == 0:
        become_verified(req)
        if remember:
            set_remember_cookie(req, r.out)
        return json_reply({"state": "approved", "next": "/home"})
    if r.status == 75:
        return json_reply({"state": "pending"})
    forget_push(s)
    s.save()
    if r.status == 1:
        reason = r.reason().removeprefix("rejected: ")
        text = PUSH_REFUSED if reason == "the request was denied" else "Login refused: " + reason
        return json_reply({"state": "denied", "message": text})
    return json_reply({"state": "error", "message": refusal(r)})


def get_home(req):
    s = need(req, "verified")
    return page("Home", fill("home", account=esc(s["account"]), csrf=esc(s["csrf"])))


def settings_page(req, message="", extra=""):
    s = need(req, "verified")
    st = lv_status(s["account"]) or {}
    if st.get("enrolled"):
        facts = [("Login verification", "on"), ("Phone", st.get("phone") or "none"),
                 ("Devices", ", ".join(device_ids(st)) or "none"),
                 ("Authenticator app", "yes" if st.get("totp") else "no"),
                 ("Active backup codes", str(st.get("backup-codes", 0)))]
    else:
        facts = [("Login verification", "off")]
    rows = "".join('<tr><th scope="row">%s</th><td>%s</td></tr>' % (esc(k), esc(v)) for k, v in facts)
    body = fill("settings", csrf=esc(s["csrf"]), facts=rows, extra=extra,
                remembered=remembered_block(s, st), keys=keys_section(s, st))
    scripts = (("print.js",) if extra else ()) + ("webauthn.js",)
    return page("Login verification settings", body, message, scripts=scripts)


def get_settings(req):
    return settings_page(req)


def backup_block(code):
    return fill("backup", code=esc(code))


def post_settings_totp(req):
    form_post(req)
    s = need(req, "verified")
    st = lv_status(s["account"])
    if st is None:
        return 200, settings_page(req, NOT_AVAILABLE)
    enrolled = bool(st.get("enrolled"))
    r = run_lv("lv-enroll", s["account"], "--totp", *(["--update"] if enrolled else []))
    lines = r.out.splitlines()
    if r.status != 0 or not lines or not lines[-1].startswith("otpauth://"):
        return 200, settings_page(req, refusal(r) if r.status else NOT_AVAILABLE)
    uri = lines[-1]
    q = subprocess.run(["qrencode", "-t", "PNG", "-o", "-", "-s", "6", "-m", "4"], input=uri.encode(),
                       capture_output=True, timeout=LV_TIMEOUT)
    secret = urllib.parse.parse_qs(urllib.parse.urlsplit(uri).query).get("secret", [""])[0]
    img = "data:image/png;base64," + base64.b64encode(q.stdout).decode() if q.returncode == 0 else ""
    extra = fill("totp", qr=esc(img), secret=esc(secret))
    if not enrolled and len(lines) >= 2:
        extra += backup_block(lines[0])
    return 200, settings_page(req, "Scan the QR code with your authenticator app.", extra)


def post_settings_backup(req):
    form_post(req)
    s = need(req, "verified")
    r = run_lv("lv-backup", s["account"], "--reason", "web settings", verb="new")
    code = r.out.strip()
    if r.status != 0 or not code:
        return 200, settings_page(req, refusal(r) if r.status else NOT_AVAILABLE)
    return 200, settings_page(req, "A new backup code was made. Write it down or print it.", backup_block(code))


def post_settings_temppass(req):
    form = form_post(req)
    s = need(req, "verified")
    label = field(form, "label", 128).strip() or "default"
    r = run_lv("lv-temppass", s["account"], "--label", label, "--reason", "web settings")
    pw = r.out.strip()
    if r.status != 0 or not pw:
        return 200, settings_page(req, refusal(r) if r.status else NOT_AVAILABLE)
    extra = fill("temppass", label=esc(label), password=esc(pw))
    return 200, settings_page(req, "Use this temporary password once, in place of your password.", extra)


def post_settings_phone_delete(req):
    form_post(req)
    s = need(req, "verified")
    st = lv_status(s["account"])
    if st is None:
        return 200, settings_page(req, NOT_AVAILABLE)
    if not st.get("enrolled") or (not device_ids(st) and not st.get("phone")):
        return 200, settings_page(req, "There is no phone on your account.")
    steps = [["--device", d] for d in device_ids(st)] + ([["--phone"]] if st.get("phone") else [])
    for step in steps:
        r = run_lv("lv-unenroll", s["account"], *step, "--reason", "deleted in web settings")
        if r.status == 66:
            break
        if r.status != 0:
            return 200, settings_page(req, refusal(r))
    after = lv_status(s["account"]) or {}
    if after.get("enrolled"):
        return 200, settings_page(req, "Your phone was deleted: login verification stays on with your other methods.")
    return 200, settings_page(req, "Your phone was deleted: login verification is off.")


def post_logout(req):
    form_post(req)
    s = req.session
    forget_push(s)
    s.end()
    req.cookies.append(("clear", s))
    raise Redirect("/login")


# ---- the device app's endpoints ----

def json_reply(obj, status=200):
    return status, ("application/json", json.dumps(obj))


def app_error(r):
    """An lv program's failure as the app's status and one line."""
    status = {1: 409, 65: 400, 66: 409, 69: 409, 73: 409, 75: 429}.get(r.status, 500)
    raise HTTPError(status, r.reason() if status != 500 else NOT_AVAILABLE)


def get_api_session(req):
    s = need(req, "password-ok", "verified")
    verified = s["state"] == "verified"
    st = lv_status(s["account"]) if verified else None
    return json_reply({"account": s["account"], "csrf": s["csrf"], "verified": verified,
                       "enrolled": bool(st and st.get("enrolled")), "devices": device_ids(st)})


def post_api_enroll(req):
    body = json_post(req)
    s = need(req, "verified")
    key = body.get("public_key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise HTTPError(400, "public_key must be an Ed25519 public key in padded base64 (44 characters)")
    before = lv_status(s["account"])
    if before is None:
        raise HTTPError(500, NOT_AVAILABLE)
    enrolled = bool(before.get("enrolled"))
    r = run_lv("lv-enroll", s["account"], "--device-key", "-", *(["--update"] if enrolled else []), secret=key)
    if r.status != 0:
        app_error(r)
    new = [d for d in device_ids(lv_status(s["account"])) if d not in device_ids(before)]
    device = new[0] if new else hashlib.blake2b(base64.b64decode(key), digest_size=32).hexdigest()[:8]
    code = None if enrolled else (r.out.strip().splitlines() or [None])[0]
    return json_reply({"device_id": device, "backup_code": code})


def get_api_requests(req):
    s = need(req, "verified")
    r = run_lv("lv-requests", s["account"], "--json", verb="list")
    if r.status != 0:
        app_error(r)
    return 200, ("application/json", r.out.strip())


def get_api_request(req, rid):
    s = need(req, "verified")
    if not REQUEST_ID_RE.match(rid):
        raise HTTPError(404, "no such request")
    r = run_lv("lv-requests", s["account"], rid, verb="show")
    if r.status == 1:
        raise HTTPError(404, "no such request")
    if r.status != 0:
        app_error(r)
    p = read_json(data_path("pending", rid))
    choices = push_choices(p["number"]) if isinstance(p, dict) and p.get("account") == s["account"] else None
    return json_reply({"line": r.out.rstrip("\n"), "choices": choices})


def signed_line(body, tag, fields):
    line = body.get("line")
    if not isinstance(line, str) or len(line) > 1024 or "\n" in line or "\r" in line:
        raise HTTPError(400, "line must be one %s line" % tag)
    parts = line.split("\t")
    if len(parts) != fields or parts[0] != tag:
        raise HTTPError(400, "line must be one %s line" % tag)
    return parts


def post_api_answer(req):
    body = json_post(req)
    s = need(req, "verified")
    parts = signed_line(body, "lv1-answer", 7)
    if parts[1] != s["account"]:
        raise HTTPError(409, "the answer is for another account")
    r = run_lv("lv-requests", s["account"], verb="answer", secret=body["line"])
    if r.status != 0:
        app_error(r)
    return json_reply({"recorded": True})


def post_api_signout(req):
    body = json_post(req)
    s = need(req, "verified")
    parts = signed_line(body, "lv1-signout", 4)
    if parts[1] != s["account"]:
        raise HTTPError(409, "the statement is for another account")
    r = run_lv("lv-unenroll", s["account"], "--signed-out", secret=body["line"])
    if r.status != 0:
        app_error(r)
    st = lv_status(s["account"]) or {}
    return json_reply({"off": not st.get("enrolled", False)})


# ---- the third-party client API ----

def get_api_mail(req):
    challenge = [("WWW-Authenticate", 'Basic realm="lv"')]
    auth = req.header("Authorization") or ""
    scheme, _, value = auth.partition(" ")
    if scheme.lower() != "basic" or not value:
        raise HTTPError(401, "authentication required", challenge)
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except ValueError:
        raise HTTPError(400, "malformed Authorization header")
    if not sep or not ACCOUNT_RE.match(user) or user[0] in ".-@" or len(password) > 256 or \
            any(unicodedata.category(c) in ("Cc", "Cf") for c in password):
        raise HTTPError(401, "wrong user name or password", challenge)
    r = run_lv("lv-verify", user, "--client", "third-party", secret=password)
    if r.status == 0:
        return 200, ("text/plain; charset=utf-8", "ok %s\n" % user)
    if r.status in REFUSAL_CODES:
        raise HTTPError(401, r.reason(), challenge)
    raise HTTPError(503, NOT_AVAILABLE)


# ---- security keys (WebAuthn): the browser's part is static/webauthn.js ----

KEY_ADDED = "Your security key was added."
KEY_ON = "Your security key was added: login verification is on. Write down your backup code."


def keys_section(s, st):
    items = "".join('<li data-id="%s">%s</li>' % (esc(k.get("id", "")), esc(k.get("label", "")))
                    for k in (st or {}).get("security-key", []))
    return fill("keys", csrf=esc(s["csrf"]), keys=items)


def key_post(req, state):
    """A JSON post of webauthn.js: the body after its CSRF token, and the
    session, which must be in STATE; a stale one is told in one line."""
    body = json_post(req)
    s = req.session
    if s is None or s["state"] != state:
        raise HTTPError(401, LOGIN_TIMED_OUT)
    return body, s


def key_options(r):
    """lv's options as the page's JSON, or lv's reason."""
    if r.status != 0:
        return json_reply({"error": refusal(r)})
    try:
        return json_reply({"options": json.loads(r.out)})
    except ValueError:
        return json_reply({"error": NOT_AVAILABLE})


def credential(body):
    """The browser's answer, passed to lv as it came (lv checks it)."""
    c = body.get("credential")
    if not isinstance(c, dict):
        raise HTTPError(400, "missing field: credential")
    return json.dumps(c)


def post_settings_key_options(req):
    _, s = key_post(req, "verified")
    st = lv_status(s["account"])
    if st is None:
        return json_reply({"error": NOT_AVAILABLE})
    return key_options(run_lv("lv-enroll", s["account"], *(["--update"] if st.get("enrolled") else []),
                              "--key-options"))


def post_settings_key(req):
    body, s = key_post(req, "verified")
    label = body.get("label", "")
    if not isinstance(label, str) or len(label) > 128 or \
            any(unicodedata.category(c) in ("Cc", "Cf") for c in label):
        raise HTTPError(400, "malformed field: label")
    label = label.strip() or "security key"
    before = lv_status(s["account"])
    if before is None:
        return json_reply({"error": NOT_AVAILABLE})
    enrolled = bool(before.get("enrolled"))
    r = run_lv("lv-enroll", s["account"], *(["--update"] if enrolled else []), "--key", "-", "--label", label,
               secret=credential(body))
    if r.status != 0:
        return json_reply({"error": refusal(r)})
    old = {k.get("id") for k in before.get("security-key", [])}
    new = [k for k in (lv_status(s["account"]) or {}).get("security-key", []) if k.get("id") not in old]
    code = None if enrolled else (r.out.strip().splitlines() or [None])[0]
    return json_reply({"message": KEY_ON if code else KEY_ADDED, "backup_code": code,
                       "key": {"id": new[0]["id"], "label": new[0]["label"]} if new else None})


def post_verify_key_options(req):
    _, s = key_post(req, "password-ok")
    return key_options(run_lv("lv-verify", s["account"], "--key-options"))


def post_verify_key(req):
    body, s = key_post(req, "password-ok")
    r = run_lv("lv-verify", s["account"], "--method", "key", secret=credential(body))
    if r.status == 0:
        become_verified(req)
        return json_reply({"next": "/home"})
    return json_reply({"error": refusal(r)})


# ---- static files ----

def serve_file(root, rel, extra_headers=()):
    parts = [p for p in rel.split("/") if p != ""]
    if any(p in (".", "..") or p.startswith(".") or "\\" in p or "\0" in p for p in parts):
        raise HTTPError(404, "not found")
    path = root
    for p in parts:
        path = os.path.join(path, p)
        try:
            st = os.lstat(path)
        except OSError:
            raise HTTPError(404, "not found")
        if stat.S_ISLNK(st.st_mode):
            raise HTTPError(404, "not found")
    if os.path.isdir(path):
        path = os.path.join(path, "index.html")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        raise HTTPError(404, "not found")
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise HTTPError(404, "not found")
        data = f.read()
    ctype = CONTENT_TYPES.get(os.path.splitext(path)[1].lower(), "application/octet-stream")
    return 200, (ctype, data), [("Cache-Control", "no-cache")] + list(extra_headers)


def get_app_file(req, rel):
    if req.path == "/app":
        raise Redirect("/app/")
    extra = [("Service-Worker-Allowed", "/app/")] if rel == "sw.js" else []
    return serve_file(APP_DIR, rel, extra)


def get_static(req, rel):
    return serve_file(STATIC_DIR, rel)


# ---- remembered browsers (lv-verify --remember, --method remembered) ----

REMEMBER_COOKIE = "lvremember"
REMEMBER_RE = re.compile(r"lvr1-[0-9A-Z]{16}-[0-9A-Z]{32}\Z")
REMEMBER_DAYS = 30             # lv's default remember_days, when lv-status shows no expiry
NOT_REMEMBERED = "This browser is no longer remembered: type a code. ({})"


def remember_token(req):
    """The lvremember cookie's token, or None. It is never logged."""
    for part in req.environ.get("HTTP_COOKIE", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == REMEMBER_COOKIE and REMEMBER_RE.match(value):
            return value
    return None


def remember_cookie(req, token=None, max_age=0):
    c = "%s=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%d" % (REMEMBER_COOKIE, token or "", max_age)
    if Config.secure_cookies or req.environ.get("wsgi.url_scheme") == "https":
        c += "; Secure"
    return c


def client_args(req):
    """--ip and --agent of the browser, as lv-requests new gets them."""
    args = []
    if re.match(r"[0-9A-Fa-f.:]+\Z", req.remote_addr()):
        args += ["--ip", req.remote_addr()]
    client = client_summary(req.header("User-Agent"))
    if client:
        args += ["--agent", client]
    return args


def remember_args(req):
    return ["--remember", client_summary(req.header("User-Agent")) or "a browser"] + client_args(req)


def set_remember_cookie(req, out):
    """Keeps the token lv-verify printed in the cookie, until the series'
    expiry that lv-status shows (remember_days of lv.conf)."""
    token = next((l for l in out.splitlines() if REMEMBER_RE.match(l)), None)
    if not token:
        return
    series = token.split("-")[1]
    max_age = REMEMBER_DAYS * 86400
    for d in (lv_status(req.session["account"]) or {}).get("remembered", []):
        if d.get("id") == series:
            try:
                expires = calendar.timegm(time.strptime(d["expires"], "%Y-%m-%dT%H:%M:%SZ"))
                max_age = max(0, int(expires - time.time()))
            except (KeyError, TypeError, ValueError):
                pass
    req.cookies.append(remember_cookie(req, token, max_age))


def remembered_login(req):
    """After the password: a remembered browser is verified without a code
    and gets the token's successor; a refused token is cleared, and the
    second step says why (a copy revokes the whole series)."""
    token = remember_token(req)
    if token is None:
        return
    s = req.session
    r = run_lv("lv-verify", s["account"], "--method", "remembered", *client_args(req), secret=token)
    if r.status == 0:
        become_verified(req)
        set_remember_cookie(req, r.out)
        raise Redirect("/home")
    if r.status == 1:
        req.cookies.append(remember_cookie(req))
        s["notice"] = NOT_REMEMBERED.format(r.reason())
        s.save()
    else:                   # locked (75) or a fault: the cookie stays, the second step says why
        s["notice"] = refusal(r)
        s.save()


def remembered_block(s, st):
    items = []
    for d in st.get("remembered", []) if st.get("enrolled") else []:
        items.append(fill("remembered", id=esc(d.get("id", "")), csrf=esc(s["csrf"]),
                          label=esc(d.get("label", "")), created=esc(d.get("created", "")),
                          used=esc(d.get("last-used", "")), ip=esc(d.get("ip") or "unknown"),
                          expires=esc(d.get("expires", ""))))
    return "".join(items)


def post_settings_remembered_forget(req):
    form = form_post(req)
    s = need(req, "verified")
    series = field(form, "id", 64)
    if not re.match(r"[0-9A-Z]{16}\Z", series):
        raise HTTPError(400, "malformed field: id")
    r = run_lv("lv-unenroll", s["account"], "--forget-device", series, "--self")
    if r.status != 0:
        return 200, settings_page(req, refusal(r))
    return 200, settings_page(req, "The browser was forgotten: it is asked for a code at its next login.")


def post_settings_remembered_forget_all(req):
    form_post(req)
    s = need(req, "verified")
    r = run_lv("lv-unenroll", s["account"], "--forget-devices", "--self")
    if r.status != 0:
        return 200, settings_page(req, refusal(r))
    return 200, settings_page(req, "Every browser was forgotten: each is asked for a code at its next login.")


# ---- routing ----

ROUTES = {
    "/": {"GET": get_root},
    "/login": {"GET": get_login, "POST": post_login},
    "/verify": {"GET": get_verify, "POST": post_verify},
    "/verify/sms": {"POST": post_verify_sms},
    "/verify/push": {"POST": post_verify_push},
    "/verify/push/status": {"GET": get_verify_push_status},
    "/home": {"GET": get_home},
    "/settings": {"GET": get_settings},
    "/settings/totp": {"POST": post_settings_totp},
    "/settings/backup": {"POST": post_settings_backup},
    "/settings/temppass": {"POST": post_settings_temppass},
    "/settings/phone/delete": {"POST": post_settings_phone_delete},
    "/logout": {"POST": post_logout},
    "/app/api/session": {"GET": get_api_session},
    "/app/api/enroll": {"POST": post_api_enroll},
    "/app/api/requests": {"GET": get_api_requests},
    "/app/api/answer": {"POST": post_api_answer},
    "/app/api/signout": {"POST": post_api_signout},
    "/api/mail": {"GET": get_api_mail},
    "/settings/remembered/forget": {"POST": post_settings_remembered_forget},
    "/settings/remembered/forget-all": {"POST": post_settings_remembered_forget_all},
    "/settings/key/options": {"POST": post_settings_key_options},
    "/settings/key": {"POST": post_settings_key},
    "/verify/key/options": {"POST": post_verify_key_options},
    "/verify/key": {"POST": post_verify_key},
}
PREFIXES = (("/app/api/requests/", get_api_request), ("/app/api/", None),
            ("/static/", get_static), ("/app/", get_app_file), ("/app", get_app_file))


def route(req):
    """(handler, argument) for the path; 404 and 405 here."""
    if req.path in ROUTES:
        methods_ = ROUTES[req.path]
        if req.method not in methods_:
            raise HTTPError(405, "method not allowed", [("Allow", ", ".join(sorted(methods_)))])
        return methods_[req.method], None
    for prefix, handler in PREFIXES:
        if req.path == prefix or req.path.startswith(prefix) and prefix.endswith("/"):
            if handler is None:
                break
            if req.method != "GET":
                raise HTTPError(405, "method not allowed", [("Allow", "GET")])
            return handler, req.path[len(prefix):]
    raise HTTPError(404, "not found")


def security_headers(dynamic):
    h = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
         ("Referrer-Policy", "no-referrer")]
    if dynamic:
        h.append(("Cache-Control", "no-store"))
    return h


def respond(req, start_response, status, ctype, body, headers):
    text = {200: "OK", 303: "See Other", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
            404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 413: "Payload Too Large",
            415: "Unsupported Media Type", 429: "Too Many Requests", 500: "Internal Server Error",
            503: "Service Unavailable"}.get(status, "")
    data = body if isinstance(body, bytes) else body.encode("utf-8")
    h = [("Content-Type", ctype), ("Content-Length", str(len(data)))] + headers
    for c in req.cookies:
        if isinstance(c, str):       # a whole Set-Cookie value (lvremember)
            h.append(("Set-Cookie", c))
            continue
        h.append(cookie_header(c[1], req.environ, clear=True) if isinstance(c, tuple)
                 else cookie_header(c, req.environ))
    start_response("%d %s" % (status, text), h)
    who = req.session["account"] if req.session and req.session.get("account") else "-"
    log("%s %s %s %d %s" % (req.environ.get("REMOTE_ADDR", "-"), req.method, req.path[:200], status, who))
    return [data]


def reply_parts(result, dynamic):
    """A handler returns a page, (status, page), (status, (type, body)), or
    for a static file (status, (type, body), headers)."""
    headers = security_headers(dynamic)
    if isinstance(result, tuple) and len(result) == 3:
        status, (ctype, body), extra = result
        return status, ctype, body, headers + extra
    status, payload = result if isinstance(result, tuple) else (200, result)
    ctype, body = payload if isinstance(payload, tuple) else ("text/html; charset=utf-8", payload)
    return status, ctype, body, headers


def application(environ, start_response):
    req = Request(environ)
    try:
        prepare_data()
        sweep()
        handler, arg = route(req)
        dynamic = handler not in (get_static, get_app_file)
        if dynamic:
            req.session = load_session(environ)
        result = handler(req) if arg is None else handler(req, arg)
        return respond(req, start_response, *reply_parts(result, dynamic))
    except Redirect as r:
        return respond(req, start_response, 303, "text/plain; charset=utf-8", "see %s\n" % r.location,
                       security_headers(True) + [("Location", r.location)])
    except HTTPError as e:
        if req.api:
            ctype, body = "application/json", json.dumps({"error": e.message})
        else:
            ctype, body = "text/plain; charset=utf-8", e.message + "\n"
        return respond(req, start_response, e.status, ctype, body, security_headers(True) + e.headers)
    except Exception as e:  # a bug: say where to look, never the details
        log("internal error on %s: %s: %s" % (req.path[:200], e.__class__.__name__, e))
        return respond(req, start_response, 500, "text/plain; charset=utf-8", NOT_AVAILABLE + "\n",
                       security_headers(True))


# ---- commands ----

class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args):      # the application logs each request itself
        pass

    def log_message(self, fmt, *args):
        log(fmt % args)


def serve(args):
    host, _, port = args.listen.rpartition(":")
    Config.data = os.path.abspath(args.data)
    Config.lv_bin = os.path.abspath(args.lv_bin) if args.lv_bin else ""
    Config.secure_cookies = args.secure_cookies
    prepare_data()
    server = make_server(host.strip("[]"), int(port), application, server_class=ThreadingWSGIServer,
                         handler_class=QuietHandler)

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log("serving on http://%s:%s/" % (host, port))
    server.serve_forever()
    server.server_close()
    log("stopped")
    return 0


def adduser(args):
    if not ACCOUNT_RE.match(args.name) or args.name[0] in ".-@":
        sys.stderr.write("lvsite: bad user name: %s\n" % args.name)
        return 65
    line = sys.stdin.readline().rstrip("\n")
    if not line:
        sys.stderr.write("lvsite: no password on standard input\n")
        return 65
    Config.data = os.path.abspath(args.data)
    add_user(args.name, line)
    return 0


def main(argv):
    ap = argparse.ArgumentParser(prog="lvsite.py", description="lv's reference web login")
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the site with wsgiref, a thread per request")
    s.add_argument("--listen", required=True, metavar="HOST:PORT")
    s.add_argument("--data", required=True, metavar="DIR")
    s.add_argument("--lv-bin", metavar="DIR")
    s.add_argument("--secure-cookies", action="store_true")
    a = sub.add_parser("adduser", help="add or replace a user; the password is read from stdin")
    a.add_argument("--data", required=True, metavar="DIR")
    a.add_argument("name")
    args = ap.parse_args(argv)
    return serve(args) if args.command == "serve" else adduser(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
