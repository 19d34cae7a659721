#!/usr/bin/env python3
"""Test helper: syslog-catch SOCKET OUT [IDLE]: binds a datagram socket at
SOCKET, writes each message received to OUT (one a line) and exits after
IDLE seconds of silence (10; 0 never) or once SOCKET is removed, with what
was sent before the removal written too."""
import os
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
limit = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)  # as /dev/log is: every user logs
s.settimeout(0.2)
with open(out, "a", buffering=1) as f:
    idle = 0.0
    while (limit == 0 or idle < limit) and os.path.exists(path):
        try:
            msg = s.recv(4096)
        except socket.timeout:
            idle += 0.2
            continue
        idle = 0.0
        f.write(msg.decode("utf-8", "replace").rstrip("\n") + "\n")
    s.setblocking(False)
    while True:
        try:
            msg = s.recv(4096)
        except BlockingIOError:
            break
        f.write(msg.decode("utf-8", "replace").rstrip("\n") + "\n")
