#!/usr/bin/env python3
"""A software security key for the tests: what a browser and an authenticator
together send back for the options lv-enroll --key-options and lv-verify
--key-options print (WebAuthn Level 2, the JSON forms of Level 3).

  seckey.py new KEYFILE es256|eddsa|rs256  make a credential (key, id, count 0)
  seckey.py create KEYFILE [OPTIONS]     options JSON on stdin, registration JSON out
  seckey.py get KEYFILE [OPTIONS]        options JSON on stdin, assertion JSON out

OPTIONS change one thing, to make each refusal: --origin O, --rp-id ID (the
rpIdHash), --type T, --fmt none|packed, --no-up, --uv, --be, --bs,
--count N (the sign count; by default one above the last), --challenge B64
(instead of the options'), --flip FIELD:BIT (flip one bit of
authenticatorData, clientDataJSON or signature after signing), --cross-origin,
--user-handle B64."""
import argparse
import base64
import hashlib
import json
import os
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64u(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def cbor(v):
    """The CBOR of ints, bytes, text, lists, dicts (in insertion order)."""
    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
            if n < 1 << (8 * size):
                return bytes([major << 5 | extra]) + n.to_bytes(size, "big")
        raise ValueError(n)
    if isinstance(v, bool):
        return bytes([0xF5 if v else 0xF4])
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        return head(3, len(v.encode())) + v.encode()
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict):
        return head(5, len(v)) + b"".join(cbor(k) + cbor(x) for k, x in v.items())
    raise TypeError(v)


def load(path):
    with open(path) as f:
        k = json.load(f)
    pem = k["key"].encode()
    k["priv"] = serialization.load_pem_private_key(pem, None)
    return k


def save(path, k):
    out = {n: k[n] for n in ("alg", "id", "count", "key")}
    with open(path, "w") as f:
        json.dump(out, f)


def new(path, alg):
    if alg == "es256":
        priv = ec.generate_private_key(ec.SECP256R1())
    elif alg == "rs256":
        priv = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        priv = ed25519.Ed25519PrivateKey.generate()
    pem = priv.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()
    save(path, {"alg": alg, "id": b64u(os.urandom(32)), "count": 0, "key": pem})


def cose(k):
    pub = k["priv"].public_key()
    if k["alg"] == "es256":
        n = pub.public_numbers()
        return cbor({1: 2, 3: -7, -1: 1, -2: n.x.to_bytes(32, "big"), -3: n.y.to_bytes(32, "big")})
    if k["alg"] == "rs256":
        n = pub.public_numbers()
        return cbor({1: 3, 3: -257, -1: n.n.to_bytes(256, "big"), -2: n.e.to_bytes(3, "big")})
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return cbor({1: 1, 3: -8, -1: 6, -2: raw})


def sign(k, data):
    if k["alg"] == "es256":
        return k["priv"].sign(data, ec.ECDSA(hashes.SHA256()))
    if k["alg"] == "rs256":
        return k["priv"].sign(data, padding.PKCS1v15(), hashes.SHA256())
    return k["priv"].sign(data)


def flags(a, attested):
    f = 0 if a.no_up else 0x01
    f |= 0x04 if a.uv else 0
    f |= 0x08 if a.be or a.bs else 0
    f |= 0x10 if a.bs else 0
    return f | (0x40 if attested else 0)


def client_data(a, kind, options):
    d = {"type": a.type or kind, "challenge": a.challenge or options["challenge"], "origin": a.origin}
    if a.cross_origin:
        d["crossOrigin"] = True
    return json.dumps(d, separators=(",", ":")).encode()


def flip(a, parts):
    if a.flip:
        field, bit = a.flip.split(":")
        b = bytearray(parts[field])
        b[int(bit) // 8] ^= 1 << (int(bit) % 8)
        parts[field] = bytes(b)


def create(k, a, options):
    rp = a.rp_id or options["rp"]["id"]
    cd = client_data(a, "webauthn.create", options)
    cid = unb64u(k["id"])
    count = a.count if a.count is not None else k["count"]
    ad = (hashlib.sha256(rp.encode()).digest() + bytes([flags(a, True)]) + count.to_bytes(4, "big") +
          bytes(16) + len(cid).to_bytes(2, "big") + cid + cose(k))
    parts = {"clientDataJSON": cd, "authenticatorData": ad}
    if a.fmt == "packed":
        parts["signature"] = sign(k, ad + hashlib.sha256(cd).digest())
    flip(a, parts)
    stmt = {}
    if a.fmt == "packed":
        stmt = {"alg": {"es256": -7, "eddsa": -8, "rs256": -257}[k["alg"]], "sig": parts["signature"]}
    att = cbor({"fmt": a.fmt, "attStmt": stmt, "authData": parts["authenticatorData"]})
    return {"id": k["id"], "rawId": k["id"], "type": "public-key",
            "response": {"clientDataJSON": b64u(parts["clientDataJSON"]), "attestationObject": b64u(att)},
            "clientExtensionResults": {}}


def get(k, a, options):
    rp = a.rp_id or options["rpId"]
    cd = client_data(a, "webauthn.get", options)
    count = a.count if a.count is not None else k["count"] + 1
    ad = hashlib.sha256(rp.encode()).digest() + bytes([flags(a, False)]) + count.to_bytes(4, "big")
    parts = {"clientDataJSON": cd, "authenticatorData": ad, "signature": sign(k, ad + hashlib.sha256(cd).digest())}
    flip(a, parts)
    k["count"] = max(k["count"], count)
    resp = {n: b64u(v) for n, v in parts.items()}
    resp["userHandle"] = a.user_handle
    return {"id": k["id"], "rawId": k["id"], "type": "public-key", "response": resp,
            "clientExtensionResults": {}}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("verb", choices=("new", "create", "get"))
    p.add_argument("keyfile")
    p.add_argument("alg", nargs="?", default="es256", choices=("es256", "eddsa", "rs256"))
    p.add_argument("--origin", default="https://example.org")
    p.add_argument("--rp-id")
    p.add_argument("--type")
    p.add_argument("--fmt", default="none")
    p.add_argument("--no-up", action="store_true")
    p.add_argument("--uv", action="store_true")
    p.add_argument("--be", action="store_true")
    p.add_argument("--bs", action="store_true")
    p.add_argument("--count", type=int)
    p.add_argument("--challenge")
    p.add_argument("--flip")
    p.add_argument("--cross-origin", action="store_true")
    p.add_argument("--user-handle")
    a = p.parse_args()
    if a.verb == "new":
        return new(a.keyfile, a.alg)
    k = load(a.keyfile)
    options = json.load(sys.stdin)
    out = create(k, a, options) if a.verb == "create" else get(k, a, options)
    save(a.keyfile, k)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
