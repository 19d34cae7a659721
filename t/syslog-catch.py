#!/usr/bin/env python3
"""Test helper: syslog-catch SOCKET OUT: binds a datagram socket at SOCKET,
writes each message received to OUT (one a line) and exits after 10 s of
silence or when SOCKET is removed."""
import os
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.2)
with open(out, "a", buffering=1) as f:
    idle = 0.0
    while idle < 10 and os.path.exists(path):
        try:
            msg = s.recv(4096)
        except socket.timeout:
            idle += 0.2
            continue
        idle = 0.0
        f.write(msg.decode("utf-8", "replace").rstrip("\n") + "\n")
