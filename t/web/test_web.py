#!/usr/bin/python3
"""The help page in a real browser: the reference site (share/lv/web/site)
and the device app (share/lv/web/app) driven by two headless Chromium
sessions, a computer and a phone (and a phone of their own for the new
phone and the sign-out), as share/lv/web/INTERFACE.md describes them. Each test asserts what the person sees (text by element id) and what
lv recorded (lv-status, its --json and its audit log). t/web/run starts the
site and gives this program its environment:

  LV_WEB_URL      the site, http://127.0.0.1:PORT
  LV_WEB_KEY_URL  the site as http://localhost:PORT, for security keys
                  (WebAuthn wants a domain; lv.conf's webauthn_origins)
  LV_WEB_OTHER_URL the site as http://localhost:PORT2, an origin lv refuses
  LV_WEB_BIN      lv's programs (bin/ of the tree)
  LV_WEB_SCRATCH  the scratch directory: screens/ and the gateway's file
  LV_WEB_SMS      the file the SMS gateway appends "PHONE<TAB>MESSAGE" to
  LV_DIR, LV_CONF lv's state directory and configuration

Every user's password is "correct horse battery NAME". Each situation has
an account of its own, so that one never meets another's limits (three
pending login requests): alice enrols the phone and is used by the push
tests, the new phone and the signing; erin SMS, frank backup codes, carol
the lost phone, dave the sign-out, gina the third-party client, hank TOTP,
ivan and judy bad input, kate the pages; lena, mike, nina and olga
remembered browsers; leo a platform security key, mia a roaming one, pia
the refused origin. Tests 10, 11 and 14 need test 1,
test 13 test 12.
Prints TAP, then "N passed, N failed"; exits 1 when a test failed.
Arguments: the numbers of the tests to run (all when none)."""

import base64
import http.client
import json
import os
import pwd
import re
import signal
import subprocess
import sys
import time
import traceback
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.virtual_authenticator import Protocol, Transport, VirtualAuthenticatorOptions
from selenium.webdriver.support.ui import WebDriverWait

URL = os.environ["LV_WEB_URL"]
KEY_URL = os.environ["LV_WEB_KEY_URL"]      # http://localhost:PORT, webauthn_origins
OTHER_URL = os.environ["LV_WEB_OTHER_URL"]  # the same site on a port lv does not list
BIN = os.environ["LV_WEB_BIN"]
SCRATCH = os.environ["LV_WEB_SCRATCH"]
SMS_FILE = os.environ["LV_WEB_SMS"]
SCREENS = os.path.join(SCRATCH, "screens")
HOST, PORT = urllib.parse.urlsplit(URL).netloc.rsplit(":", 1)

PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36")
WAIT = 20  # seconds an element may take to show what it should

# The test vector of lv-requests(1), EXAMPLES.
VECTOR_REQUEST = ("lv1-request\talice\t0123456789ab\tAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\t"
                  "2026-01-01T00:00:00Z\t192.0.2.7\tFirefox on Linux\tBerlin")
VECTOR_ANSWER = ("lv1-answer\talice\t0123456789ab\tAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\t"
                 "approve\t42\tU6JTAlmjSPmPIH4qxMTeKOjfo7cCJwo+RMe2uijBZgjbWpbhVTLsn3kku1kpYcG8xp5YLAhlbIEZfl8boQHSAQ==")

# lv-verify's reasons (lv-verify(1)), which the site shows as pam_lv does,
# the commands they name told as the site's settings.
INACTIVE_BACKUP = ("this backup code is inactive: it was used, or a later code was used "
                   "(codes must be used in order); get a new one in Settings, Backup code")
THIRD_PARTY_ONLY = ("third-party clients accept only a temporary password (Settings, Temporary password); "
                    "codes are for the site's own login")
# The site's words (share/lv/web/site/lvsite.py), pam_lv's where it has them.
SMS_SENT = "A code was sent to your phone by text message."
PUSH_REFUSED = "Login refused: the request was denied or answered with the wrong number."
PHONE_DELETED_OFF = "Your phone was deleted: login verification is off."
STALE_FORM = "This form is stale or its CSRF token is missing: reload the page."
STALE_TOKEN = "missing or stale CSRF token"
BACKUP_CODE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")
TEMPPASS = re.compile(r"[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4}")


def password(name):
    return "correct horse battery " + name


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)


def equal(got, want, what):
    if got != want:
        raise Failed("%s: got %r, want %r" % (what, got, want))


# --- lv, through its programs --------------------------------------------

def lv(prog, *args, stdin=None):
    """(exit status, stdout, stderr) of bin/PROG ARGS with STDIN."""
    p = subprocess.run([os.path.join(BIN, prog), *args], input=stdin, capture_output=True, text=True,
                       timeout=30)
    return p.returncode, p.stdout, p.stderr


def lv_ok(prog, *args, stdin=None):
    rc, out, err = lv(prog, *args, stdin=stdin)
    if rc != 0:
        raise Failed("%s %s exited %d: %s" % (prog, " ".join(args), rc, err.strip()))
    return out


def status(account):
    """lv-status --json as a dict (an account not enrolled exits 66)."""
    rc, out, err = lv("lv-status", account, "--json")
    check(rc in (0, 66), "lv-status %s exited %d: %s" % (account, rc, err.strip()))
    return json.loads(out)


def audit(account):
    rc, out, err = lv("lv-status", account, "--json", "--log")
    check(rc in (0, 66), "lv-status %s --log exited %d: %s" % (account, rc, err.strip()))
    return json.loads(out)["log"]


def audit_events(lines):
    """The audit lines without their time: 'event=... method=... result=...'."""
    return [line.split(" ", 1)[1] for line in lines]


def log_is(account, want, **fields):
    """ACCOUNT's whole audit log, without the times, is WANT: lines with
    {by} (the login name lv sees) and FIELDS in braces."""
    equal(audit_events(audit(account)), [w.format(by=lv_by(), **fields) for w in want],
          "the audit log of " + account)


# How lv audits a login request the computer's page made.
REQUEST_NEW = 'event=request-new method=push result=ok by={by} request={rid} ip=127.0.0.1 ' \
              'client="Chrome on Linux" location=""'


def lv_by():
    """The by= of this user's audit lines: the login name lv sees."""
    return pwd.getpwuid(os.getuid()).pw_name


def requests(account):
    return json.loads(lv_ok("lv-requests", "list", account, "--json"))


def device_key(name):
    """A device key made with lv-device keygen: (key file, public key line)."""
    key = os.path.join(SCRATCH, name + ".key")
    pub = lv_ok("lv-device", "keygen", "--key", key)
    return key, pub


def enrol_cli(account, *args, stdin=None):
    """lv-enroll as the operator would: the first backup code it printed."""
    return lv_ok("lv-enroll", account, *args, stdin=stdin).splitlines()[0]


def sms_lines():
    try:
        with open(SMS_FILE) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


# --- browsers ------------------------------------------------------------

def browser(size, mobile=False):
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--window-size=%d,%d" % size, "--disable-gpu",
              "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1",
              # Nothing the tests do not ask for: no first-run work, no traffic of its own.
              "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
              "--disable-background-networking", "--disable-component-update"):
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if mobile:
        # A phone's viewport: headless Chromium keeps a window at least 500 px wide.
        o.add_argument("--user-agent=" + PHONE_UA)
        o.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": size[0], "height": size[1], "pixelRatio": 1.0}, "userAgent": PHONE_UA})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    d.set_page_load_timeout(WAIT)
    d.set_script_timeout(WAIT)
    return d


def refused_by_csp(d):
    """What the browser's console said it refused (Content-Security-Policy):
    the log is read, and so emptied, each time."""
    return [e["message"] for e in d.get_log("browser")
            if "Content Security Policy" in e["message"] or "Refused to" in e["message"]]


def quit_browser(d):
    """Quits a browser of one test, keeping what its console refused."""
    try:
        W.refused += refused_by_csp(d)
    finally:
        d.quit()


def computer():
    return browser((1280, 900))


def phone():
    return browser((412, 915), mobile=True)


def el(d, eid):
    return d.find_element(By.ID, eid)


def wait_for(d, what, cond, timeout=WAIT):
    try:
        return WebDriverWait(d, timeout, poll_frequency=0.1).until(lambda _: cond())
    except TimeoutException:
        raise Failed("waited %d s for %s; the page (%s) reads: %s" %
                     (timeout, what, d.current_url, page_text(d)))


def page_text(d):
    try:
        return " | ".join(d.find_element(By.TAG_NAME, "body").text.split("\n"))[:600]
    except Exception as e:  # the page may be gone
        return "(no page: %s)" % e


def text_of(d, eid):
    """The visible text of #EID, or None while it is missing or hidden."""
    try:
        found = d.find_elements(By.ID, eid)
        if not found or not found[0].is_displayed():
            return None
        return found[0].text.strip()
    except StaleElementReferenceException:  # the page changed under us: look again
        return None


def wait_text(d, eid, want, timeout=WAIT):
    """Waits until #EID shows exactly WANT (a string) or matches WANT (a
    compiled pattern); returns the text."""
    def ok():
        t = text_of(d, eid)
        if t is None:
            return False
        if isinstance(want, str):
            return t == want
        return want.fullmatch(t) is not None
    try:
        WebDriverWait(d, timeout, poll_frequency=0.1).until(lambda _: ok())
    except TimeoutException:
        raise Failed("#%s should read %r; it reads %r (page %s: %s)" %
                     (eid, want if isinstance(want, str) else want.pattern, text_of(d, eid),
                      d.current_url, page_text(d)))
    return text_of(d, eid)


