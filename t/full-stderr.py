#!/usr/bin/python3
"""Test helper: full-stderr.py INPUT DONE -- COMMAND...
Runs COMMAND with INPUT on its stdin and its stderr on a pipe that is full
and never read. Prints "pid PID", then "blocked" once the command waits to
write its stderr, or "exited N"; then keeps the pipe (and the command)
until DONE exists (60 s at most), and kills the command."""
import fcntl
import os
import subprocess
import sys
import time


def wait_for(pred, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.01)
    return False


def in_write(pid):
    try:
        with open(f"/proc/{pid}/syscall") as f:
            return f.read().split()[0] == "1"
    except (OSError, IndexError):
        return False


src, done = sys.argv[1], sys.argv[2]
cmd = sys.argv[sys.argv.index("--") + 1:]
r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, os.O_NONBLOCK)
try:
    while True:
        os.write(w, b"x" * 4096)
except BlockingIOError:
    pass
fcntl.fcntl(w, fcntl.F_SETFL, 0)
with open(src, "rb") as stdin:
    p = subprocess.Popen(cmd, stdin=stdin, stderr=w)
os.close(w)
print(f"pid {p.pid}", flush=True)
wait_for(lambda: p.poll() is not None or in_write(p.pid), 20)
print(f"exited {p.returncode}" if p.poll() is not None else
      "blocked" if in_write(p.pid) else "running", flush=True)
wait_for(lambda: os.path.exists(done), 60)
p.kill()
p.wait()
