#!/usr/bin/python3
"""Test helper: hostile.py [OPTIONS] -- COMMAND...
Execs COMMAND in a process state a hostile caller could hand it: with
--all, umask 0777, working directory /tmp, descriptor 7 open on
/etc/hostname, SIGCHLD, SIGTERM, SIGINT, SIGPIPE and SIGXFSZ ignored,
SIGTERM and SIGUSR1 blocked; or only what the options say."""
import argparse
import os
import resource
import signal

LIMITS = {"FSIZE": resource.RLIMIT_FSIZE, "NOFILE": resource.RLIMIT_NOFILE,
          "CPU": resource.RLIMIT_CPU}

ap = argparse.ArgumentParser()
ap.add_argument("--all", action="store_true")
ap.add_argument("--umask", type=lambda s: int(s, 8))
ap.add_argument("--ignore", default="")
ap.add_argument("--limit", action="append", default=[],
                help="NAME=SOFT:HARD, - for the hard limit as it is")
ap.add_argument("--idle", action="store_true", help="SCHED_IDLE")
ap.add_argument("cmd", nargs=argparse.REMAINDER)
a = ap.parse_args()
cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
if a.all:
    os.umask(0o777)
    os.chdir("/tmp")
    fd = os.open("/etc/hostname", os.O_RDONLY)
    os.dup2(fd, 7)
    os.close(fd)
    a.ignore = a.ignore or "SIGCHLD,SIGTERM,SIGINT,SIGPIPE,SIGXFSZ"
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGUSR1})
if a.umask is not None:
    os.umask(a.umask)
for name in filter(None, a.ignore.split(",")):
    signal.signal(getattr(signal, name), signal.SIG_IGN)
for spec in a.limit:
    name, values = spec.split("=")
    keep = resource.getrlimit(LIMITS[name])[1]
    soft, hard = (keep if v == "-" else int(v) for v in values.split(":"))
    resource.setrlimit(LIMITS[name], (soft, hard))
if a.idle:
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
os.execv(cmd[0], cmd)