def wait_shown(d, eid, timeout=WAIT):
    wait_for(d, "#%s to show" % eid, lambda: text_of(d, eid) is not None, timeout)
    return el(d, eid)


def click(d, eid):
    wait_shown(d, eid).click()


def submit(d, action):
    """Clicks the button of the form that posts to ACTION (a settings form)."""
    sel = 'form[action="%s"] button' % action
    wait_for(d, "a form posting to " + action, lambda: d.find_elements(By.CSS_SELECTOR, sel))
    d.find_element(By.CSS_SELECTOR, sel).click()


def print_view(d, name):
    """The page's text as printed (CSS media print), with a screenshot."""
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        screenshot(d, name)
        return d.find_element(By.TAG_NAME, "body").text.splitlines()
    finally:
        d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def path_of(d):
    return urllib.parse.urlsplit(d.current_url).path


def wait_path(d, path, timeout=WAIT):
    wait_for(d, "the page " + path, lambda: path_of(d) == path, timeout)


def screenshot(d, name):
    f = os.path.join(SCREENS, name + ".png")
    d.save_screenshot(f)
    return f


def login(d, account, then):
    """The password step; THEN is the page it must lead to (/verify or /home)."""
    d.delete_all_cookies()
    d.get(URL + "/login")
    u = wait_shown(d, "user")
    u.clear()
    u.send_keys(account)
    el(d, "password").send_keys(password(account))
    el(d, "login").click()
    wait_path(d, then)


def type_code(d, code):
    c = wait_shown(d, "code")
    c.clear()
    c.send_keys(code)
    el(d, "verify").click()


def logged_in(d, account):
    wait_path(d, "/home")
    wait_text(d, "welcome", "Logged in as " + account)


def logout(d):
    if path_of(d) != "/home":
        d.get(URL + "/home")
    click(d, "logout")
    wait_path(d, "/login")


def sms_heading(d):
    """The heading of the second step's SMS section."""
    return d.find_element(By.XPATH, "//button[@id='send-sms']/ancestor::section[1]/h2").text


def wait_push_number(d):
    return wait_text(d, "push-number", re.compile(r"[0-9]{2}"))


# --- the device app on a phone -------------------------------------------

def app_open(p, account):
    p.get(URL + "/app/")
    wait_text(p, "app-account", "Account: " + account)


def app_turn_on(p):
    """#turn-on: the device id and backup code the app shows."""
    click(p, "turn-on")
    dev = wait_text(p, "device-id", re.compile(r"[0-9a-f]{8}"))
    code = text_of(p, "backup-code")
    return dev, code


# The list as the phone shows it, read at once: the data-id of each item and
# the text of the one asked for; null while a refresh runs or it is missing.
LIST_JS = """
const [rid] = arguments;
const busy = document.getElementById('refresh').disabled;
const items = [...document.querySelectorAll('#requests li.request')];
const item = items.find(li => li.dataset.id === rid);
return busy || !item ? null : {ids: items.map(li => li.dataset.id), text: item.innerText};
"""


def app_request(p, account, rid, typed=False):
    """#refresh, then request RID in the list as lv-requests list shows it
    (newest first, its time, IP address, client, location and state); opens it.
    TYPED: a login the site did not make, whose number is typed."""
    wait_for(p, "#refresh to be ready", lambda: el(p, "refresh").is_displayed() and el(p, "refresh").is_enabled())
    el(p, "refresh").click()
    shown = wait_for(p, "request %s in the list" % rid, lambda: p.execute_script(LIST_JS, rid))
    lv_list = requests(account)
    equal(shown["ids"], [r["id"] for r in lv_list], "the app's list against lv-requests list, newest first")
    r = [r for r in lv_list if r["id"] == rid][0]
    for field in ("time", "ip", "client", "location", "status"):
        check((r[field] or "-") in shown["text"],
              "the list item of %s shows its %s %r: %r" % (rid, field, r[field], shown["text"]))

    def opened():
        try:
            p.find_element(By.CSS_SELECTOR, 'li.request[data-id="%s"]' % rid).click()
            return True
        except StaleElementReferenceException:  # the list was drawn again: click the new item
            return False
    wait_for(p, "a click on request " + rid, opened)
    wait_shown(p, "request")
    for field in ("time", "ip", "client", "location"):
        check((r[field] or "-") in el(p, "request").text, "#request shows the %s %r" % (field, r[field]))
    if typed:
        wait_shown(p, "typed-number")
        equal(app_choices(p), [], "choices offered for a login the site did not make")
        ask = "Type the number shown on the login screen"
    else:
        wait_for(p, "the request's three choices",
                 lambda: len([b for b in p.find_elements(By.CSS_SELECTOR, "#request button.choice")
                              if b.is_displayed()]) == 3)
        check(text_of(p, "typed") is None, "#typed hidden when there are choices")
        ask = "Pick the number shown on the login screen"
    check(ask in el(p, "request").text, "#request should say %r; it reads %r" % (ask, el(p, "request").text))


def app_choices(p):
    return [b.get_attribute("data-number") for b in p.find_elements(By.CSS_SELECTOR, "#request button.choice")]


def app_pick(p, number):
    p.find_element(By.CSS_SELECTOR, '#request button.choice[data-number="%s"]' % number).click()


# Runs in the phone's page: imports the app's module, finds this browser's
# private key in IndexedDB (lv-device / keys / device), and signs.
SIGN_JS = """
const [line, decision, number, done] = arguments;
(async () => {
  const m = await import('/app/lvsign.js');
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open('lv-device'); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error);
  });
  const rec = await new Promise((ok, no) => {
    const r = db.transaction('keys').objectStore('keys').get('device');
    r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error);
  });
  db.close();
  const key = Object.values(rec).find(v => v instanceof CryptoKey && v.type === 'private');
  done({line: await m.answerLine(line, decision, number, key), extractable: key.extractable});
})().catch(e => done({error: String(e)}));
"""

VECTOR_JS = """
const [line, done] = arguments;
(async () => {
  const m = await import('/app/lvsign.js');
  const der = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
                              0x04, 0x22, 0x04, 0x20, ...new Uint8Array(32)]);
  const key = await crypto.subtle.importKey('pkcs8', der, {name: 'Ed25519'}, false, ['sign']);
  done({selfTest: await m.selfTest(), line: await m.answerLine(line, 'approve', '42', key)});
})().catch(e => done({error: String(e)}));
"""


# --- HTTP without a browser ----------------------------------------------

