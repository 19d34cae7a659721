"""lvstress: what the reliability drivers (race, stall, crash, faults, guess)
share: a scratch state directory, running the lv programs, and scenarios.

A scenario is one method seen from the outside: how to set up an account,
how to get an answer that two logins could present at once, and how to run
one racer with it: backup codes, SMS codes, TOTP codes and login-request
answers (add a class, list it in SCENARIOS).

Everything runs the lv programs found on PATH (t/run and `make stress` put
the fresh ones first), with answers on standard input as a login would.
"""
import glob
import hashlib
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SLOW = os.environ.get("LV_TEST_SLOW") == "1"  # sanitizer or valgrind builds
PHONE = "+15551234567"


class Lv:
    """A state directory and a configuration under a scratch root. With
    nolock, every program it runs has the lock-disabling shim preloaded."""

    def __init__(self, root, conf=None, nolock=False, state="state"):
        self.root = root
        self.dir = os.path.join(root, state)
        self.conf = os.path.join(root, "lv.conf")
        self.env = dict(os.environ, LV_DIR=self.dir, LV_CONF=self.conf)
        self.nolock = nolock
        if nolock:
            self.env = preload(self.env, nolock_so())
        self.conf_items = dict(conf or {})
        self.configure(self.conf_items)

    def configure(self, conf):
        with open(self.conf, "w") as f:
            for k, v in conf.items():
                f.write("%s = %s\n" % (k, v))
        os.chmod(self.conf, 0o600)

    def run(self, argv, stdin=b"", env=None, timeout=600):
        p = subprocess.run(argv, input=stdin, capture_output=True, env=env or self.env,
                           timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")

    def must(self, argv, stdin=b"", env=None):
        rc, out, err = self.run(argv, stdin, env)
        if rc != 0:
            raise RuntimeError("%s exited %d: %s" % (" ".join(argv), rc, err.strip()))
        return out

    def spawn(self, argv, env=None):
        return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env or self.env)

    def acctdir(self, name):
        h = hashlib.blake2b(name.encode(), digest_size=2).digest()
        return os.path.join(self.dir, "%02x" % h[0], "%02x" % h[1], name)

    def records(self, name):
        return state_of(self.acctdir(name))

    def status(self, name):
        """(exit code, {fact: value}) of lv-status; value is the rest of the line."""
        rc, out, _ = self.run(["lv-status", name])
        facts = {}
        for line in out.splitlines():
            k, _, v = line.partition("\t")
            facts[k] = v
        return rc, facts

    def failures(self, name):
        return int(self.status(name)[1].get("failures", "-1"))


def _lv_records():
    """t/lv-records.py, the test suite's reader of records files."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("lv_records", os.path.join(TOP, "t", "lv-records.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


LV_RECORDS = _lv_records()
LINEAGE = (b"generation", b"commit", b"ancestry")


def state_of(acctdir):
    """An account's state: the records of its newest generation
    (lv-state(5)) without those that name the commit (generation, commit,
    ancestry: two writers making the same change make them differ), or
    None; a damaged file is its bytes, which match nothing."""
    path = newest_records(acctdir)
    if path is None:
        return None
    try:
        return tuple(sorted((k, v) for k, v in LV_RECORDS.read(path) if k not in LINEAGE))
    except (OSError, ValueError, IndexError, struct.error) as e:
        with open(path, "rb") as f:
            return ("damaged", str(e), f.read())


def newest_records(acctdir):
    """The path of the newest records.N in an account's directory, or None."""
    try:
        gens = [int(n[8:]) for n in os.listdir(acctdir)
                if re.fullmatch(r"records\.[1-9][0-9]*", n)]
    except FileNotFoundError:
        return None
    return os.path.join(acctdir, "records.%d" % max(gens)) if gens else None


def scratch(prefix):
    """A scratch directory for a driver's run. Every driver starts here, so
    this also removes libfaketime's leftovers of processes killed earlier
    (see kill()), which would make a run with the same pid fail."""
    for path in glob.glob("/dev/shm/faketime_shm_*") + glob.glob("/dev/shm/sem.faketime_sem_*"):
        pid = path.rsplit("_", 1)[1]
        if pid.isdigit() and not os.path.exists("/proc/" + pid):
            try:
                os.unlink(path)
            except OSError:
                pass
    return tempfile.mkdtemp(prefix="lv-%s." % prefix, dir=os.environ.get("LV_STRESS_TMP"))


def preload(env, lib, **extra):
    """env with lib preloaded before what env preloads already, and extra
    variables set (libfaketime and the lvfi shim go together)."""
    return dict(env, LD_PRELOAD=(lib + " " + env.get("LD_PRELOAD", "")).strip(), **extra)


