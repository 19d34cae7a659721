#!/usr/bin/env python3
"""Test helper: read or change an account's records file as lv does.

    lv-records dump FILE              KEY<TAB>VALUE lines, sorted; exit 1 if damaged
    lv-records set FILE KEY VALUE     rewrite FILE with KEY set, checksum renewed

The file is a tinycdb database whose last record, lv.check, is BLAKE2b-128
over every other record as (klen, vlen little-endian 32-bit, key, value).
"""
import hashlib
import os
import struct
import sys

CHECK = b"lv.check"


def cdb_hash(key):
    h = 5381
    for c in key:
        h = (((h << 5) + h) ^ c) & 0xFFFFFFFF
    return h


def read(path):
    data = open(path, "rb").read()
    if len(data) < 2048:
        raise ValueError("short")
    dend = struct.unpack("<I", data[:4])[0]
    pos, recs, check = 2048, [], None
    while pos + 8 <= dend:
        kl, vl = struct.unpack("<II", data[pos:pos + 8])
        k = data[pos + 8:pos + 8 + kl]
        v = data[pos + 8 + kl:pos + 8 + kl + vl]
        pos += 8 + kl + vl
        if k == CHECK:
            check = v.decode()
        else:
            recs.append((k, v))
    if check is None or checksum(recs) != check:
        raise ValueError("bad checksum")
    return recs


def checksum(recs):
    h = hashlib.blake2b(digest_size=16)
    for k, v in recs:
        h.update(struct.pack("<II", len(k), len(v)) + k + v)
    return h.hexdigest()


def write(path, recs):
    recs = sorted(recs) + [(CHECK, checksum(sorted(recs)).encode())]
    body, pos, tables = b"", 2048, [[] for _ in range(256)]
    for k, v in recs:
        tables[cdb_hash(k) & 255].append((cdb_hash(k), pos))
        body += struct.pack("<II", len(k), len(v)) + k + v
        pos += 8 + len(k) + len(v)
    head, tail = b"", b""
    for t in tables:
        n = 2 * len(t)
        slots = [(0, 0)] * n
        for h, p in t:
            i = (h >> 8) % n
            while slots[i][1]:
                i = (i + 1) % n
            slots[i] = (h, p)
        head += struct.pack("<II", pos + len(tail), n)
        tail += b"".join(struct.pack("<II", h, p) for h, p in slots)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(head + body + tail)
    os.chmod(tmp, 0o600)
    os.rename(tmp, path)


def main(argv):
    try:
        recs = read(argv[2])
    except (OSError, ValueError, struct.error) as e:
        print("lv-records: %s: %s" % (argv[2], e), file=sys.stderr)
        return 1
    if argv[1] == "dump":
        for k, v in sorted(recs):
            print("%s\t%s" % (k.decode(), v.decode()))
        return 0
    if argv[1] == "set":
        k, v = argv[3].encode(), argv[4].encode()
        write(argv[2], [r for r in recs if r[0] != k] + [(k, v)])
        return 0
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