class Client:
    """One person's cookies against the site, over http.client."""

    def __init__(self):
        self.cookies = {}

    def request(self, method, path, body=None, headers=None, auth=None):
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if auth:
            h["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode()
        if isinstance(body, str):
            body = body.encode()
        c = http.client.HTTPConnection(HOST, int(PORT), timeout=WAIT)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
        finally:
            c.close()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";", 1)[0]
                if value == "" or "max-age=0" in v.lower().replace(" ", ""):
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = value
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data.decode("utf-8", "replace")

    def form_csrf(self, path):
        st, _, page = self.request("GET", path)
        equal(st, 200, "GET " + path)
        m = re.search(r'name="csrf"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="csrf"', page)
        check(m, "GET %s: no csrf field in the form" % path)
        return m.group(1) or m.group(2)

    def post_form(self, path, fields):
        return self.request("POST", path, urllib.parse.urlencode(fields),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def login(self, account, code=None):
        """Password step, then CODE at /verify when given; a verified session."""
        tok = self.form_csrf("/login")
        st, h, _ = self.post_form("/login", {"user": account, "password": password(account), "csrf": tok})
        check(st in (302, 303), "POST /login as %s: status %d" % (account, st))
        if code is not None:
            check(h["location"].endswith("/verify"), "POST /login: sent to %s, not /verify" % h["location"])
            tok = self.form_csrf("/verify")
            st, h, _ = self.post_form("/verify", {"code": code, "csrf": tok})
            check(st in (302, 303) and h["location"].endswith("/home"),
                  "POST /verify: status %d to %s" % (st, h.get("location")))
        st, _, page = self.request("GET", "/app/api/session")
        equal(st, 200, "GET /app/api/session")
        return json.loads(page)["csrf"]

    def api(self, path, obj=None, csrf=None, ctype="application/json", raw=None):
        h = {"Content-Type": ctype} if ctype else {}
        if csrf is not None:
            h["X-CSRF-Token"] = csrf
        body = raw if raw is not None else json.dumps(obj)
        st, _, page = self.request("POST", path, body, h)
        return st, page


def error_of(path, page):
    """The one-line error of a refusal: JSON from the app's endpoints, a
    line of text from the others."""
    if path.startswith("/app/api/"):
        return json_error(page)
    check(page.endswith("\n") and "\n" not in page[:-1], "POST %s: not one line: %r" % (path, page[:200]))
    return page[:-1]


def json_error(page):
    try:
        return json.loads(page)["error"]
    except (ValueError, KeyError, TypeError):
        raise Failed("not a JSON error: %r" % page[:200])


# --- the tests -----------------------------------------------------------

class World:
    """What the tests share: the two browsers and what earlier tests made."""
    comp = None
    phone = None
    refused = []  # console lines of refusals by the Content-Security-Policy
    alice_device = None
    alice_backup = None


W = World()


def t01_enrol_with_the_app():
    """enrolment with the device app on the phone: device id and first backup code shown"""
    p = W.phone
    login(p, "alice", "/home")  # not enrolled: the password is all
    logged_in(p, "alice")
    app_open(p, "alice")
    screenshot(p, "01-app-before-turn-on")
    check(el(p, "turn-on").text.strip() == "Turn on login verification with this phone",
          "#turn-on reads %r" % el(p, "turn-on").text)
    dev, code = app_turn_on(p)
    screenshot(p, "01-app-enrolled")
    s = status("alice")
    equal(s["enrolled"], True, "lv-status alice: enrolled")
    equal([d["id"] for d in s["device"]], [dev], "lv-status alice: the devices")
    equal(s["device"][0]["enrolling"], True, "the phone is the enrolling device")
    check(code is not None and BACKUP_CODE.match(code), "#backup-code reads %r" % code)
    equal(s["backup-codes"], 1, "lv-status alice: backup codes")
    log_is("alice", ["event=enrol method=push result=ok by={by} device={dev}"], dev=dev)
    wait_shown(p, "print")
    equal(print_view(p, "01-app-print-view"), ["Login verification backup code for alice", code],
          "the print view of the first backup code")
    W.alice_device, W.alice_backup = dev, code


def push_audit(rid, answer, verify, device=None):
    """The audit lines of a push login from the computer: the request, the
    phone's answer (RESULT and what follows), the login's check."""
    by = lv_by()
    answer, _, extra = answer.partition(" ")
    return [REQUEST_NEW.format(by=by, rid=rid),
            "event=request-answer method=push result=%s by=%s request=%s device=%s%s" %
            (answer, by, rid, device or W.alice_device, " " + extra if extra else ""),
            "event=verify method=push result=%s by=%s request=%s" % (verify, by, rid)]


def push_login(account, p, pick, screens=None):
    """The computer logs in as ACCOUNT; the phone P opens the request and
    PICK(number, choices) answers it. Returns (number, request id)."""
    c = W.comp
    earlier = {r["id"] for r in requests(account)}
    login(c, account, "/verify")
    number = wait_push_number(c)
    new = [r["id"] for r in requests(account) if r["id"] not in earlier]
    equal(len(new), 1, "requests the computer's login made")
    rid = new[0]
    equal([r["status"] for r in requests(account) if r["id"] == rid], ["pending"], "the request's status")
    if screens:
        screenshot(c, screens + "-computer-number")
    app_open(p, account)
    app_request(p, account, rid)
    choices = app_choices(p)
    equal(len(set(choices)), 3, "three different choices: %r" % choices)
    check(number in choices, "the computer's number %s is among the phone's choices %s" % (number, choices))
    if screens:
        screenshot(p, screens + "-phone-choices")
    pick(number, choices)
    return number, rid


def t02_push_approved():
    """push approved with the right number: the computer goes on to /home by itself"""
    before = len(audit("alice"))
    _, rid = push_login("alice", W.phone, lambda n, _: app_pick(W.phone, n), "02")
    wait_text(W.phone, "app-message", "Approved")
    screenshot(W.phone, "02-phone-approved")
    logged_in(W.comp, "alice")
    screenshot(W.comp, "02-computer-logged-in")
    equal(audit_events(audit("alice")[before:]), push_audit(rid, "approved", "accept"),
          "the audit log of the approved login")
    equal([r["status"] for r in requests("alice") if r["id"] == rid], ["redeemed"], "request status")
    equal(status("alice")["failures"], 0, "failures")
    logout(W.comp)


def t03_wrong_number_and_denial():
    """a wrong number (a denial, counted as a failure) and a plain denial: login refused"""
    def wrong(n, choices):
        app_pick(W.phone, [x for x in choices if x != n][0])
    before = len(audit("alice"))
    _, rid = push_login("alice", W.phone, wrong)
    wait_text(W.phone, "app-message", "Denied: the number you picked is not the one on the login screen")
    screenshot(W.phone, "03-phone-wrong-number")
    wait_text(W.comp, "push-state", PUSH_REFUSED)
    screenshot(W.comp, "03-computer-wrong-number")
    equal(path_of(W.comp), "/verify", "the computer stays at the second step")
    equal(audit_events(audit("alice")[before:]), push_audit(rid, "wrong-number possible-attack=yes", "reject"),
          "the audit log of the wrong number")
    equal([r["status"] for r in requests("alice") if r["id"] == rid], ["denied"], "request status")
    equal(status("alice")["failures"], 1, "failures after a wrong number")

    before = len(audit("alice"))
    _, rid = push_login("alice", W.phone, lambda n, c: click(W.phone, "deny"))
    wait_text(W.phone, "app-message", "Denied")
    screenshot(W.phone, "03-phone-denied")
    wait_text(W.comp, "push-state", PUSH_REFUSED)
    screenshot(W.comp, "03-computer-denied")
    equal(path_of(W.comp), "/verify", "the computer stays at the second step")
    equal(audit_events(audit("alice")[before:]), push_audit(rid, "denied", "reject"),
          "the audit log of the denial")
    equal([r["status"] for r in requests("alice") if r["id"] == rid], ["denied"], "request status")
    equal(status("alice")["failures"], 1, "failures after a denial (not one more)")


def t03b_login_made_elsewhere():
    """a login the site did not make (ssh through pam_lv): the phone types its number; a wrong one is a denial"""
    p = W.phone
    for number_typed, result in ((None, "approved"), ("wrong", "wrong-number possible-attack=yes")):
        before = len(audit("alice"))
        rid, number, token = lv_ok("lv-requests", "new", "alice", "--ip", "192.0.2.9",
                                   "--client", "OpenSSH").strip().split("\t")
        app_open(p, "alice")
        app_request(p, "alice", rid, typed=True)
        typed = number if number_typed is None else "%02d" % (10 + (int(number) - 9) % 90)
        el(p, "typed-number").send_keys(typed)
        screenshot(p, "03b-phone-typed-" + ("right" if number_typed is None else "wrong"))
        click(p, "approve-typed")
        wait_text(p, "app-message", "Approved" if number_typed is None else
                  "Denied: the number you picked is not the one on the login screen")
        rc, _, err = lv("lv-verify", "alice", "--request", rid, stdin=token + "\n")
        equal(rc, 0 if number_typed is None else 1, "lv-verify --request of the ssh login: %s" % err.strip())
        verify = "accept" if number_typed is None else "reject"
        equal(audit_events(audit("alice")[before:]),
              ['event=request-new method=push result=ok by={by} request={rid} ip=192.0.2.9 client="OpenSSH" '
               'location=""'.format(by=lv_by(), rid=rid),
               "event=request-answer method=push result=%s by=%s request=%s device=%s" %
               (result.split(" ")[0], lv_by(), rid, W.alice_device) +
               ("" if " " not in result else " " + result.split(" ", 1)[1]),
               "event=verify method=push result=%s by=%s request=%s" % (verify, lv_by(), rid)],
              "the audit log of the ssh login approved on the phone")


def t04_sms_instead_of_push():
    """"I didn't receive the push": an SMS code requested from the second step logs in; a resend at once is refused"""
    key, pub = device_key("erin-phone")
    enrol_cli("erin", "--device-key", "-", "--phone", "+15550100004", stdin=pub)
    c = W.comp
    login(c, "erin", "/verify")
    wait_push_number(c)
    equal(sms_heading(c), "Didn't receive the push?", "the SMS section's heading beside a push")
    sent = len(sms_lines())
    click(c, "send-sms")
    wait_for(c, "the gateway's message", lambda: len(sms_lines()) > sent)
    line = sms_lines()[-1]
    phone_no, _, message = line.partition("\t")
    equal(phone_no, "+15550100004", "the gateway's phone number")
    code = re.fullmatch(r"lv web test login code: ([0-9]{6})\. It expires in 10 minutes\.", message)
    check(code, "the gateway's message: %r" % message)
    wait_text(c, "message", SMS_SENT)
    screenshot(c, "04-sms-sent")
    s = status("erin")
    equal(s["sms-pending"], True, "lv-status erin: sms-pending")
    # "Wait two minutes": a second code at once is refused, the first still works.
    click(c, "send-sms")
    wait_text(c, "message", re.compile(r"resend too soon: the last code was sent [0-9]+ s ago and may still "
                                       r"arrive; wait [0-9]+ s before asking for another"))
    screenshot(c, "04-sms-resend-too-soon")
    equal(len(sms_lines()), sent + 1, "messages the gateway got")
    equal(status("erin"), s, "lv-status erin after the refused resend")
    type_code(c, code.group(1))
    logged_in(c, "erin")
    screenshot(c, "04-sms-logged-in")
    log_is("erin", ["event=enrol method=sms,push result=ok by={by} phone=+1******0004 device={dev}", REQUEST_NEW,
                    "event=sms-send method=sms result=ok by={by} to=+1******0004 seq=1",
                    "event=sms-send method=sms result=refused by={by} to=+1******0004 reason=resend-wait",
                    "event=verify method=sms result=accept by={by} to=+1******0004"],
           dev=status("erin")["device"][0]["id"], rid=requests("erin")[0]["id"])
    equal(status("erin")["sms-pending"], False, "lv-status erin: sms-pending after the login")
    logout(c)


def t05_backup_codes_in_order():
    """backup code used; an earlier code, invalidated, refused with the help page's words"""
    first = enrol_cli("frank", "--phone", "+15550100005")
    c = W.comp
    login(c, "frank", "/verify")
    equal(sms_heading(c), "A code by SMS", "the SMS section's heading without a push")
    equal([li.get_attribute("data-method") for li in c.find_elements(By.CSS_SELECTOR, "#methods li")],
          ["sms", "backup"], "the methods the second step offers frank")
    type_code(c, first)
    logged_in(c, "frank")
    codes = []
    for _ in range(2):
        c.get(URL + "/settings")
        submit(c, "/settings/backup")
        codes.append(wait_text(c, "backup-code", BACKUP_CODE))
        wait_shown(c, "print")
    screenshot(c, "05-new-backup-code")
    equal(print_view(c, "05-print-view"),
          ["Your backup code", codes[1], "Keep it somewhere safe. It logs you in once when you do not have your "
           "phone. Codes must be used in order: using a newer code makes the older ones inactive."],
          "the print view of the new backup code")
    equal(status("frank")["backup-codes"], 2, "lv-status frank: backup codes")
    logout(c)
    login(c, "frank", "/verify")
    type_code(c, codes[1])  # code 3, out of order: code 2 becomes inactive
    logged_in(c, "frank")
    equal(status("frank")["backup-codes"], 0, "lv-status frank: backup codes after code 3")
    logout(c)
    login(c, "frank", "/verify")
    type_code(c, codes[0])
    wait_text(c, "message", "rejected: " + INACTIVE_BACKUP)
    screenshot(c, "05-backup-code-inactive")
    equal(path_of(c), "/verify", "the refused code leaves the computer at the second step")
    log_is("frank", ["event=enrol method=sms result=ok by={by} phone=+1******0005",
                     "event=verify method=backup result=accept by={by} seq=1",
                     'event=backup-new method=backup result=ok by={by} reason="web settings"',
                     'event=backup-new method=backup result=ok by={by} reason="web settings"',
                     "event=verify method=backup result=accept by={by} seq=3",
                     "event=verify method=backup result=reject by={by}"])


def t06_lost_phone():
    """"I lost my phone": backup code, then delete the phone in settings: verification off"""
    key, pub = device_key("carol-lost-phone")
    first = enrol_cli("carol", "--device-key", "-", stdin=pub)
    dev = status("carol")["device"][0]["id"]
    c = W.comp
    login(c, "carol", "/verify")
    wait_push_number(c)
    type_code(c, first)
    logged_in(c, "carol")
    rid = requests("carol")[0]["id"]
    c.get(URL + "/settings")
    screenshot(c, "06-settings")
    click(c, "delete-phone")
    wait_text(c, "message", PHONE_DELETED_OFF)
    screenshot(c, "06-phone-deleted")
    rc, out, _ = lv("lv-status", "carol")
    equal(rc, 66, "lv-status carol exit status")
    lines = out.splitlines()
    equal(lines[0], "enrolled\tno", "lv-status carol")
    equal(lines[1].split("\t")[3:], ["last method removed: deleted in web settings"],
          "the disabled line's reason")
    log_is("carol", ["event=enrol method=push result=ok by={by} device={dev}", REQUEST_NEW,
                     "event=verify method=backup result=accept by={by} seq=1",
                     'event=unenrol method=push result=ok by={by} reason="deleted in web settings"'],
           dev=dev, rid=rid)
    logout(c)
    login(c, "carol", "/home")  # password only now
    logged_in(c, "carol")
    logout(c)


def t07_signout_on_enrolling_device():
    """"I can't log in on my phone": sign out on the enrolling device, then password only"""
    p = phone()
    try:
        login(p, "dave", "/home")
        app_open(p, "dave")
        dev, _ = app_turn_on(p)
        equal([d["id"] for d in status("dave")["device"]], [dev], "lv-status dave: devices")
        screenshot(p, "07-before-signout")
        check(el(p, "signout").text.strip() == "Sign out of this device", "#signout reads %r" % el(p, "signout").text)
        click(p, "signout")
        wait_text(p, "app-message", "Signed out: login verification is off")
        screenshot(p, "07-signed-out")
    finally:
        quit_browser(p)
    rc, out, _ = lv("lv-status", "dave")
    equal(rc, 66, "lv-status dave exit status")
    lines = out.splitlines()
    equal(lines[0], "enrolled\tno", "lv-status dave")
    equal(lines[1].split("\t")[2:], ["device " + dev, "signed out of the enrolling device"], "the disabled line")
    log_is("dave", ["event=enrol method=push result=ok by={by} device={dev}",
                    "event=unenrol method=signed-out result=ok by={by}"], dev=dev)
    c = W.comp
    login(c, "dave", "/home")
    logged_in(c, "dave")
    screenshot(c, "07-password-only")
    logout(c)


def t08_third_party_client():
    """third-party client: a backup code refused (401), a temporary password once"""
    first = enrol_cli("gina", "--phone", "+15550100008")
    c = W.comp
    login(c, "gina", "/verify")
    type_code(c, first)
    logged_in(c, "gina")
    c.get(URL + "/settings")
    submit(c, "/settings/backup")
    code = wait_text(c, "backup-code", BACKUP_CODE)
    c.get(URL + "/settings")
    lab = wait_shown(c, "temppass-label")
    lab.clear()
    lab.send_keys("mail")
    submit(c, "/settings/temppass")
    temp = wait_text(c, "temppass", TEMPPASS)
    screenshot(c, "08-temporary-password")
    s = status("gina")
    equal([t["label"] for t in s["temppass"]], ["mail"], "lv-status gina: temporary passwords")
    logout(c)

    api = Client()
    st, h, body = api.request("GET", "/api/mail", auth=("gina", code))
    equal(st, 401, "GET /api/mail with a backup code")
    equal(h.get("www-authenticate"), 'Basic realm="lv"', "WWW-Authenticate")
    equal(body, "rejected: %s\n" % THIRD_PARTY_ONLY, "the refusal")
    st, h, body = api.request("GET", "/api/mail", auth=("gina", temp))
    equal((st, body), (200, "ok gina\n"), "GET /api/mail with the temporary password")
    equal(h.get("content-type", "").split(";")[0], "text/plain", "Content-Type")
    st, _, body = api.request("GET", "/api/mail", auth=("gina", temp))
    equal((st, body), (401, "rejected: wrong temporary password, or one used or replaced already\n"),
          "GET /api/mail with the temporary password a second time")
    st, _, body = api.request("GET", "/api/mail")
    equal((st, body), (401, "authentication required\n"), "GET /api/mail without credentials")
    s = status("gina")
    equal(s["backup-codes"], 1, "the backup code stays active")
    equal(s["temppass"], [], "the temporary password is spent")
    equal(s["third-party-failures"], 2, "third-party failures")
    equal(s["failures"], 0, "first-party failures")
    log_is("gina", ["event=enrol method=sms result=ok by={by} phone=+1******0008",
                    "event=verify method=backup result=accept by={by} seq=1",
                    'event=backup-new method=backup result=ok by={by} reason="web settings"',
                    'event=temppass method=temp result=ok by={by} label="mail" ttl=3600 reason="web settings"',
                    "event=verify method=third-party result=reject by={by}",
                    'event=verify method=temp result=accept by={by} label="mail"',
                    "event=verify method=temp result=reject by={by}"])


def t09_totp_enrolment():
    """TOTP enrolment: the QR code on the screen decodes to a secret whose codes log in"""
    c = W.comp
    login(c, "hank", "/home")
    c.get(URL + "/settings")
    submit(c, "/settings/totp")
    qr = wait_shown(c, "totp-qr")
    wait_for(c, "the QR image to load",
             lambda: c.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", qr))
    shown_secret = wait_text(c, "totp-secret", re.compile(r"[A-Z2-7 ]{16,}"))
    shot = screenshot(c, "09-totp-qr")
    qr_png = os.path.join(SCREENS, "09-totp-qr-element.png")
    qr.screenshot(qr_png)
    uris = []
    for f in (shot, qr_png):
        p = subprocess.run(["zbarimg", "--raw", "-q", f], capture_output=True, text=True, timeout=30)
        uris.append((p.returncode, p.stdout.strip()))
    equal(uris[0], uris[1], "zbarimg on the page and on #totp-qr")
    rc, uri = uris[0]
    equal(rc, 0, "zbarimg's exit status")
    m = re.fullmatch(r"otpauth://totp/lv:hank\?secret=([A-Z2-7]{32})&issuer=lv", uri)
    check(m, "the QR code holds %r" % uri)
    secret = m.group(1)
    equal(secret, shown_secret.replace(" ", "").upper(), "#totp-secret against the QR code's secret")
    equal(status("hank")["totp"], True, "lv-status hank: totp")
    logout(c)
    login(c, "hank", "/verify")
    code = subprocess.run(["oathtool", "--totp", "-b", secret], capture_output=True, text=True,
                          check=True).stdout.strip()
    type_code(c, code)
    logged_in(c, "hank")
    log_is("hank", ["event=enrol method=totp result=ok by={by}", "event=verify method=totp result=accept by={by}"])
    logout(c)


def t10_new_phone():
    """a new phone: password and backup code, turn on: two devices; a push approved on it"""
    check(W.alice_backup, "test 1 left no backup code")
    p2 = phone()
    try:
        before = len(audit("alice"))
        login(p2, "alice", "/verify")
        wait_push_number(p2)  # a push to the old phone, which is not at hand
        type_code(p2, W.alice_backup)  # the first backup code, shown at enrolment
        logged_in(p2, "alice")
        app_open(p2, "alice")
        dev2, code = app_turn_on(p2)
        screenshot(p2, "10-new-phone-on")
        equal(code, None, "#backup-code on an account that has codes")
        devs = [d["id"] for d in status("alice")["device"]]
        equal(devs, [W.alice_device, dev2], "lv-status alice: the two devices")
        by = lv_by()
        equal(audit_events(audit("alice")[before:]),
              [REQUEST_NEW.format(by=by, rid=requests("alice")[0]["id"]).replace("Linux", "Android"),
               "event=verify method=backup result=accept by=%s seq=1" % by,
               "event=update method=push result=ok by=%s device=%s" % (by, dev2)],
              "the audit log of the new phone's login and enrolment")
        before = len(audit("alice"))
        _, rid = push_login("alice", p2, lambda n, _: app_pick(p2, n), "10")
        wait_text(p2, "app-message", "Approved")
        logged_in(W.comp, "alice")
        equal(audit_events(audit("alice")[before:]), push_audit(rid, "approved", "accept", dev2),
              "the audit log of the login approved on the new phone")
        logout(W.comp)
    finally:
        quit_browser(p2)


def t11_signing_in_the_browser():
    """lvsign.js: selfTest() and the test vector in Chromium; a real answer accepted by lv"""
    p = W.phone
    app_open(p, "alice")
    r = p.execute_async_script(VECTOR_JS, VECTOR_REQUEST)
    check("error" not in r, "lvsign.js in Chromium: %s" % r.get("error"))
    equal(r["selfTest"], True, "selfTest()")
    equal(r["line"], VECTOR_ANSWER, "answerLine() on the test vector")
    before = len(audit("alice"))
    rid, number, token = lv_ok("lv-requests", "new", "alice", "--ip", "192.0.2.11").split()
    line = lv_ok("lv-requests", "show", "alice", rid)
    r = p.execute_async_script(SIGN_JS, line, "approve", number)
    check("error" not in r, "signing in Chromium: %s" % r.get("error"))
    equal(r["extractable"], False, "the key's extractable flag")
    rc, _, err = lv("lv-requests", "answer", "alice", stdin=r["line"] + "\n")
    equal((rc, err), (0, ""), "lv-requests answer of the browser's line")
    rc, _, err = lv("lv-verify", "alice", "--request", rid, stdin=token + "\n")
    equal(rc, 0, "lv-verify --request of the approved request (%s)" % err.strip())
    by = lv_by()
    equal(audit_events(audit("alice")[before:]),
          ['event=request-new method=push result=ok by=%s request=%s ip=192.0.2.11 client="" location=""' % (by, rid),
           "event=request-answer method=push result=approved by=%s request=%s device=%s" % (by, rid, W.alice_device),
           "event=verify method=push result=accept by=%s request=%s" % (by, rid)],
          "the audit log of the request answered with the browser's line")


def t12_bad_input():
    """bad input at every endpoint: exact statuses and messages, lv's records unchanged"""
    ikey, ipub = device_key("ivan-phone")
    ifirst = enrol_cli("ivan", "--device-key", "-", stdin=ipub)
    jkey, jpub = device_key("judy-phone")
    enrol_cli("judy", "--device-key", "-", stdin=jpub)
    ivan = Client()
    csrf = ivan.login("ivan", ifirst)
    rid, number, _ = lv_ok("lv-requests", "new", "ivan").split()
    answer = lv_ok("lv-device", "sign", "--key", ikey, "approve", number,
                   stdin=lv_ok("lv-requests", "show", "ivan", rid)).strip()
    jrid, jnumber, _ = lv_ok("lv-requests", "new", "judy").split()
    janswer = lv_ok("lv-device", "sign", "--key", jkey, "approve", jnumber,
                    stdin=lv_ok("lv-requests", "show", "judy", jrid)).strip()
    signout = lv_ok("lv-device", "signout", "--key", ikey, "ivan").strip()
    # A token of an ended session: log in beside ivan's session, log out.
    old = Client()
    stale = old.login("ivan", lv_ok("lv-backup", "new", "ivan").strip())
    st, _, _ = old.post_form("/logout", {"csrf": old.form_csrf("/home")})
    equal(st, 303, "POST /logout")

    records = {a: (status(a), audit(a)) for a in ("ivan", "judy")}

    def unchanged(what):
        for a, (s, log) in records.items():
            equal(status(a), s, "lv-status %s after %s" % (a, what))
            equal(audit(a), log, "the audit log of %s after %s" % (a, what))

    json_posts = {
        "/app/api/enroll": {"public_key": ipub.strip()},
        "/app/api/answer": {"line": answer},
        "/app/api/signout": {"line": signout},
        "/verify/push": {},
    }
    for path, obj in json_posts.items():
        cases = [
            ("a body above 16 KiB", dict(csrf=csrf, raw=json.dumps({"line": "x" * 17000})),
             413, "the body is larger than 16 KiB"),
            ("a form body", dict(csrf=csrf, ctype="application/x-www-form-urlencoded",
                                 raw=urllib.parse.urlencode(obj) or "a=b"),
             415, "the body must be application/json"),
            ("text/plain", dict(csrf=csrf, ctype="text/plain", raw=json.dumps(obj)),
             415, "the body must be application/json"),
            ("no Content-Type", dict(csrf=csrf, ctype=None, raw=json.dumps(obj)),
             415, "the body must be application/json"),
            ("no CSRF token", dict(obj=obj), 403, STALE_TOKEN),
            ("a wrong CSRF token", dict(obj=obj, csrf="0" * len(csrf)), 403, STALE_TOKEN),
            ("an ended session's token", dict(obj=obj, csrf=stale), 403, STALE_TOKEN),
            ("malformed JSON", dict(csrf=csrf, raw='{"line": '), 400, "the body is not JSON"),
            ("JSON that is not an object", dict(csrf=csrf, raw='["line"]'), 400,
             "the body must be a JSON object"),
            ("bytes that are not UTF-8", dict(csrf=csrf, raw=b'{"line": "\xff"}'), 400, "the body is not UTF-8"),
        ]
        for what, kw, want, message in cases:
            st, page = ivan.api(path, **kw)
            equal((st, error_of(path, page)), (want, message), "POST %s with %s" % (path, what))
        unchanged("bad requests to " + path)
    st, page = ivan.api("/app/api/enroll", {"public_key": "not a key"}, csrf=csrf)
    equal((st, json_error(page)),
          (400, "public_key must be an Ed25519 public key in padded base64 (44 characters)"),
          "POST /app/api/enroll of a bad key")
    for path, tag in (("/app/api/answer", "lv1-answer"), ("/app/api/signout", "lv1-signout")):
        for line in ("", "lv1-request\tivan", answer + "\n" + answer, 2000 * "x"):
            st, page = ivan.api(path, {"line": line}, csrf=csrf)
            equal((st, json_error(page)), (400, "line must be one %s line" % tag), "POST %s of %r" % (path, line[:30]))
    unchanged("bad lines")

    # No session: GETs say so; POSTs have no token to match.
    anon = Client()
    for path in ("/app/api/session", "/app/api/requests", "/app/api/requests/" + rid):
        st, _, page = anon.request("GET", path)
        equal((st, json_error(page)), (401, "not logged in"), "GET %s without a session" % path)
    for path, obj in json_posts.items():
        st, page = anon.api(path, obj, csrf=csrf)
        equal((st, error_of(path, page)), (403, STALE_TOKEN), "POST %s without a session" % path)
    st, _, page = ivan.request("GET", "/app/api/requests/000000000000")
    equal((st, json_error(page)), (404, "no such request"), "GET /app/api/requests/ID of an unknown request")
    st, _, page = ivan.request("GET", "/app/api/requests/" + jrid)
    equal((st, json_error(page)), (404, "no such request"), "GET another account's request")
    unchanged("requests without a session")

    # Forms: no token, a wrong one, an ended session's; and a body too big.
    for path, fields in (("/login", {"user": "ivan", "password": password("ivan")}), ("/verify", {"code": ifirst}),
                         ("/verify/sms", {}), ("/settings/backup", {}), ("/settings/temppass", {"label": "x"}),
                         ("/settings/totp", {}), ("/settings/phone/delete", {}), ("/logout", {})):
        for what, tok in (("no token", None), ("a wrong token", "0" * len(csrf)), ("an ended session's token", stale)):
            f = dict(fields)
            if tok is not None:
                f["csrf"] = tok
            st, _, page = ivan.post_form(path, f)
            equal((st, page), (403, STALE_FORM + "\n"), "POST %s with %s" % (path, what))
        st, _, page = ivan.post_form(path, dict(fields, csrf=csrf, pad="x" * 17000))
        equal((st, page), (413, "the body is larger than 16 KiB\n"), "POST %s with a body above 16 KiB" % path)
        st, _, page = ivan.request("POST", path, json.dumps(dict(fields, csrf=csrf)),
                                   {"Content-Type": "application/json"})
        equal((st, page), (415, "the body must be application/x-www-form-urlencoded\n"), "POST %s of JSON" % path)
    unchanged("forms without a good token")

    # The password alone (the second step not done) reaches nothing that
    # changes lv: no new device, no settings, no answer.
    half = Client()
    tok = half.form_csrf("/login")
    st, h, _ = half.post_form("/login", {"user": "ivan", "password": password("ivan"), "csrf": tok})
    equal((st, h.get("location")), (303, "/verify"), "POST /login of ivan's password")
    st, _, page = half.request("GET", "/app/api/session")
    hcsrf = json.loads(page)["csrf"]
    equal(json.loads(page), {"account": "ivan", "csrf": hcsrf, "verified": False, "enrolled": False, "devices": []},
          "GET /app/api/session before the second step")
    _, other_pub = device_key("ivan-attacker")
    for path, obj in (("/app/api/enroll", {"public_key": other_pub.strip()}), ("/app/api/answer", {"line": answer}),
                      ("/app/api/signout", {"line": signout})):
        st, page = half.api(path, obj, csrf=hcsrf)
        equal((st, json_error(page)), (401, "not logged in"), "POST %s before the second step" % path)
    for path in ("/app/api/requests", "/app/api/requests/" + rid):
        st, _, page = half.request("GET", path)
        equal((st, json_error(page)), (401, "not logged in"), "GET %s before the second step" % path)
    for path in ("/home", "/settings"):
        st, h, _ = half.request("GET", path)
        equal((st, h.get("location")), (303, "/login"), "GET %s before the second step" % path)
    for path, fields in (("/settings/phone/delete", {}), ("/settings/backup", {}), ("/settings/totp", {}),
                         ("/settings/temppass", {"label": "x"})):
        st, h, _ = half.post_form(path, dict(fields, csrf=hcsrf))
        equal((st, h.get("location")), (303, "/login"), "POST %s before the second step" % path)
    unchanged("the password alone")

    # A well-formed answer to another account's request, in ivan's session.
    st, page = ivan.api("/app/api/answer", {"line": janswer}, csrf=csrf)
    equal((st, json_error(page)), (409, "the answer is for another account"),
          "POST /app/api/answer of judy's request in ivan's session")
    unchanged("another account's answer")

    # The right answer once, then the same bytes again.
    st, page = ivan.api("/app/api/answer", {"line": answer}, csrf=csrf)
    equal((st, json.loads(page)), (200, {"recorded": True}), "POST /app/api/answer")
    s, log = status("ivan"), audit("ivan")
    st, page = ivan.api("/app/api/answer", {"line": answer}, csrf=csrf)
    equal((st, json_error(page)), (409, "rejected: the request was answered already"),
          "POST /app/api/answer replayed")
    equal(status("ivan"), s, "lv-status ivan after the replay")
    dev = s["device"][0]["id"]
    equal(audit_events(audit("ivan")[len(log):]),
          ['event=request-answer method=push result=reject by=%s request=%s device=%s '
           'why="the request was answered already"' % (lv_by(), rid, dev)],
          "the audit line of the replay (lv audits a refused answer, and changes nothing else)")
    equal(status("judy"), records["judy"][0], "lv-status judy at the end")
    equal(audit("judy"), records["judy"][1], "judy's audit log at the end")


def _with_cookies(cookies):
    c = Client()
    c.cookies = dict(cookies)
    return c


# Every resource a page loaded, from the Performance API.
RESOURCES_JS = """
return [location.href, ...performance.getEntriesByType('resource').map(e => e.name)];
"""


def page_rules(path, headers, html):
    """A page's Content-Security-Policy and markup: scripts from the site
    only, none inline, nothing from another origin."""
    csp = headers.get("content-security-policy", "")
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    equal(directives.get("script-src"), "'self'", "GET %s: the policy's script-src" % path)
    equal(directives.get("default-src"), "'none'", "GET %s: the policy's default-src" % path)
    check("unsafe-inline" not in csp and "unsafe-eval" not in csp, "GET %s: the policy %r" % (path, csp))
    equal(headers.get("x-content-type-options"), "nosniff", "GET %s: X-Content-Type-Options" % path)
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S | re.I)
    for attrs, body in scripts:
        src = re.search(r'\bsrc="([^"]+)"', attrs)
        check(src and "//" not in src.group(1), "GET %s: a script not from the site: %r" % (path, attrs))
        equal(body.strip(), "", "GET %s: inline script" % path)
    check(not re.search(r"\son[a-z]+\s*=", html, re.I), "GET %s: an inline event handler" % path)
    check(not re.search(r"javascript:", html, re.I), "GET %s: a javascript: URL" % path)
    check(not re.search(r'(?:src|href|action)="(?:https?:)?//', html, re.I),
          "GET %s: a resource of another origin" % path)


def t13_pages_and_cookies():
    """every page: a Content-Security-Policy without inline script, nothing from another origin; sessions: HttpOnly SameSite=Strict cookies, a new id at login, none after logout; a push poll does not wait"""
    anon = Client()
    st, h, html = anon.request("GET", "/login")
    equal(st, 200, "GET /login")
    cookie = h.get("set-cookie", "")
    equal([a.strip() for a in cookie.split(";")[1:]], ["HttpOnly", "SameSite=Strict", "Path=/"],
          "the session cookie's attributes over plain HTTP")
    page_rules("/login", h, html)
    kate = Client()
    kate.request("GET", "/login")
    anonymous = dict(kate.cookies)
    kate.login("kate")
    check(anonymous and kate.cookies and kate.cookies != anonymous, "a new session id at login: %r" % kate.cookies)
    st, h, _ = _with_cookies(anonymous).request("GET", "/home")
    equal((st, h.get("location")), (303, "/login"), "GET /home with the login form's session")
    ivan = Client()
    tok = ivan.form_csrf("/login")
    ivan.post_form("/login", {"user": "ivan", "password": password("ivan"), "csrf": tok})
    # The push's wait holds no server thread: each poll is one check.
    earlier = {r["id"] for r in requests("ivan")}
    st, _, page = ivan.request("GET", "/verify")
    panel = re.search(r'<section id="push"[^>]* data-csrf="([^"]+)"', page)
    check(panel, "GET /verify: no push panel with its token: %r" % page[:300])
    st, page = ivan.api("/verify/push", {}, csrf=panel.group(1))
    equal(st, 200, "POST /verify/push")
    reply = json.loads(page)
    new = [r for r in requests("ivan") if r["id"] not in earlier]
    equal([r["status"] for r in new], ["pending"], "the request the push made")
    n = reply.get("number", "")
    equal(reply, {"state": "pending", "number": n,
                  "message": "A login request was sent to your phone. Approve it there and pick %s." % n},
          "POST /verify/push")
    started = time.monotonic()
    st, _, page = ivan.request("GET", "/verify/push/status")
    took = time.monotonic() - started
    equal((st, json.loads(page)), (200, {"state": "pending"}), "GET /verify/push/status")
    check(took < 3, "GET /verify/push/status took %.1f s: a poll must not wait" % took)
    for who, path in ((ivan, "/verify"), (kate, "/home"), (kate, "/settings"), (kate, "/app/")):
        st, h, html = who.request("GET", path)
        equal(st, 200, "GET " + path)
        page_rules(path, h, html)
    origin = URL + "/"
    for d in (W.comp, W.phone):
        for path in ("/login", "/app/"):
            d.get(URL + path)
            wait_for(d, "the page %s drawn" % path, lambda: d.execute_script(
                "const e = document.getElementById(arguments[0]); return e !== null && e.textContent !== ''",
                "login" if path == "/login" else "app-account" if d is W.phone else "app-message"))
            loaded = d.execute_script(RESOURCES_JS)
            equal([u for u in loaded if not u.startswith(origin)], [], "what %s loaded from elsewhere" % path)
        W.refused += refused_by_csp(d)
    logged_in_cookies = dict(kate.cookies)
    st, h, _ = kate.post_form("/logout", {"csrf": kate.form_csrf("/home")})
    equal((st, h.get("location")), (303, "/login"), "POST /logout")
    st, h, _ = _with_cookies(logged_in_cookies).request("GET", "/home")
    equal((st, h.get("location")), (303, "/login"), "GET /home with the session that logged out")
    equal(W.refused, [], "what the browsers refused by the Content-Security-Policy in the whole run")


# The app's service worker, once it controls the page.
SW_READY_JS = """
const done = arguments[arguments.length - 1];
navigator.serviceWorker.ready.then(r => done({scope: r.scope, controlled: !!navigator.serviceWorker.controller}),
                                   e => done({error: String(e)}));
"""


def t14_app_offline():
    """the device app installs (manifest, service worker) and opens offline, saying what needs the network"""
    p = W.phone
    app_open(p, "alice")
    st, h, body = Client().request("GET", "/app/manifest.webmanifest")
    equal(st, 200, "GET /app/manifest.webmanifest")
    m = json.loads(body)
    equal((m["start_url"], m["scope"], m["display"]), ("/app/", "/app/", "standalone"), "the manifest")
    check(m["name"] and m["icons"], "the manifest names the app and its icons: %r" % m)
    ready = p.execute_async_script(SW_READY_JS)
    equal(ready.get("scope"), URL + "/app/", "the service worker's scope (%s)" % ready.get("error"))
    p.refresh()  # now under the service worker, which keeps the app's files
    wait_text(p, "app-account", "Account: alice")
    wait_for(p, "the page under the service worker", lambda: p.execute_async_script(SW_READY_JS)["controlled"])
    p.set_network_conditions(offline=True, latency=0, download_throughput=-1, upload_throughput=-1)
    try:
        p.get(URL + "/app/")
        wait_text(p, "app-account", "Account: alice")
        wait_text(p, "offline", "Offline: this phone shows what it keeps. Login requests, approvals and "
                                "signing out need the network.")
        wait_text(p, "app-message", "Offline: this needs the network. Try again when the phone is online.")
        wait_text(p, "device-id", W.alice_device)
        screenshot(p, "14-app-offline")
    finally:
        p.delete_network_conditions()
    p.get(URL + "/app/")
    wait_text(p, "app-account", "Account: alice")
    equal(text_of(p, "offline"), None, "#offline when the phone is online again")


# --- remembered browsers (issue 19) --------------------------------------
# lena, mike, nina and olga are remembered; the cookie is lvremember.

REMEMBER_TOKEN = re.compile(r"lvr1-[0-9A-Z]{16}-[0-9A-Z]{32}")
NOT_REMEMBERED = "This browser is no longer remembered: type a code. (rejected: {})"
TOKEN_COPIED = ("this remembered-device token was replaced already, so it is a copy: "
                "the device is forgotten and a code is needed")
TOKEN_UNKNOWN = "this device is not remembered (forgotten, expired or never remembered): give a code"
REMEMBER_FIELDS = 'label="Chrome on Linux" ip=127.0.0.1 agent="Chrome on Linux"'


def login_kept(d, account, then):
    """The password step keeping the browser's cookies (lvremember)."""
    d.get(URL + "/login")
    u = wait_shown(d, "user")
    u.clear()
    u.send_keys(account)
    el(d, "password").send_keys(password(account))
    el(d, "login").click()
    wait_path(d, then)


def remember_with_code(d, account, code, screen=None):
    """The second step with "Don't ask again on this browser" ticked: the token."""
    login(d, account, "/verify")
    equal(d.find_element(By.CSS_SELECTOR, 'label[for="remember"]').text, "Don't ask again on this browser",
          "the remember box's label")
    click(d, "remember")
    if screen:
        screenshot(d, screen)
    type_code(d, code)
    logged_in(d, account)
    cookie = d.get_cookie("lvremember")
    check(cookie and REMEMBER_TOKEN.fullmatch(cookie["value"]), "the lvremember cookie: %r" % (cookie,))
    equal((cookie["httpOnly"], cookie.get("sameSite"), cookie["path"]), (True, "Strict", "/"),
          "the lvremember cookie's HttpOnly, SameSite and Path")
    return cookie["value"]


def series_of(token):
    return token.split("-")[1]


def t15_remembered_browser():
    """a remembered browser skips the code at its next login; the cookie's token is rotated"""
    code = enrol_cli("lena", "--phone", "+15550100012")
    c = W.comp
    t1 = remember_with_code(c, "lena", code, "15-remember-ticked")
    rem = status("lena")["remembered"]
    equal([(r["id"], r["label"], r["ip"]) for r in rem], [(series_of(t1), "Chrome on Linux", "127.0.0.1")],
          "lv-status lena: remembered")
    logout(c)
    equal(c.get_cookie("lvremember")["value"], t1, "the cookie kept after logout")
    login_kept(c, "lena", "/home")
    logged_in(c, "lena")
    screenshot(c, "15-remembered-no-code")
    t2 = c.get_cookie("lvremember")["value"]
    check(REMEMBER_TOKEN.fullmatch(t2) and t2 != t1, "the rotated cookie: %r after %r" % (t2, t1))
    equal(series_of(t2), series_of(t1), "the rotated token's series")
    log_is("lena", ["event=enrol method=sms result=ok by={by} phone=+1******0012",
                    "event=verify method=backup result=accept by={by} seq=1",
                    "event=remember-issue method=remembered result=ok by={by} id={id} seq=1 " + REMEMBER_FIELDS,
                    "event=verify method=remembered result=accept by={by} id={id} seq=2 " + REMEMBER_FIELDS],
           id=series_of(t1))
    logout(c)


def t16_copied_cookie():
    """a copied cookie used after the original revokes both; each browser is asked for a code and told why"""
    code = enrol_cli("mike", "--phone", "+15550100013")
    a = W.comp
    b = computer()
    try:
        t1 = remember_with_code(a, "mike", code)
        logout(a)
        b.get(URL + "/login")
        b.add_cookie({"name": "lvremember", "value": t1, "path": "/", "httpOnly": True, "sameSite": "Strict"})
        login_kept(a, "mike", "/home")       # the original: T1 -> T2
        t2 = a.get_cookie("lvremember")["value"]
        check(t2 != t1, "the original's cookie rotated")
        logout(a)
        login_kept(b, "mike", "/verify")     # the copy: refused, the series revoked
        wait_text(b, "message", NOT_REMEMBERED.format(TOKEN_COPIED))
        wait_shown(b, "code")
        screenshot(b, "16-copy-refused")
        equal(b.get_cookie("lvremember"), None, "the copy's cookie after the refusal")
        equal(status("mike")["remembered"], [], "lv-status mike: remembered after the copy")
        login_kept(a, "mike", "/verify")     # the original's successor: revoked too
        wait_text(a, "message", NOT_REMEMBERED.format(TOKEN_UNKNOWN))
        wait_shown(a, "code")
        screenshot(a, "16-original-refused")
        equal(a.get_cookie("lvremember"), None, "the original's cookie after the refusal")
        log_is("mike", ["event=enrol method=sms result=ok by={by} phone=+1******0013",
                        "event=verify method=backup result=accept by={by} seq=1",
                        "event=remember-issue method=remembered result=ok by={by} id={id} seq=1 " + REMEMBER_FIELDS,
                        "event=verify method=remembered result=accept by={by} id={id} seq=2 " + REMEMBER_FIELDS,
                        "event=remember-reused method=remembered result=revoke by={by} id={id} seq=2 "
                        + REMEMBER_FIELDS,
                        "event=verify method=remembered result=reject by={by} id={id} "
                        'ip=127.0.0.1 agent="Chrome on Linux"'],
               id=series_of(t1))
    finally:
        quit_browser(b)


def t17_phone_change_forgets():
    """a phone change forgets every remembered browser: the next login asks for a code"""
    code = enrol_cli("nina", "--phone", "+15550100014")
    c = W.comp
    remember_with_code(c, "nina", code)
    logout(c)
    lv_ok("lv-enroll", "nina", "--update", "--phone", "+15550100114")
    equal(status("nina")["remembered"], [], "lv-status nina: remembered after the phone change")
    login_kept(c, "nina", "/verify")
    wait_text(c, "message", NOT_REMEMBERED.format(TOKEN_UNKNOWN))
    wait_shown(c, "code")
    screenshot(c, "17-phone-changed")
    equal(c.get_cookie("lvremember"), None, "the cookie after the refusal")
    revoke = [l for l in audit_events(audit("nina")) if l.startswith("event=remember-revoke")]
    equal(revoke, ["event=remember-revoke method=remembered result=ok by={} count=1 why=phone-changed"
                   .format(lv_by())], "nina's remember-revoke audit line")


def t22_push_remembered():
    """a push approved while "Don't ask again on this browser" is ticked remembers the browser too"""
    key, pub = device_key("quinn")
    enrol_cli("quinn", "--device-key", "-", stdin=pub)
    c = W.comp
    login(c, "quinn", "/verify")
    number = wait_push_number(c)
    click(c, "remember")
    rid = requests("quinn")[0]["id"]
    answer = lv_ok("lv-device", "sign", "--key", key, "approve", number,
                   stdin=lv_ok("lv-requests", "show", "quinn", rid))
    lv_ok("lv-requests", "answer", "quinn", stdin=answer)
    logged_in(c, "quinn")
    cookie = c.get_cookie("lvremember")
    check(cookie and REMEMBER_TOKEN.fullmatch(cookie["value"]), "the lvremember cookie: %r" % (cookie,))
    t1 = cookie["value"]
    equal([r["id"] for r in status("quinn")["remembered"]], [series_of(t1)], "lv-status quinn: remembered")
    logout(c)
    login_kept(c, "quinn", "/home")
    logged_in(c, "quinn")
    screenshot(c, "22-push-remembered-no-code")
    dev = status("quinn")["device"][0]["id"]
    log_is("quinn", ["event=enrol method=push result=ok by={by} device={dev}",
                     REQUEST_NEW,
                     "event=request-answer method=push result=approved by={by} request={rid} device={dev}",
                     "event=verify method=push result=accept by={by} request={rid}",
                     "event=remember-issue method=remembered result=ok by={by} id={id} seq=1 " + REMEMBER_FIELDS,
                     "event=verify method=remembered result=accept by={by} id={id} seq=2 " + REMEMBER_FIELDS],
           dev=dev, rid=rid, id=series_of(t1))
    logout(c)


def remembered_items(d):
    return [(li.get_attribute("data-id"), li.find_element(By.CLASS_NAME, "label").text)
            for li in d.find_elements(By.CSS_SELECTOR, "#remembered li")]


def t18_settings_forget():
    """settings list the remembered browsers; Forget forgets one, Forget all the rest"""
    first = enrol_cli("olga", "--phone", "+15550100015")
    a = W.comp
    b = computer()
    try:
        ta = remember_with_code(a, "olga", first)
        tb = remember_with_code(b, "olga", lv_ok("lv-backup", "new", "olga").strip())
        a.get(URL + "/settings")
        wait_shown(a, "remembered")
        equal(remembered_items(a), [(series_of(ta), "Chrome on Linux"), (series_of(tb), "Chrome on Linux")],
              "the remembered browsers in settings")
        first_li = a.find_element(By.CSS_SELECTOR, '#remembered li[data-id="%s"]' % series_of(ta))
        r = status("olga")["remembered"][0]
        equal(first_li.text, "Chrome on Linux: remembered %s, last used %s from 127.0.0.1, until %s Forget"
              % (r["created"], r["last-used"], r["expires"]), "the first remembered browser's line")
        a.execute_script("arguments[0].scrollIntoView()", el(a, "remembered"))
        screenshot(a, "18-remembered-list")
        a.find_element(By.CSS_SELECTOR, '#remembered li[data-id="%s"] button' % series_of(tb)).click()
        wait_text(a, "message", "The browser was forgotten: it is asked for a code at its next login.")
        equal(remembered_items(a), [(series_of(ta), "Chrome on Linux")], "the list after Forget")
        equal([r["id"] for r in status("olga")["remembered"]], [series_of(ta)], "lv-status olga after Forget")
        screenshot(a, "18-forgot-one")
        logout(b)
        login_kept(b, "olga", "/verify")
        wait_text(b, "message", NOT_REMEMBERED.format(TOKEN_UNKNOWN))
        click(a, "forget-all")
        wait_text(a, "message", "Every browser was forgotten: each is asked for a code at its next login.")
        equal(remembered_items(a), [], "the list after Forget all")
        equal(status("olga")["remembered"], [], "lv-status olga after Forget all")
        screenshot(a, "18-forgot-all")
        revoke = [l for l in audit_events(audit("olga")) if l.startswith("event=remember-revoke")]
        equal(revoke, ["event=remember-revoke method=remembered result=ok by=%s count=1 why=self" % lv_by()] * 2,
              "olga's remember-revoke audit lines (Forget, then Forget all)")
        logout(a)
        login_kept(a, "olga", "/verify")
        wait_text(a, "message", NOT_REMEMBERED.format(TOKEN_UNKNOWN))
    finally:
        quit_browser(b)


# --- security keys (WebAuthn), with Chromium's virtual authenticator ----

KEY_ADDED = "Your security key was added."
KEY_ON = "Your security key was added: login verification is on. Write down your backup code."
ORIGIN_REFUSED = "rejected: the origin is not one lv.conf allows (webauthn_origins)"


def authenticator(d, platform):
    """A virtual CTAP2 authenticator in D: the computer's own (internal,
    verifies its user) or a USB key that only checks presence."""
    o = VirtualAuthenticatorOptions()
    o.protocol = Protocol.CTAP2
    o.transport = Transport.INTERNAL if platform else Transport.USB
    o.has_resident_key = False
    o.has_user_verification = platform
    o.is_user_verified = platform
    o.is_user_consenting = True
    d.add_virtual_authenticator(o)


def key_login(d, base, account, then):
    """The password step at BASE (an origin of the site)."""
    d.delete_all_cookies()
    d.get(base + "/login")
    u = wait_shown(d, "user")
    u.clear()
    u.send_keys(account)
    el(d, "password").send_keys(password(account))
    el(d, "login").click()
    wait_path(d, then)


def add_key(d, base, account, label, want, shot):
    d.get(base + "/settings")
    wait_shown(d, "key-label").send_keys(label)
    click(d, "key-add")
    wait_text(d, "message", want)
    screenshot(d, shot)


def keys_listed(d):
    return [(li.get_attribute("data-id"), li.text) for li in d.find_elements(By.CSS_SELECTOR, "#keys li")]


def key_round(account, platform, label, n):
    """Registers a key in the settings, then logs in with it."""
    c = W.comp
    authenticator(c, platform)
    try:
        key_login(c, KEY_URL, account, "/home")
        add_key(c, KEY_URL, account, label, KEY_ON, "%d-key-added" % n)
        wait_text(c, "key-backup", BACKUP_CODE)
        st = status(account)
        equal(st["enrolled"], True, "lv-status %s: enrolled" % account)
        keys = st["security-key"]
        equal([k["label"] for k in keys], [label], "lv-status %s: the security keys' labels" % account)
        equal(keys_listed(c), [(keys[0]["id"], label)], "#keys after adding")
        c.get(KEY_URL + "/settings")
        equal(keys_listed(c), [(keys[0]["id"], label)], "#keys on a new settings page")
        c.get(KEY_URL + "/home")
        logout(c)
        key_login(c, KEY_URL, account, "/verify")
        wait_for(c, "the key in #methods",
                 lambda: "key" in [li.get_attribute("data-method") for li in c.find_elements(By.CSS_SELECTOR, "#methods li")])
        screenshot(c, "%d-use-key" % n)
        click(c, "use-key")
        wait_path(c, "/home")
        wait_text(c, "welcome", "Logged in as " + account)
        return keys[0]
    finally:
        c.remove_virtual_authenticator()


# How lv audits a key added at a fresh account's settings, then a login with it.
KEY_ROUND = ["event=challenge method=key result=ok by={by} for=create",
             "event=enrol method=key result=ok by={by} key={key}",
             "event=challenge method=key result=ok by={by} for=get",
             "event=verify method=key result=accept by={by} key={key}"]


def t19_platform_key():
    """a platform security key (internal, UV): added in the settings, lv-status lists it, it logs in"""
    k = key_round("leo", True, "this laptop", 19)
    log_is("leo", KEY_ROUND, key=k["id"])
    logout(W.comp)


def t20_roaming_key():
    """a roaming security key (USB, presence only), user verification preferred: added, it logs in"""
    k = key_round("mia", False, "blue key", 20)
    log_is("mia", KEY_ROUND, key=k["id"])
    logout(W.comp)


def t21_key_origin_refused():
    """a page at an origin lv does not allow: lv refuses the key, the page and the audit log say so"""
    c = W.comp
    authenticator(c, False)
    try:
        key_login(c, OTHER_URL, "pia", "/home")
        add_key(c, OTHER_URL, "pia", "at the wrong door", ORIGIN_REFUSED, "21-key-add-refused")
        equal(status("pia")["enrolled"], False, "lv-status pia: enrolled after the refusal")
        key_login(c, KEY_URL, "pia", "/home")
        add_key(c, KEY_URL, "pia", "red key", KEY_ON, "21-key-added")
        c.get(KEY_URL + "/home")
        logout(c)
        key_login(c, OTHER_URL, "pia", "/verify")
        click(c, "use-key")
        wait_text(c, "message", ORIGIN_REFUSED)
        screenshot(c, "21-key-login-refused")
        equal(path_of(c), "/verify", "the page after the refusal")
        # The refused registration changed nothing, so lv audits only its
        # challenge; the refused login is audited as a rejection, and lv's
        # line is in the log of the site that served the refused origin.
        log_is("pia", ["event=challenge method=key result=ok by={by} for=create",
                        "event=challenge method=key result=ok by={by} for=create",
                        "event=enrol method=key result=ok by={by} key={key}",
                        "event=challenge method=key result=ok by={by} for=get",
                        "event=verify method=key result=reject by={by} key={key}"],
               key=status("pia")["security-key"][0]["id"])
        with open(os.path.join(SCRATCH, "site2.log")) as f:
            said = [l for l in f.read().splitlines() if "exited 1" in l]
        equal(said, ["lvsite: lv-enroll for pia exited 1: lv-enroll: " + ORIGIN_REFUSED,
                     "lvsite: lv-verify for pia exited 1: lv-verify: " + ORIGIN_REFUSED],
              "what lv said to the site at the refused origin")
        # The endpoints themselves: no token, a session not verified yet, no
        # credential are refused before lv runs, and lv's records stay as they were.
        before = audit("pia")
        h = Client()
        tok = h.login("pia")
        for path, obj, csrf, want in (
                ("/verify/key/options", {}, None, (403, STALE_FORM)),
                ("/verify/key", {"credential": {}}, "wrong", (403, STALE_FORM)),
                ("/settings/key/options", {}, tok, (401, "The login took too long or ended: log in again.")),
                ("/settings/key", {"label": "x", "credential": {}}, tok,
                 (401, "The login took too long or ended: log in again.")),
                ("/verify/key", {}, tok, (400, "missing field: credential"))):
            st, page = h.api(path, obj, csrf=csrf)
            equal((st, error_of(path, page)), want, "POST " + path)
        equal(audit("pia"), before, "pia's audit log after the refused posts")
    finally:
        c.remove_virtual_authenticator()


TESTS = [t01_enrol_with_the_app, t02_push_approved, t03_wrong_number_and_denial, t03b_login_made_elsewhere,
         t04_sms_instead_of_push,
         t05_backup_codes_in_order, t06_lost_phone, t07_signout_on_enrolling_device, t08_third_party_client,
         t09_totp_enrolment, t10_new_phone, t11_signing_in_the_browser, t12_bad_input, t13_pages_and_cookies,
         t14_app_offline,
         t15_remembered_browser, t16_copied_cookie, t17_phone_change_forgets, t18_settings_forget,
         t19_platform_key, t20_roaming_key, t21_key_origin_refused, t22_push_remembered]


def why(e):
    """A failure in a few lines: the assertion, or the exception (without
    chromedriver's stack) and where in this file it happened."""
    if isinstance(e, Failed):
        return str(e)
    here = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == __file__]
    where = "".join("at line %d in %s: %s\n" % (f.lineno, f.name, f.line) for f in here)
    what = "".join(traceback.format_exception_only(type(e), e)).split("\nStacktrace:")[0]
    return where + what.strip()