def faketime_env(env, when):
    """env with the clock frozen at epoch second `when` (libfaketime)."""
    libs = glob.glob("/usr/lib/*/faketime/libfaketime.so.1")
    if not libs:
        sys.exit("lvstress: libfaketime not found (Debian package faketime)")
    e = preload(env, libs[0])
    # an absolute time without "@" is frozen there
    e["FAKETIME"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(when))
    e["FAKETIME_NO_CACHE"] = "1"
    e["TZ"] = "UTC"
    return e


def lvfi():
    """The fault-injection shim t/faultinject/lvfi.c, built once per run."""
    so = os.environ.get("LVFI_SO")
    if so and os.path.exists(so):
        return so
    src = os.path.join(TOP, "t", "faultinject", "lvfi.c")
    # Named after the source's contents: trees of other branches share
    # the temporary directory, and their lvfi.c may look for other names.
    with open(src, "rb") as f:
        tag = hashlib.sha256(f.read()).hexdigest()[:16]
    out = os.path.join(tempfile.gettempdir(), "lvfi-%d-%s.so" % (os.getuid(), tag))
    if not os.path.exists(out):
        tmp = out + ".%d" % os.getpid()
        subprocess.run(["cc", "-std=gnu11", "-D_GNU_SOURCE", "-O2", "-fPIC", "-shared", "-o",
                        tmp, src, "-ldl"], check=True)
        os.rename(tmp, out)
    os.environ["LVFI_SO"] = out
    return out


def nolock_so():
    """The shim t/nolock/lvnolock.c under which every lock call succeeds
    without locking (make testbins builds it)."""
    so = os.environ.get("LV_NOLOCK_SO") or os.path.join(TOP, "t", "bin", "lvnolock.so")
    if not os.path.exists(so):
        sys.exit("lvstress: %s is missing (make testbins builds it)" % so)
    return so


