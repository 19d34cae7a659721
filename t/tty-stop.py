#!/usr/bin/python3
"""Test helper: tty-stop.py MARK FIFO DONE -- COMMAND...
Runs COMMAND as the foreground job of a new terminal. Once MARK exists (the
program holds its lock, t/lockpause.c), types ^Z on the terminal, prints
"pid PID", then "stopped" if the program stopped or "held off" if the stop
is pending, writes a byte into FIFO to let the program go on, prints
"released", and keeps the terminal open until DONE exists (60 s at most)."""
import os
import pty
import sys
import time

mark, fifo, done = sys.argv[1], sys.argv[2], sys.argv[3]
cmd = sys.argv[sys.argv.index("--") + 1:]
pid, master = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)


def status(field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return line.split()[1]
    return ""


def wait_for(pred, seconds=20):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.01)
    return False


if not wait_for(lambda: os.path.exists(mark)):
    print("no lock held", flush=True)
    sys.exit(1)
print(f"pid {pid}", flush=True)
os.write(master, b"\x1a")
TSTP = 1 << 19
if not wait_for(lambda: status("State") == "T" or int(status("ShdPnd") or "0", 16) & TSTP
                or int(status("SigPnd") or "0", 16) & TSTP):
    print("nothing happened", flush=True)
    sys.exit(1)
print("stopped" if status("State") == "T" else "held off", flush=True)
fd = os.open(fifo, os.O_WRONLY)
os.write(fd, b"x")
os.close(fd)
print("released", flush=True)
wait_for(lambda: os.path.exists(done), 60)