def main():
    # Stopped by t/web/run's timeout: quit the browsers on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.makedirs(SCREENS, exist_ok=True)
    # Numbers on the command line run only those tests (10 needs 1, 11 needs 1).
    only = {int(a) for a in sys.argv[1:]}
    chosen = [t for n, t in enumerate(TESTS, 1) if not only or n in only]
    print("1..%d" % len(chosen), flush=True)
    passed = failed = 0
    try:
        W.comp = computer()
        W.phone = phone()
    except Exception as e:
        if W.comp:
            W.comp.quit()
        print("# cannot start Chromium: %s" % e)
        for n, t in enumerate(chosen, 1):
            print("not ok %d %s" % (n, t.__doc__.strip()))
        print("0 passed, %d failed" % len(chosen))
        return 1
    try:
        for n, t in enumerate(chosen, 1):
            started = time.monotonic()
            try:
                t()
                passed += 1
                print("ok %d %s # %.1f s" % (n, t.__doc__.strip(), time.monotonic() - started), flush=True)
            except Exception as e:
                failed += 1
                print("not ok %d %s" % (n, t.__doc__.strip()), flush=True)
                for line in why(e).splitlines():
                    print("# " + line)
                for name, d in (("computer", W.comp), ("phone", W.phone)):
                    try:
                        d.save_screenshot(os.path.join(SCREENS, "%02d-failed-%s.png" % (n, name)))
                    except Exception:
                        pass
                sys.stdout.flush()
    finally:
        quit_browser(W.comp)
        quit_browser(W.phone)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