def wait_stopped(pid, timeout=30):
    """Waits until process pid is stopped (SIGSTOP); False if it exited."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open("/proc/%d/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        if state == "T":
            return True
        if state in "ZX":
            return False
        time.sleep(0.001)
    return False


def kill(p):
    """SIGKILL to p, then waits for it. libfaketime (preloaded by the frozen
    clock of some runs) makes a named semaphore and shared memory keyed by
    the pid and removes them at exit; a killed process leaves them, and a
    later process given the same pid then fails at start ("shm_open failed:
    File exists"). So they are removed once p is dead and before it is
    reaped, while its pid cannot yet be reused. Debian 12's libfaketime
    (0.9.10) has no FAKETIME_DISABLE_SHM."""
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)  # polls first: it may reap p instead
    if p.returncode is None:  # not reaped: the pid is still p's
        os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
        for name in ("faketime_shm_%d" % p.pid, "sem.faketime_sem_%d" % p.pid):
            try:
                os.unlink(os.path.join("/dev/shm", name))
            except FileNotFoundError:
                pass
    p.wait()


def kill_group(procs):
    for p in procs:
        kill(p)


CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


class Backup:
    """Backup codes: the shared answer is the account's newest released code;
    a racer is `lv-verify ACCOUNT` with it on standard input. A rejection
    counts as a failure; the acceptance resets the count."""

    name = "backup"

    def setup(self, lv, acct):
        code = lv.must(["lv-enroll", acct, "--phone", PHONE]).strip()
        assert CODE_RE.match(code), code
        return code

    def answer(self, lv, acct):
        rc, out, _ = lv.run(["lv-backup", "new", acct])
        if rc == 75:  # five unused already
            rc, out, _ = lv.run(["lv-backup", "reset", acct])
        if rc != 0:
            raise RuntimeError("lv-backup exited %d" % rc)
        return out.strip()

    def racer(self, acct):
        return ["lv-verify", acct]

    def expected_failures(self, rcs):
        return rcs.count(1)

    def env(self, lv):
        """The environment of this trial's racers."""
        return lv.env

    def check(self, lv, acct, rcs):
        """What else a trial must leave true; its problems."""
        return []


# What the race needs from the configuration for every scenario: 6-digit
# failures must not lock the account within a trial (31 rejections each),
# and SMS codes and requests may be asked for as often as trials run.
RACE_CONF = {"lock_after": 1000, "sms_resend": 0, "sms_daily": 0, "sms_hourly_site": 0,
             "request_pending_max": 100, "request_hourly": 10000}

SMS_CODE_RE = re.compile(r"\b([0-9]{6})\b")


class Sms(Backup):
    """SMS codes: the answer is the 6-digit code in the message lv-sendcode
    prints (+E164<TAB>message, no gateway configured); a racer is
    `lv-verify ACCOUNT`. A rejection (the code was used already) counts as
    a failure; the acceptance resets the count."""

    name = "sms"

    def answer(self, lv, acct):
        out = lv.must(["lv-sendcode", acct])
        phone, _, msg = out.rstrip("\n").partition("\t")
        m = SMS_CODE_RE.search(msg)
        if phone != PHONE or not m:
            raise RuntimeError("lv-sendcode printed %r" % out)
        return m.group(1)


class Totp(Backup):
    """TOTP codes: the answer is `oathtool --totp` on the secret of the
    otpauth URI lv-enroll --totp printed; each trial runs, oathtool and
    every racer, with the clock started (libfaketime) at its own instant,
    a minute after the last, so it has a fresh 30 s step. A rejection (the
    step was used already) counts as a failure."""

    name = "totp"

    def setup(self, lv, acct):
        out = lv.must(["lv-enroll", acct, "--totp"])
        m = re.search(r"[?&]secret=([A-Z2-7]+)", out)
        if not m:
            raise RuntimeError("no otpauth secret in %r" % out)
        self.secret = m.group(1)
        # well after the enrolment: every trial's step is newer than any used
        self.when = int(time.time()) // 30 * 30 + 86400
        self.trial_env = lv.env

    def answer(self, lv, acct):
        self.when += 60
        self.trial_env = faketime_env(lv.env, self.when)
        rc, out, err = lv.run(["oathtool", "--totp", "-b", self.secret], env=self.trial_env)
        if rc != 0:
            raise RuntimeError("oathtool exited %d: %s" % (rc, err.strip()))
        return out.strip()

    def env(self, lv):
        return self.trial_env


class Request(Backup):
    """Login-request answers: a device key is enrolled; per trial
    `lv-requests new` opens a request and the device signs its approval
    (`lv-device sign --key F approve NUMBER`); a racer is `lv-requests
    answer ACCOUNT` with that answer line. The signed answer is a
    high-entropy answer bound to its request: a replay is rejected (1) as
    "answered already" and is no failure, so the count stays 0."""

    name = "request"

    def setup(self, lv, acct):
        self.key = os.path.join(lv.root, "device.key")
        pub = lv.must(["lv-device", "keygen", "--key", self.key])
        lv.must(["lv-enroll", acct, "--device-key", "-"], pub.encode())

    def answer(self, lv, acct):
        rid, number, _ = lv.must(["lv-requests", "new", acct]).strip().split("\t")
        show = lv.must(["lv-requests", "show", acct, rid])
        ans = lv.must(["lv-device", "sign", "--key", self.key, "approve", number], show.encode())
        if len(ans.splitlines()) != 1:
            raise RuntimeError("lv-device sign printed %r" % ans)
        return ans.strip()

    def racer(self, acct):
        return ["lv-requests", "answer", acct]

    def expected_failures(self, rcs):
        return 0


class Remember(Backup):
    """Remembered devices: per trial a backup code is accepted with
    `lv-verify ACCOUNT --remember race`, which prints a token; a racer is
    `lv-verify ACCOUNT --method remembered` with it. One racer gets the
    successor; every other shows an old copy, so the series is revoked
    (lv-status lists no remembered device after the trial). A refused token
    is no failure, so the count stays 0."""

    name = "remember"

    def answer(self, lv, acct):
        code = Backup.answer(self, lv, acct)
        return lv.must(["lv-verify", acct, "--remember", "race"], (code + "\n").encode()).strip()

    def racer(self, acct):
        return ["lv-verify", acct, "--method", "remembered"]

    def expected_failures(self, rcs):
        return 0

    def check(self, lv, acct, rcs):
        _, out, _ = lv.run(["lv-status", acct])
        left = [l for l in out.splitlines() if l.startswith("remembered\t")]
        if len(rcs) > 1 and left:
            return ["the series outlived a second use: %r" % left]
        return []


SCENARIOS = {s.name: s for s in (Backup(), Sms(), Totp(), Request(), Remember())}


def scenario(name):
    if name not in SCENARIOS:
        sys.exit("lvstress: unknown scenario %s (have: %s)" % (name, ", ".join(SCENARIOS)))
    return SCENARIOS[name]


def cleanup(root):
    shutil.rmtree(root, ignore_errors=True)


def report(ok, line, problems):
    """Prints the result line (and up to 20 problems); the exit code."""
    print(("FAILED " + line) if problems else line)
    for p in problems[:20]:
        print("  violation: " + p)
    if len(problems) > 20:
        print("  ... and %d more violations" % (len(problems) - 20))
    sys.stdout.flush()
    return 0 if ok and not problems else 1


signal.signal(signal.SIGPIPE, signal.SIG_DFL)
